"""Where a support reply goes: the channel the patient last wrote in.

A logged-in patient has one conversation for the chat page and SMS alike, so the channel is
read from the latest message Rasa recorded (the SMS gateway marks its messages); a chat
reply needs nothing more than the transcript, which the chat page shows. A text goes to the
patient's verified number, or, for a number that belongs to no patient, to the number the
ticket keeps while it is live; every send or refusal leaves its row (api/sms/outbound.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.rasa_client import RasaClient
from api.chat.tracker_store import TrackerStore
from api.handoffs.models import ReplyDelivery, SupportTicket
from api.sms import outbound
from api.sms.models import OutboundStatus
from api.sms.numbers import NumberKeys
from api.sms.sender import SmsNotConfigured, SmsSendFailed, TwilioSender
from api.support.models import SupportAgent

logger = logging.getLogger(__name__)

PURPOSE = "support_reply"
_NOT_SENT = (OutboundStatus.REFUSED, OutboundStatus.FAILED)


@dataclass(frozen=True)
class Channels:
    """What a reply travels through."""

    rasa: RasaClient
    store: TrackerStore
    sender: TwilioSender
    keys: NumberKeys


async def patient_channel(store: TrackerStore, ticket: SupportTicket) -> str:
    """Where the patient last wrote, "sms" or "chat" (the handoff's channel if unknown)."""
    if ticket.conversation_id.startswith("sms-"):
        return "sms"  # a number that belongs to no patient: it can only text
    if ticket.conversation_id.startswith("anon-"):
        return "chat"
    try:
        events = await store.events_of(ticket.conversation_id)
    except (SQLAlchemyError, OSError) as exc:
        logger.warning("tracker store unreadable: %s", type(exc).__name__)
        return ticket.channel
    for event in reversed(events):
        if event.kind == "user":
            metadata = event.data.get("metadata")
            is_sms = isinstance(metadata, dict) and metadata.get("channel") == "sms"
            return "sms" if is_sms else "chat"
    return ticket.channel


def sms_body(agent: SupportAgent, text: str) -> str:
    # The assistant texts from the same number: the patient must see a person wrote this.
    return f"{agent.given_name} (support): {text}"


async def text_patient(
    *,
    session: AsyncSession,
    channels: Channels,
    ticket: SupportTicket,
    agent: SupportAgent,
    text: str,
    now: dt.datetime,
) -> tuple[ReplyDelivery, str | None]:
    """Text the reply; (delivery, why not) – a refusal is an outcome to show, not an error."""
    body = sms_body(agent, text)
    try:
        if ticket.patient_id is not None:
            rows = await outbound.send_to_patient(
                session=session,
                sender=channels.sender,
                keys=channels.keys,
                patient_id=ticket.patient_id,
                purpose=PURPOSE,
                body=body,
                now=now,
            )
        elif ticket.reply_number is not None:
            rows = await outbound.send_to_number(
                session=session,
                sender=channels.sender,
                keys=channels.keys,
                number=ticket.reply_number,
                purpose=PURPOSE,
                body=body,
                now=now,
            )
        else:
            return ReplyDelivery.SMS_NOT_SENT, "no_number"
    except SmsNotConfigured:
        return ReplyDelivery.SMS_NOT_SENT, "sms_not_configured"
    except SmsSendFailed as exc:
        logger.warning("support reply not texted: %s", exc)
        return ReplyDelivery.SMS_NOT_SENT, "twilio_unavailable"
    refused = [row for row in rows if row.status in _NOT_SENT]
    if refused:
        return ReplyDelivery.SMS_NOT_SENT, refused[0].reason or "refused"
    return ReplyDelivery.SMS_SENT, None
