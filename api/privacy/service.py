"""Erasure of non-medical data: requested by the patient, done by a job, confirmed in writing."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.tracker_store import TrackerStore
from api.core.errors import Conflict
from api.notifications.notifier import Notifier
from api.notifications.service import notify_once
from api.patients.models import Patient
from api.policy.rules import ClinicPolicy
from api.privacy import erasure
from api.privacy.models import ErasureRequest
from api.sms.numbers import NumberKeys

logger = logging.getLogger(__name__)


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
    *,
    session: AsyncSession,
    notifier: Notifier,
    now: dt.datetime,
    policy: ClinicPolicy,
    tracker_store: TrackerStore | None = None,
    keys: NumberKeys | None = None,
) -> int:
    """Erase the non-medical data of every open request and confirm what and when.

    The scheduled job always passes Rasa's tracker store and the SMS number keys. Without
    the store the conversations cannot be erased, so that category is left out of this run
    and out of the confirmation (which never claims what was not done).
    """
    requests = list(
        await session.scalars(select(ErasureRequest).where(ErasureRequest.completed_at.is_(None)))
    )
    categories = list(policy.privacy.non_medical_data)
    if tracker_store is None and "conversations" in categories:
        logger.warning("erasure without the tracker store: conversations are not erased")
        categories.remove("conversations")
    targets: list[tuple[ErasureRequest, erasure.Target]] = []
    for request in requests:
        patient = await session.get(Patient, request.patient_id)
        if patient is not None:
            target = await erasure.target_of(session=session, patient=patient, keys=keys)
            targets.append((request, target))
    # Rasa's store first, before this transaction writes anything: should the store's
    # transaction fail afterwards, the request stays open and the next run erases again.
    if tracker_store is not None and "conversations" in categories:
        for _request, target in targets:
            await erasure.erase_outside_the_store(tracker_store=tracker_store, target=target)
    for request, target in targets:
        await erasure.erase_in_the_store(session=session, target=target, categories=categories)
        request.erased = ",".join(categories)
        request.completed_at = now
        request.confirmation = erasure.confirmation(categories=categories, now=now, policy=policy)
        await session.flush()
        # The confirmation itself is a message; it is sent once and its text kept.
        await notify_once(
            session=session,
            notifier=notifier,
            kind="erasure_confirmation",
            subject_id=request.id,
            patient_id=target.patient.id,
            body=request.confirmation,
            now=now,
        )
    return len(targets)
