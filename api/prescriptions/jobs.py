"""Scheduled work for renewals: alert the doctors when a request passes its due time, and
tell patients what the doctor decided."""

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


# Only decisions this recent are told: a job that was down a while still catches up, and
# decisions from before a notifier existed are not sent long after the fact.
OUTCOMES_TOLD_WITHIN = dt.timedelta(days=1)
# No medicine name: whoever holds the phone reads the text.
_OUTCOME_TEXTS = {
    RenewalStatus.APPROVED: (
        "Your prescription renewal is approved. You can collect it at any pharmacy in Norway."
    ),
    RenewalStatus.REFUSED: (
        "The doctor could not renew your prescription; you get your money back. "
        "The reason is in the app."
    ),
    RenewalStatus.CONSULT_REQUESTED: (
        "The doctor would like to talk with you in a video consult before renewing; the "
        "renewal fee is refunded. You can book the consult in the app."
    ),
}


async def notify_renewal_outcomes(
    *, session: AsyncSession, notifier: Notifier, now: dt.datetime
) -> int:
    """Tell whoever asked for a renewal what the doctor decided, once."""
    rows = await session.scalars(
        select(RenewalRequest).where(
            RenewalRequest.status.in_(list(_OUTCOME_TEXTS)),
            RenewalRequest.decided_at > now - OUTCOMES_TOLD_WITHIN,
        )
    )
    told = 0
    for request in rows:
        if await notify_once(
            session=session,
            notifier=notifier,
            kind="renewal_outcome",
            subject_id=request.id,
            patient_id=request.requested_by_id,
            body=_OUTCOME_TEXTS[request.status],
            now=now,
        ):
            told += 1
    return told
