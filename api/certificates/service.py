"""Asking for a certificate, and a doctor's decision on it. Every rule comes from the policy."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.certificates.errors import AlreadyDecided, AlreadyRequested, NotChangeable
from api.certificates.models import CertificateDecision, CertificateRequest, CertificateStatus
from api.clinicians.models import Clinician, ClinicianKind
from api.core.errors import DomainError, Forbidden, NotFound
from api.patients.models import Patient
from api.patients.service import actable_ids, get_actable
from api.policy.rules import ClinicPolicy, RuleBroken

# The one kind that is about a trip: it needs the day the trip was to start.
TRAVEL_CANCELLATION = "travel_cancellation"


def _rule_error(rule: RuleBroken) -> DomainError:
    return DomainError(rule.message, code=rule.code)


def _check_travel_date(
    *, kind: str, travel_date: dt.date | None, now: dt.datetime, policy: ClinicPolicy
) -> None:
    if kind != TRAVEL_CANCELLATION:
        if travel_date is not None:
            raise DomainError(
                "A travel date belongs only to a travel cancellation certificate.",
                code="travel_date_not_applicable",
            )
        return
    if travel_date is None:
        raise DomainError(
            "Please tell us the day the trip was to start.", code="travel_date_required"
        )
    if travel_date < policy.local(now).date():
        raise DomainError(
            "That travel date has already passed. A certificate is assessed for trips that "
            "have not started yet.",
            code="travel_date_in_past",
        )


async def request(
    *,
    session: AsyncSession,
    actor: Patient,
    kind: str,
    patient_id: uuid.UUID | None,
    education: str | None,
    days: int | None,
    chronic: bool,
    reason: str | None,
    travel_date: dt.date | None,
    note: str | None,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> CertificateRequest:
    """Ask for a certificate for the actor or their child; a doctor decides after assessment.

    Kinds the clinic does not write are refused with where to go instead (422); a second open
    request of the same kind for the same patient is 409.
    """
    rule = policy.certificate_refusal(
        kind=kind, education=education, days=days, chronic=chronic, reason=reason
    )
    if rule is not None:
        raise _rule_error(rule)
    _check_travel_date(kind=kind, travel_date=travel_date, now=now, policy=policy)
    patient = await get_actable(
        session=session,
        actor=actor,
        patient_id=patient_id,
        today=policy.local(now).date(),
        policy=policy,
    )
    row = CertificateRequest(
        patient_id=patient.id,
        requested_by_id=actor.id,
        kind=kind,
        status=CertificateStatus.REQUESTED,
        education=education,
        days=days,
        travel_date=travel_date,
        note=note,
        created_at=now,
    )
    try:
        # The partial unique index decides: one open request per patient and kind.
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise AlreadyRequested() from None
    return row


async def _visible(
    *,
    session: AsyncSession,
    actor: Patient,
    request_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
    lock: bool = False,
) -> CertificateRequest:
    ids = await actable_ids(
        session=session, actor=actor, today=policy.local(now).date(), policy=policy
    )
    query = select(CertificateRequest).where(
        CertificateRequest.id == request_id, CertificateRequest.patient_id.in_(ids)
    )
    row = await session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound("No such certificate request.")
    return row


async def list_for_patient(
    *, session: AsyncSession, actor: Patient, now: dt.datetime, policy: ClinicPolicy
) -> list[CertificateRequest]:
    """The actor's and their children's certificate requests, newest first."""
    ids = await actable_ids(
        session=session, actor=actor, today=policy.local(now).date(), policy=policy
    )
    rows = await session.scalars(
        select(CertificateRequest)
        .where(CertificateRequest.patient_id.in_(ids))
        .order_by(CertificateRequest.created_at.desc(), CertificateRequest.id)
    )
    return list(rows)


async def get_for_patient(
    *,
    session: AsyncSession,
    actor: Patient,
    request_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> CertificateRequest:
    """One of the actor's (or their children's) requests; anyone else's is 404."""
    return await _visible(
        session=session, actor=actor, request_id=request_id, now=now, policy=policy
    )


async def cancel(
    *,
    session: AsyncSession,
    actor: Patient,
    request_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> CertificateRequest:
    """Withdraw a request while no doctor has decided on it."""
    row = await _visible(
        session=session, actor=actor, request_id=request_id, now=now, policy=policy, lock=True
    )
    if row.status is not CertificateStatus.REQUESTED:
        raise NotChangeable(
            f"This certificate request is {row.status.value} and can no longer be cancelled."
        )
    row.status = CertificateStatus.CANCELLED
    row.decided_at = now
    await session.flush()
    return row


async def patient_of(session: AsyncSession, request_id: uuid.UUID) -> uuid.UUID | None:
    """Whose certificate request this is (None if there is none): for the audit of a
    refusal."""
    row = await session.get(CertificateRequest, request_id)
    return row.patient_id if row else None


def _ensure_doctor(clinician: Clinician) -> None:
    if clinician.kind is not ClinicianKind.DOCTOR:
        raise Forbidden("Only doctors assess certificate requests.")


async def pending(*, session: AsyncSession, clinician: Clinician) -> list[CertificateRequest]:
    """Requests waiting for a doctor, oldest first."""
    _ensure_doctor(clinician)
    rows = await session.scalars(
        select(CertificateRequest)
        .where(CertificateRequest.status == CertificateStatus.REQUESTED)
        .order_by(CertificateRequest.created_at, CertificateRequest.id)
    )
    return list(rows)


async def decide(
    *,
    session: AsyncSession,
    clinician: Clinician,
    request_id: uuid.UUID,
    decision: CertificateDecision,
    reason: str | None,
    days: int | None,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> CertificateRequest:
    """Issue or refuse an open request; a request is decided once (409 after that).

    An issued certificate runs from the Oslo day of contact (the request) for the days granted,
    which must still satisfy the clinic's rules for its kind.
    """
    _ensure_doctor(clinician)
    row = await session.scalar(
        select(CertificateRequest).where(CertificateRequest.id == request_id).with_for_update()
    )
    if row is None:
        raise NotFound("No such certificate request.")
    if row.status is not CertificateStatus.REQUESTED:
        raise AlreadyDecided(f"This certificate request is already {row.status.value}.")
    if decision == "refuse":
        if not reason:
            raise DomainError(
                "Please give the patient the reason for the refusal.", code="reason_required"
            )
        row.status = CertificateStatus.REFUSED
    else:
        granted = days if days is not None else row.days
        rule = policy.certificate_refusal(kind=row.kind, education=row.education, days=granted)
        if rule is not None:
            raise _rule_error(rule)
        row.valid_from, row.valid_to = policy.certificate_period(
            contacted_at=row.created_at, days=granted
        )
        row.status = CertificateStatus.ISSUED
    row.decision_reason = reason
    row.clinician_id = clinician.id
    row.decided_at = now
    await session.flush()
    return row
