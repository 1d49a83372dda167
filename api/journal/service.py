"""The journal note of a consult: written by its own clinician only."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.clinicians.models import Clinician
from api.core.errors import Conflict, NotFound
from api.journal.models import JournalNote
from api.scheduling import consults
from api.scheduling.models import Appointment, AppointmentStatus


async def save(
    *,
    session: AsyncSession,
    clinician: Clinician,
    appointment_id: uuid.UUID,
    text: str,
    now: dt.datetime,
) -> JournalNote:
    appointment = await consults.own(session, clinician, appointment_id)
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.WAITLIST):
        raise Conflict(
            f"A consult that is {appointment.status.value} has no journal note.",
            code="no_consult_to_note",
        )
    note = await session.get(JournalNote, appointment.id)
    if note is None:
        note = JournalNote(
            appointment_id=appointment.id, clinician_id=clinician.id, text=text, created_at=now
        )
        session.add(note)
    note.text = text
    note.updated_at = now
    await session.flush()
    return note


@dataclass(frozen=True, slots=True)
class PatientsNote:
    """A note and the patient it is about (the note names only the consult)."""

    note: JournalNote
    patient_id: uuid.UUID


async def get(
    *, session: AsyncSession, clinician: Clinician, appointment_id: uuid.UUID
) -> PatientsNote:
    """The consult's note, for the consult's own clinician; anyone else's consult is 404."""
    appointment = await consults.own(session, clinician, appointment_id)
    note = await session.get(JournalNote, appointment.id)
    if note is None:
        raise NotFound("No journal note has been written for this consult.")
    return PatientsNote(note=note, patient_id=appointment.patient_id)


async def patient_of(session: AsyncSession, appointment_id: uuid.UUID) -> uuid.UUID | None:
    """Whose consult's note this is (None if there is no such consult): for the audit of a
    refusal."""
    appointment = await session.get(Appointment, appointment_id)
    return appointment.patient_id if appointment else None
