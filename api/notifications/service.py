"""Recording and sending a notification exactly once."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.notifications.models import Notification
from api.notifications.notifier import Notifier


async def notify_once(
    *,
    session: AsyncSession,
    notifier: Notifier,
    kind: str,
    subject_id: uuid.UUID,
    body: str,
    now: dt.datetime,
    patient_id: uuid.UUID | None = None,
    audience: str = "patient",
) -> bool:
    """Record and deliver; False if this (kind, subject) was already sent."""
    exists = await session.scalar(
        select(Notification.id).where(
            Notification.kind == kind, Notification.subject_id == subject_id
        )
    )
    if exists is not None:
        return False
    notification = Notification(
        patient_id=patient_id,
        audience=audience,
        kind=kind,
        subject_id=subject_id,
        body=body,
        channel=notifier.channel,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(notification)
    except IntegrityError:
        return False  # another run got there first
    await notifier.deliver(notification)
    return True
