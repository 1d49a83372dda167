"""Erasure of non-medical data: requested by the patient, done by a job, confirmed in writing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.core.errors import Conflict
from api.notifications.models import Notification
from api.notifications.notifier import Notifier
from api.notifications.service import notify_once
from api.patients.models import Patient
from api.policy.rules import ClinicPolicy
from api.privacy.models import ErasureRequest

_CATEGORY_WORDS = {
    "phone": "your phone number",
    "email": "your e-mail address",
    "notification_texts": "the texts of messages we sent you",
}


async def request_erasure(
    *, session: AsyncSession, actor: Patient, now: dt.datetime, policy: ClinicPolicy
) -> ErasureRequest:
    """Record the request; one open request at a time."""
    request = ErasureRequest(
        patient_id=actor.id,
        requested_at=now,
        due_at=now + dt.timedelta(days=policy.privacy.erase_non_medical_within_days),
    )
    try:
        async with session.begin_nested():
            session.add(request)
    except IntegrityError:
        raise Conflict(
            "You already have an erasure request in progress.", code="erasure_already_requested"
        ) from None
    return request


async def list_requests(*, session: AsyncSession, actor: Patient) -> list[ErasureRequest]:
    rows = await session.scalars(
        select(ErasureRequest)
        .where(ErasureRequest.patient_id == actor.id)
        .order_by(ErasureRequest.requested_at.desc())
    )
    return list(rows)


async def erase_requested(
    *, session: AsyncSession, notifier: Notifier, now: dt.datetime, policy: ClinicPolicy
) -> int:
    """Erase the non-medical data of every open request and confirm what and when."""
    rows = await session.scalars(
        select(ErasureRequest).where(ErasureRequest.completed_at.is_(None))
    )
    done = 0
    categories = policy.privacy.non_medical_data
    for request in rows:
        patient = await session.get(Patient, request.patient_id)
        if patient is None:
            continue
        if "phone" in categories:
            patient.phone = None
        if "email" in categories:
            patient.email = None
        if "notification_texts" in categories:
            await session.execute(
                update(Notification).where(Notification.patient_id == patient.id).values(body=None)
            )
        words = ", ".join(_CATEGORY_WORDS[c] for c in categories)
        request.erased = ",".join(categories)
        request.completed_at = now
        request.confirmation = (
            f"On {policy.local(now):%d.%m.%Y} we erased {words}. Your medical records are "
            "kept for as long as the law requires, and are not covered by erasure."
        )
        await session.flush()
        # The confirmation itself is a message; it is sent once and its text kept.
        await notify_once(
            session=session,
            notifier=notifier,
            kind="erasure_confirmation",
            subject_id=request.id,
            patient_id=patient.id,
            body=request.confirmation,
            now=now,
        )
        done += 1
    return done
