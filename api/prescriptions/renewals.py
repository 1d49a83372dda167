"""Prescription renewal requests: checked against the rules, paid, queued, decided."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.clinicians.models import Clinician, ClinicianKind
from api.core.errors import Conflict, DomainError, Forbidden, NotFound
from api.insurance.service import is_insured
from api.patients.models import Patient
from api.patients.service import actable_ids, get_actable
from api.payments import service as payments
from api.payments.provider import PaymentProvider
from api.policy.rules import ClinicPolicy, Service
from api.prescriptions.medications import Medication, get_medications
from api.prescriptions.models import RenewalRequest, RenewalStatus
from api.prescriptions.prescription_list import PrescriptionList

# A confident match is taken as the patient's medicine; below it they are asked to choose.
CONFIDENT_MATCH = 0.85
Decision = Literal["approve", "refuse", "consult"]


class OpenRenewalExists(Conflict):
    code = "renewal_already_open"

    def __init__(self) -> None:
        super().__init__(
            "You already have a renewal request in progress. For several medicines at once, "
            "please book a video consult."
        )


@dataclass(frozen=True, slots=True)
class RenewalView:
    request: RenewalRequest
    queue_position: int | None


def resolve_medication(text: str) -> Medication:
    """The medicine the patient means, tolerating typos; 422 with suggestions otherwise."""
    matches = get_medications().match(text, limit=3)
    if matches and matches[0].score >= CONFIDENT_MATCH:
        return matches[0].medication
    if matches:
        names = ", ".join(m.medication.substance for m in matches)
        raise DomainError(
            f"Which medicine do you mean: {names}? Please write its name as on the package.",
            code="ambiguous_medication",
        )
    raise DomainError(
        "We could not find that medicine. Please write its name as on the package, "
        "or book a video consult.",
        code="unknown_medication",
    )


async def request_renewal(
    *,
    session: AsyncSession,
    actor: Patient,
    patient_id: uuid.UUID | None,
    medication_text: str,
    supply_days: int,
    consent: bool,
    now: dt.datetime,
    policy: ClinicPolicy,
    provider: PaymentProvider,
    prescriptions: PrescriptionList,
    idempotency_key: str,
) -> RenewalRequest:
    """Check every renewal rule, take payment and place the request in the doctors' queue."""
    earlier = await payments.find_order(
        session=session, payer_id=actor.id, idempotency_key=idempotency_key
    )
    if earlier is not None:
        replay = await session.scalar(
            select(RenewalRequest).where(RenewalRequest.order_id == earlier.id)
        )
        if replay is None:
            raise payments.IdempotencyKeyReused()
        return replay
    patient = await get_actable(
        session=session,
        actor=actor,
        patient_id=patient_id,
        today=policy.local(now).date(),
        policy=policy,
    )
    medication = resolve_medication(medication_text)
    # The list is looked up only with consent: the rule check below refuses without it.
    last = (
        await prescriptions.last_dispensed(
            session=session, patient_id=patient.id, substance=medication.substance
        )
        if consent
        else None
    )
    rule = policy.renewal_refusal(
        reseptgruppe=medication.reseptgruppe.value,
        substance=medication.substance,
        flags=frozenset(flag.value for flag in medication.flags),
        supply_days=supply_days,
        last_dispensed=last,
        today=policy.local(now).date(),
        consent=consent,
    )
    if rule is not None:
        raise DomainError(rule.message, code=rule.code)

    request = RenewalRequest(
        patient_id=patient.id,
        requested_by_id=actor.id,
        substance=medication.substance,
        atc=medication.atc,
        medication_text=medication_text,
        supply_days=supply_days,
        consent_at=now,
        status=RenewalStatus.REQUESTED,
        due_at=policy.renewal_due_at(now),
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(request)
    except IntegrityError:
        raise OpenRenewalExists() from None
    insured = await is_insured(
        session=session, patient=patient, on=policy.local(now).date(), policy=policy
    )
    order = await payments.charge(
        session=session,
        provider=provider,
        payer_id=actor.id,
        patient_id=patient.id,
        appointment_id=None,
        description=f"Prescription renewal: {medication.substance}",
        list_price_ore=policy.rules_for(Service.PRESCRIPTION_RENEWAL).price_ore,
        total_ore=policy.price_ore(Service.PRESCRIPTION_RENEWAL, insured=insured),
        idempotency_key=idempotency_key,
        now=now,
    )
    request.order_id = order.id
    await session.flush()
    return request


async def _position(session: AsyncSession, request: RenewalRequest) -> int | None:
    if request.status is not RenewalStatus.REQUESTED:
        return None
    ahead = await session.scalar(
        select(func.count(RenewalRequest.id)).where(
            RenewalRequest.status == RenewalStatus.REQUESTED,
            RenewalRequest.created_at < request.created_at,
        )
    )
    return int(ahead or 0) + 1


async def view(*, session: AsyncSession, request: RenewalRequest) -> RenewalView:
    return RenewalView(request, await _position(session, request))


async def get_visible(
    *,
    session: AsyncSession,
    actor: Patient,
    request_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> RenewalRequest:
    """One of the actor's (or their children's) renewal requests; others' are 404."""
    ids = await actable_ids(
        session=session, actor=actor, today=policy.local(now).date(), policy=policy
    )
    request = await session.scalar(
        select(RenewalRequest).where(
            RenewalRequest.id == request_id, RenewalRequest.patient_id.in_(ids)
        )
    )
    if request is None:
        raise NotFound("No such renewal request.")
    return request


async def list_visible(
    *, session: AsyncSession, actor: Patient, now: dt.datetime, policy: ClinicPolicy
) -> list[RenewalRequest]:
    ids = await actable_ids(
        session=session, actor=actor, today=policy.local(now).date(), policy=policy
    )
    rows = await session.scalars(
        select(RenewalRequest)
        .where(RenewalRequest.patient_id.in_(ids))
        .order_by(RenewalRequest.created_at.desc())
    )
    return list(rows)


async def patient_of(session: AsyncSession, request_id: uuid.UUID) -> uuid.UUID | None:
    """Whose renewal request this is (None if there is none): for the audit of a refusal."""
    request = await session.get(RenewalRequest, request_id)
    return request.patient_id if request else None


async def _refund(
    session: AsyncSession, request: RenewalRequest, reason: str, now: dt.datetime
) -> None:
    if request.order_id is not None:
        await payments.refund(
            session=session,
            order_id=request.order_id,
            reason=reason,
            idempotency_key=f"refund:renewal:{request.id}",
            now=now,
        )


async def cancel(
    *,
    session: AsyncSession,
    actor: Patient,
    request_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> RenewalRequest:
    """Withdraw a request before a doctor decides; the fee is refunded."""
    request = await get_visible(
        session=session, actor=actor, request_id=request_id, now=now, policy=policy
    )
    if request.status is not RenewalStatus.REQUESTED:
        raise Conflict(f"This request is already {request.status.value}.", code="already_decided")
    request.status = RenewalStatus.CANCELLED
    request.decided_at = now
    await _refund(session, request, "renewal_cancelled", now)
    await session.flush()
    return request


async def pending(*, session: AsyncSession, clinician: Clinician) -> list[RenewalRequest]:
    """The doctors' renewal queue, the most urgent first."""
    if clinician.kind is not ClinicianKind.DOCTOR:
        raise Forbidden("Only doctors handle prescription renewals.")
    rows = await session.scalars(
        select(RenewalRequest)
        .where(RenewalRequest.status == RenewalStatus.REQUESTED)
        .order_by(RenewalRequest.due_at, RenewalRequest.created_at)
    )
    return list(rows)


async def decide(
    *,
    session: AsyncSession,
    clinician: Clinician,
    request_id: uuid.UUID,
    decision: Decision,
    reason: str | None,
    now: dt.datetime,
) -> RenewalRequest:
    """Approve, refuse (refunded) or ask for a video consult (refunded; the consult is booked
    at its ordinary price)."""
    if clinician.kind is not ClinicianKind.DOCTOR:
        raise Forbidden("Only doctors handle prescription renewals.")
    request = await session.get(RenewalRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound("No such renewal request.")
    if request.status is not RenewalStatus.REQUESTED:
        raise Conflict(f"This request is already {request.status.value}.", code="already_decided")
    if decision != "approve" and not reason:
        raise DomainError("Please give the patient a reason.", code="reason_required")
    request.status = {
        "approve": RenewalStatus.APPROVED,
        "refuse": RenewalStatus.REFUSED,
        "consult": RenewalStatus.CONSULT_REQUESTED,
    }[decision]
    request.clinician_id = clinician.id
    request.decision_reason = reason
    request.decided_at = now
    if decision != "approve":
        await _refund(session, request, f"renewal_{request.status.value}", now)
    await session.flush()
    return request
