"""Journal note routes (the consult's own clinician)."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.core.deps import CurrentClinician, DbSession, Now
from api.journal import service
from api.journal.models import MAX_NOTE_CHARS, JournalNote

clinician_router = APIRouter(prefix="/api/v1/clinician", tags=["clinician"])


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
async def read_note(
    appointment_id: uuid.UUID, clinician: CurrentClinician, session: DbSession
) -> NoteOut:
    note = await service.get(session=session, clinician=clinician, appointment_id=appointment_id)
    return NoteOut.of(note)
