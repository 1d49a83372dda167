"""Renewal routes: patients request and follow; doctors work the queue."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from api.audit.models import ActorRole, Purpose
from api.audit.reads import AuditedReads, MedicalRead, Whose
from api.clinicians.models import Clinician
from api.core.deps import (
    CurrentClinician,
    CurrentPatient,
    DbSession,
    IdempotencyKey,
    Now,
    PaymentProviderDep,
    PolicyDep,
    get_current_clinician,
    get_current_patient,
)
from api.patients.models import Patient
from api.prescriptions import renewals
from api.prescriptions.models import RenewalRequest
from api.prescriptions.renewals import RenewalView
from api.prescriptions.schemas import MedicationOut, RenewalDecisionIn, RenewalIn, RenewalOut

router = APIRouter(prefix="/api/v1", tags=["renewals"])
clinician_router = APIRouter(prefix="/api/v1/clinician", tags=["clinician"])


def _whose(row: RenewalRequest) -> Whose:
    return Whose(subject_id=row.id, patient_id=row.patient_id)


# What the medicine is, and why it was refused, is medical data: every read is audited.
OWN_RENEWAL = MedicalRead[Patient, RenewalRequest](
    action="renewal.read",
    subject_type="renewal",
    reader=get_current_patient,
    role=ActorRole.PATIENT,
    purpose=Purpose.OWN_ACCESS,
    whose=_whose,
    owner=renewals.patient_of,
)
RENEWAL_QUEUE = MedicalRead[Clinician, RenewalRequest](
    action="renewal.read",
    subject_type="renewal",
    reader=get_current_clinician,
    role=ActorRole.CLINICIAN,
    purpose=Purpose.RENEWAL_REVIEW,
    whose=_whose,
)


@router.post("/renewals", status_code=status.HTTP_201_CREATED)
async def request_renewal(
    body: RenewalIn,
    request: Request,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
    provider: PaymentProviderDep,
    idempotency_key: IdempotencyKey,
) -> RenewalOut:
    """Ask for a renewal without a consult; refused at once (422) if the rules forbid it."""
    created = await renewals.request_renewal(
        session=session,
        actor=patient,
        patient_id=body.patient_id,
        medication_text=body.medication,
        supply_days=body.supply_days,
        consent=body.consent_prescription_list,
        now=now,
        policy=policy,
        provider=provider,
        prescriptions=request.app.state.prescription_list,
        idempotency_key=idempotency_key,
    )
    return RenewalOut.of(await renewals.view(session=session, request=created))


@router.get("/medications/match")
async def match_medication(
    q: Annotated[str, Query(min_length=1, max_length=200, description="As the patient writes it")],
) -> MedicationOut:
    """The medicine a patient means, typos tolerated; 422 with suggestions when unsure."""
    return MedicationOut.of(renewals.resolve_medication(q))


@router.get("/renewals")
async def list_renewals(
    reads: AuditedReads, session: DbSession, policy: PolicyDep, now: Now
) -> list[RenewalOut]:
    """The caller's and their children's renewal requests, newest first."""
    rows = await reads.many(
        OWN_RENEWAL,
        fetch=lambda patient: renewals.list_visible(
            session=session, actor=patient, now=now, policy=policy
        ),
    )
    return [RenewalOut.of(RenewalView(row, None)) for row in rows]


@router.get("/renewals/{renewal_id}")
async def get_renewal(
    renewal_id: uuid.UUID, reads: AuditedReads, session: DbSession, policy: PolicyDep, now: Now
) -> RenewalOut:
    """Status, queue position and the time it is due."""
    row = await reads.one(
        OWN_RENEWAL,
        subject_id=renewal_id,
        fetch=lambda patient: renewals.get_visible(
            session=session, actor=patient, request_id=renewal_id, now=now, policy=policy
        ),
    )
    return RenewalOut.of(await renewals.view(session=session, request=row))


@router.post("/renewals/{renewal_id}/cancel")
async def cancel_renewal(
    renewal_id: uuid.UUID, patient: CurrentPatient, session: DbSession, policy: PolicyDep, now: Now
) -> RenewalOut:
    row = await renewals.cancel(
        session=session, actor=patient, request_id=renewal_id, now=now, policy=policy
    )
    return RenewalOut.of(RenewalView(row, None))


@clinician_router.get("/renewals")
async def renewal_queue(reads: AuditedReads, session: DbSession) -> list[RenewalOut]:
    """Pending renewals, the most urgent first."""
    rows = await reads.many(
        RENEWAL_QUEUE,
        fetch=lambda clinician: renewals.pending(session=session, clinician=clinician),
    )
    return [RenewalOut.of(RenewalView(row, index + 1)) for index, row in enumerate(rows)]


@clinician_router.post("/renewals/{renewal_id}/decision")
async def decide_renewal(
    renewal_id: uuid.UUID,
    body: RenewalDecisionIn,
    clinician: CurrentClinician,
    session: DbSession,
    now: Now,
) -> RenewalOut:
    row = await renewals.decide(
        session=session,
        clinician=clinician,
        request_id=renewal_id,
        decision=body.decision,
        reason=body.reason,
        now=now,
    )
    return RenewalOut.of(RenewalView(row, None))
