"""Certificate routes: patients ask, doctors decide."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from api.certificates import service
from api.certificates.schemas import CertificateDecisionIn, CertificateOut, CertificateRequestIn
from api.core.deps import CurrentClinician, CurrentPatient, DbSession, Now, PolicyDep

router = APIRouter(prefix="/api/v1", tags=["certificates"])
clinician_router = APIRouter(prefix="/api/v1/clinician", tags=["clinician"])


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
    patient: CurrentPatient, session: DbSession, policy: PolicyDep, now: Now
) -> list[CertificateOut]:
    """The caller's and their children's certificate requests, newest first."""
    rows = await service.list_for_patient(session=session, actor=patient, now=now, policy=policy)
    return [CertificateOut.of(row) for row in rows]


@router.get("/certificates/{certificate_id}")
async def get_certificate(
    certificate_id: uuid.UUID,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> CertificateOut:
    """One certificate request of the caller's or their child's."""
    row = await service.get_for_patient(
        session=session, actor=patient, request_id=certificate_id, now=now, policy=policy
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
async def pending_certificates(
    clinician: CurrentClinician, session: DbSession
) -> list[CertificateOut]:
    """Requests waiting for a doctor's assessment, oldest first (doctors only)."""
    rows = await service.pending(session=session, clinician=clinician)
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
