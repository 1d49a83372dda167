"""Scheduled work for renewals: alert the doctors when a request passes its due time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.notifications.notifier import Notifier
from api.notifications.service import notify_once
from api.policy.rules import ClinicPolicy
from api.prescriptions.models import RenewalRequest, RenewalStatus


async def alert_overdue_renewals(
    *, session: AsyncSession, notifier: Notifier, now: dt.datetime, policy: ClinicPolicy
) -> int:
    """One alert to the doctors per request still waiting after its due time."""
    rows = await session.scalars(
        select(RenewalRequest).where(
            RenewalRequest.status == RenewalStatus.REQUESTED,
            RenewalRequest.due_at < now,
            RenewalRequest.breach_alerted_at.is_(None),
        )
    )
    alerted = 0
    for request in rows:
        overdue = int((now - request.due_at).total_seconds() // 60)
        await notify_once(
            session=session,
            notifier=notifier,
            kind="renewal_overdue",
            subject_id=request.id,
            audience="clinicians",
            body=(
                f"A renewal request is {overdue} min past its due time "
                f"({policy.local(request.due_at):%d.%m %H:%M})."
            ),
            now=now,
        )
        request.breach_alerted_at = now
        alerted += 1
    await session.flush()
    return alerted
