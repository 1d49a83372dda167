"""Certificate routes: patients ask, doctors decide."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from api.audit.models import ActorRole, Purpose
from api.audit.reads import AuditedReads, MedicalRead, Whose
from api.certificates import service
from api.certificates.models import CertificateRequest
from api.certificates.schemas import CertificateDecisionIn, CertificateOut, CertificateRequestIn
from api.clinicians.models import Clinician
from api.core.deps import (
    CurrentClinician,
    CurrentPatient,
    DbSession,
    Now,
    PolicyDep,
    get_current_clinician,
    get_current_patient,
)
from api.patients.models import Patient

router = APIRouter(prefix="/api/v1", tags=["certificates"])
clinician_router = APIRouter(prefix="/api/v1/clinician", tags=["clinician"])


def _whose(row: CertificateRequest) -> Whose:
    return Whose(subject_id=row.id, patient_id=row.patient_id)


# A certificate request says why the patient is ill (its kind and the patient's own note):
# medical data, so every read is audited.
OWN_CERTIFICATE = MedicalRead[Patient, CertificateRequest](
    action="certificate.read",
    subject_type="certificate",
    reader=get_current_patient,
    role=ActorRole.PATIENT,
    purpose=Purpose.OWN_ACCESS,
    whose=_whose,
    owner=service.patient_of,
)
CERTIFICATE_QUEUE = MedicalRead[Clinician, CertificateRequest](
    action="certificate.read",
    subject_type="certificate",
    reader=get_current_clinician,
    role=ActorRole.CLINICIAN,
    purpose=Purpose.CERTIFICATE_REVIEW,
    whose=_whose,
)


@router.post("/certificates", status_code=status.HTTP_201_CREATED)
async def request_certificate(
    body: CertificateRequestIn,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> CertificateOut:
    """Ask for a certificate; 422 with where to go instead if the clinic does not write it."""
    row = await service.request(
        session=session,
        actor=patient,
        kind=body.kind,
        patient_id=body.patient_id,
        education=body.education,
        days=body.days,
        chronic=body.chronic,
        reason=body.reason,
        travel_date=body.travel_date,
        note=body.note,
        now=now,
        policy=policy,
    )
    return CertificateOut.of(row)


@router.get("/certificates")
async def list_certificates(
    reads: AuditedReads, session: DbSession, policy: PolicyDep, now: Now
) -> list[CertificateOut]:
    """The caller's and their children's certificate requests, newest first."""
    rows = await reads.many(
        OWN_CERTIFICATE,
        fetch=lambda patient: service.list_for_patient(
            session=session, actor=patient, now=now, policy=policy
        ),
    )
    return [CertificateOut.of(row) for row in rows]


@router.get("/certificates/{certificate_id}")
async def get_certificate(
    certificate_id: uuid.UUID,
    reads: AuditedReads,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> CertificateOut:
    """One certificate request of the caller's or their child's."""
    row = await reads.one(
        OWN_CERTIFICATE,
        subject_id=certificate_id,
        fetch=lambda patient: service.get_for_patient(
            session=session, actor=patient, request_id=certificate_id, now=now, policy=policy
        ),
    )
    return CertificateOut.of(row)


@router.post("/certificates/{certificate_id}/cancel")
async def cancel_certificate(
    certificate_id: uuid.UUID,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> CertificateOut:
    """Withdraw a request before a doctor has decided on it."""
    row = await service.cancel(
        session=session, actor=patient, request_id=certificate_id, now=now, policy=policy
    )
    return CertificateOut.of(row)


@clinician_router.get("/certificates/pending")
async def pending_certificates(reads: AuditedReads, session: DbSession) -> list[CertificateOut]:
    """Requests waiting for a doctor's assessment, oldest first (doctors only)."""
    rows = await reads.many(
        CERTIFICATE_QUEUE,
        fetch=lambda clinician: service.pending(session=session, clinician=clinician),
    )
    return [CertificateOut.of(row) for row in rows]


@clinician_router.post("/certificates/{certificate_id}/decision")
async def decide_certificate(
    certificate_id: uuid.UUID,
    body: CertificateDecisionIn,
    clinician: CurrentClinician,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> CertificateOut:
    """Issue or refuse a request after assessment (doctors only; once per request)."""
    row = await service.decide(
        session=session,
        clinician=clinician,
        request_id=certificate_id,
        decision=body.decision,
        reason=body.reason,
        days=body.days,
        now=now,
        policy=policy,
    )
    return CertificateOut.of(row)
