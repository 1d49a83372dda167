"""Journal note routes (the consult's own clinician)."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.audit.models import ActorRole, Purpose
from api.audit.reads import AuditedReads, MedicalRead, Whose
from api.clinicians.models import Clinician
from api.core.deps import CurrentClinician, DbSession, Now, get_current_clinician
from api.journal import service
from api.journal.models import MAX_NOTE_CHARS, JournalNote

clinician_router = APIRouter(prefix="/api/v1/clinician", tags=["clinician"])

# A note's id is its consult's.
NOTE = MedicalRead[Clinician, service.PatientsNote](
    action="journal_note.read",
    subject_type="journal_note",
    reader=get_current_clinician,
    role=ActorRole.CLINICIAN,
    purpose=Purpose.TREATMENT,
    whose=lambda read: Whose(subject_id=read.note.appointment_id, patient_id=read.patient_id),
    owner=service.patient_of,
)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_NOTE_CHARS)


class NoteOut(BaseModel):
    appointment_id: uuid.UUID
    text: str
    updated_at: dt.datetime

    @classmethod
    def of(cls, note: JournalNote) -> NoteOut:
        return cls(appointment_id=note.appointment_id, text=note.text, updated_at=note.updated_at)


@clinician_router.put("/appointments/{appointment_id}/note")
async def save_note(
    appointment_id: uuid.UUID,
    body: NoteIn,
    clinician: CurrentClinician,
    session: DbSession,
    now: Now,
) -> NoteOut:
    """Write or replace the consult's journal note."""
    note = await service.save(
        session=session,
        clinician=clinician,
        appointment_id=appointment_id,
        text=body.text.strip() or body.text,
        now=now,
    )
    return NoteOut.of(note)


@clinician_router.get("/appointments/{appointment_id}/note")
async def read_note(appointment_id: uuid.UUID, reads: AuditedReads, session: DbSession) -> NoteOut:
    """The consult's journal note, for its own clinician; every read and refusal is audited."""
    read = await reads.one(
        NOTE,
        subject_id=appointment_id,
        fetch=lambda clinician: service.get(
            session=session, clinician=clinician, appointment_id=appointment_id
        ),
    )
    return NoteOut.of(read.note)
