"""Notifications (reminders, outcomes, "your consult starts now") sent as texts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_object_session

from api.notifications.models import Notification
from api.sms import outbound
from api.sms.numbers import NumberKeys
from api.sms.sender import TwilioSender


class TwilioNotifier:
    """The Notifier for production: texts each patient notification to a verified number.

    It works in the session that recorded the notification, so the text's record and the
    notification commit (or roll back) together. A passing Twilio failure raises, and the
    job tries again on its next run.
    """

    channel = "sms"

    def __init__(self, *, sender: TwilioSender, keys: NumberKeys) -> None:
        self._sender = sender
        self._keys = keys

    async def deliver(self, notification: Notification) -> None:
        session = async_object_session(notification)
        if session is None:
            raise RuntimeError("a notification is delivered in the session that recorded it")
        now = notification.created_at
        if notification.audience != "patient" or notification.patient_id is None:
            # Staff alerts stay in the store and the consoles; staff numbers are not kept.
            await outbound.refuse(
                session=session,
                purpose=notification.kind,
                reason="not_a_patient",
                now=now,
                notification_id=notification.id,
            )
            return
        if not notification.body:
            await outbound.refuse(
                session=session,
                purpose=notification.kind,
                reason="no_text",
                now=now,
                patient_id=notification.patient_id,
                notification_id=notification.id,
            )
            return
        await outbound.send_to_patient(
            session=session,
            sender=self._sender,
            keys=self._keys,
            patient_id=notification.patient_id,
            purpose=notification.kind,
            body=notification.body,
            now=now,
            notification_id=notification.id,
        )
