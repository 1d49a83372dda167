"""Symptom-check routes: the assistant posts answers, the treating clinician reads them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.models import ActorRole, Purpose
from api.audit.reads import AuditedReads, MedicalRead, Whose
from api.clinicians.models import Clinician
from api.core.deps import (
    CurrentPatient,
    DbSession,
    Now,
    OptionalPrincipal,
    PolicyDep,
    get_current_clinician,
    get_current_patient,
)
from api.identity.tokens import Principal, Role
from api.patients.models import Patient
from api.triage import service
from api.triage.errors import NotTreatingClinician
from api.triage.models import SymptomCheck
from api.triage.schemas import (
    AttachIn,
    ClinicianSymptomCheckOut,
    SymptomCheckIn,
    SymptomCheckOut,
    TriageOut,
)

router = APIRouter(prefix="/api/v1", tags=["triage"])
clinician_router = APIRouter(prefix="/api/v1/clinician", tags=["clinician"])


async def get_optional_patient(principal: OptionalPrincipal, session: DbSession) -> Patient | None:
    """Anonymous callers are welcome; staff tokens are not patients (403)."""
    if principal is None:
        return None
    return await get_current_patient(principal, session)


OptionalPatient = Annotated[Patient | None, Depends(get_optional_patient)]


async def treating_clinician(principal: Principal, session: AsyncSession) -> Clinician:
    """Only clinicians read a consult's answers; the treating one is checked on the row."""
    if principal.role is not Role.CLINICIAN:
        raise NotTreatingClinician()
    return await get_current_clinician(principal, session)


OWN_CHECK = MedicalRead[Patient, SymptomCheck](
    action="symptom_check.read",
    subject_type="symptom_check",
    reader=get_current_patient,
    role=ActorRole.PATIENT,
    purpose=Purpose.OWN_ACCESS,
    whose=lambda row: Whose(subject_id=row.id, patient_id=row.subject_id),
    owner=service.patient_of_check,
)
# The consult names the read: a refusal, which never reaches the check, records the same id.
CONSULT_CHECK = MedicalRead[Clinician, SymptomCheck](
    action="symptom_check.read",
    subject_type="appointment",
    reader=treating_clinician,
    role=ActorRole.CLINICIAN,
    purpose=Purpose.TREATMENT,
    whose=lambda row: Whose(subject_id=row.id, patient_id=row.subject_id),
    owner=service.patient_of_consult,
)


@router.post("/symptom-checks")
async def create_symptom_check(
    body: SymptomCheckIn,
    patient: OptionalPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> TriageOut:
    """Triage a symptom check; kept for the treating clinician when a patient is logged in."""
    assessment = await service.create(
        session=session, actor=patient, answers=body, policy=policy, now=now
    )
    return TriageOut.of(
        check_id=assessment.check.id if assessment.check else None,
        level=assessment.triage.level,
        reasons=assessment.triage.reasons,
        policy=policy,
    )


@router.get("/symptom-checks/{check_id}")
async def get_symptom_check(
    check_id: uuid.UUID,
    reads: AuditedReads,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> SymptomCheckOut:
    """The triage of one of the caller's (or their child's) checks; the answers stay private."""
    row = await reads.one(
        OWN_CHECK,
        subject_id=check_id,
        fetch=lambda patient: service.get_for_patient(
            session=session, actor=patient, check_id=check_id, now=now, policy=policy
        ),
    )
    return SymptomCheckOut.of_row(row, policy=policy)


@router.post("/symptom-checks/{check_id}/attach")
async def attach_symptom_check(
    check_id: uuid.UUID,
    body: AttachIn,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> SymptomCheckOut:
    """Hand a check to an upcoming consult of the same patient (once)."""
    row = await service.attach_to_appointment(
        session=session,
        actor=patient,
        check_id=check_id,
        appointment_id=body.appointment_id,
        now=now,
        policy=policy,
    )
    return SymptomCheckOut.of_row(row, policy=policy)


@clinician_router.get("/appointments/{appointment_id}/symptom-check")
async def get_consult_symptom_check(
    appointment_id: uuid.UUID, reads: AuditedReads, session: DbSession
) -> ClinicianSymptomCheckOut:
    """The symptom check handed to a consult: its own clinician only; every read and every
    refusal is written to the audit log."""
    row = await reads.one(
        CONSULT_CHECK,
        subject_id=appointment_id,
        fetch=lambda clinician: service.get_for_clinician(
            session=session, clinician=clinician, appointment_id=appointment_id
        ),
    )
    return ClinicianSymptomCheckOut.of(row)
