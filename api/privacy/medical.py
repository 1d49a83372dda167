"""The medical record in a patient's copy of their data, read the audited way.

The patient's own medical data is in their copy (it is theirs to have), and each row read
for it is recorded in the audit log like any other read, so the copy shows up in their
own "who read my data" list as their own access.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.models import ActorRole, Purpose
from api.audit.reads import MedicalRead, MedicalReads, Whose
from api.certificates.models import CertificateRequest
from api.clinicians.models import Clinician
from api.core.deps import get_current_patient
from api.core.errors import Forbidden
from api.identity.tokens import Principal
from api.journal.models import JournalNote
from api.patients.models import Patient
from api.prescriptions.models import RenewalRequest
from api.privacy.archive import record
from api.scheduling.models import Appointment
from api.triage.models import SymptomCheck


async def own_eyes_only(principal: Principal, session: AsyncSession) -> Patient:
    """The patient themself; not the assistant acting in their conversation, nor staff."""
    if principal.conversation_id is not None:
        raise Forbidden(
            "Your copy can only be downloaded by you, on the privacy page.",
            code="export_own_eyes_only",
        )
    return await get_current_patient(principal, session)


@dataclass(frozen=True, slots=True)
class ConsultNote:
    """A journal note, the consult it is about, and who wrote it."""

    note: JournalNote
    patient_id: uuid.UUID
    clinician: Clinician | None


CHECKS = MedicalRead[Patient, SymptomCheck](
    action="symptom_check.export",
    subject_type="symptom_check",
    reader=own_eyes_only,
    role=ActorRole.PATIENT,
    purpose=Purpose.OWN_ACCESS,
    whose=lambda row: Whose(subject_id=row.id, patient_id=row.subject_id),
)
NOTES = MedicalRead[Patient, ConsultNote](
    action="journal_note.export",
    subject_type="journal_note",
    reader=own_eyes_only,
    role=ActorRole.PATIENT,
    purpose=Purpose.OWN_ACCESS,
    whose=lambda row: Whose(subject_id=row.note.appointment_id, patient_id=row.patient_id),
)
RENEWALS = MedicalRead[Patient, RenewalRequest](
    action="renewal.export",
    subject_type="renewal",
    reader=own_eyes_only,
    role=ActorRole.PATIENT,
    purpose=Purpose.OWN_ACCESS,
    whose=lambda row: Whose(subject_id=row.id, patient_id=row.patient_id),
)
CERTIFICATES = MedicalRead[Patient, CertificateRequest](
    action="certificate.export",
    subject_type="certificate",
    reader=own_eyes_only,
    role=ActorRole.PATIENT,
    purpose=Purpose.OWN_ACCESS,
    whose=lambda row: Whose(subject_id=row.id, patient_id=row.patient_id),
)


async def _checks(session: AsyncSession, patient: Patient) -> Sequence[SymptomCheck]:
    # Checks about the patient: their own, and those a guardian answered for them.
    about_them = or_(
        SymptomCheck.subject_patient_id == patient.id,
        and_(SymptomCheck.patient_id == patient.id, SymptomCheck.subject_patient_id.is_(None)),
    )
    rows = await session.scalars(
        select(SymptomCheck).where(about_them).order_by(SymptomCheck.created_at)
    )
    return list(rows)


async def _notes(session: AsyncSession, patient: Patient) -> Sequence[ConsultNote]:
    rows = await session.execute(
        select(JournalNote, Clinician)
        .join(Appointment, Appointment.id == JournalNote.appointment_id)
        .outerjoin(Clinician, Clinician.id == JournalNote.clinician_id)
        .where(Appointment.patient_id == patient.id)
        .order_by(JournalNote.created_at)
    )
    return [ConsultNote(note, patient.id, clinician) for note, clinician in rows]


async def _renewals(session: AsyncSession, patient: Patient) -> Sequence[RenewalRequest]:
    rows = await session.scalars(
        select(RenewalRequest)
        .where(RenewalRequest.patient_id == patient.id)
        .order_by(RenewalRequest.created_at)
    )
    return list(rows)


async def _certificates(session: AsyncSession, patient: Patient) -> Sequence[CertificateRequest]:
    rows = await session.scalars(
        select(CertificateRequest)
        .where(CertificateRequest.patient_id == patient.id)
        .order_by(CertificateRequest.created_at)
    )
    return list(rows)


def _note(row: ConsultNote) -> dict[str, Any]:
    writer = row.clinician
    return {
        **record(row.note),
        "written_by": f"{writer.given_name} {writer.family_name}" if writer else None,
    }


async def read_record(*, reads: MedicalReads, session: AsyncSession) -> dict[str, Any]:
    """The caller's medical record, one file's content per kind; every row read is audited."""
    checks = await reads.many(CHECKS, fetch=lambda p: _checks(session, p))
    notes = await reads.many(NOTES, fetch=lambda p: _notes(session, p))
    renewals = await reads.many(RENEWALS, fetch=lambda p: _renewals(session, p))
    certificates = await reads.many(CERTIFICATES, fetch=lambda p: _certificates(session, p))
    return {
        "symptom_checks.json": [record(row) for row in checks],
        "journal_notes.json": [_note(row) for row in notes],
        "renewals.json": [record(row) for row in renewals],
        "certificates.json": [record(row) for row in certificates],
    }
