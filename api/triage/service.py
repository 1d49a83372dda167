"""Symptom checks: triage for anyone, stored for patients, read by the treating clinician."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.clinicians.models import Clinician
from api.core.errors import DomainError, NotFound
from api.patients.models import Patient
from api.patients.service import actable_ids, get_actable
from api.policy.rules import ClinicPolicy
from api.scheduling.models import Appointment, AppointmentStatus
from api.triage.errors import (
    AlreadyAttached,
    ConsultClosed,
    NotTheSamePatient,
    NotTreatingClinician,
)
from api.triage.models import SymptomCheck
from api.triage.rules import Triage, triage
from api.triage.schemas import SymptomCheckIn

# A symptom check is for a consult still to come (or under way).
OPEN_CONSULT = (AppointmentStatus.WAITLIST, AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)


@dataclass(frozen=True, slots=True)
class Assessment:
    """A triage, and the stored check when the caller is a logged-in patient."""

    triage: Triage
    check: SymptomCheck | None


async def create(
    *,
    session: AsyncSession,
    actor: Patient | None,
    answers: SymptomCheckIn,
    policy: ClinicPolicy,
    now: dt.datetime,
) -> Assessment:
    """Triage the answers; keep them for a logged-in patient's treating clinician only.

    Anonymous callers get the same triage, and nothing is stored. A guardian answering for a
    child names the child with ``patient_id``; anyone else's id is 404.
    """
    result = triage(answers, policy=policy)
    if actor is None:
        return Assessment(triage=result, check=None)
    subject: Patient | None = None
    if answers.for_child and answers.patient_id is not None:
        subject = await get_actable(
            session=session,
            actor=actor,
            patient_id=answers.patient_id,
            today=policy.local(now).date(),
            policy=policy,
        )
        if subject.id == actor.id:
            raise DomainError(
                "This check is marked as being for a child; please choose the child, or answer "
                "for yourself.",
                code="not_a_child",
            )
    row = SymptomCheck(
        patient_id=actor.id,
        subject_patient_id=subject.id if subject else None,
        created_at=now,
        answers=answers.model_dump(mode="json"),
        level=result.level,
        reasons=[reason.value for reason in result.reasons],
        red_flags=[flag.value for flag in result.red_flags],
    )
    session.add(row)
    await session.flush()
    return Assessment(triage=result, check=row)


async def _visible(
    *,
    session: AsyncSession,
    actor: Patient,
    check_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
    lock: bool = False,
) -> SymptomCheck:
    ids = await actable_ids(
        session=session, actor=actor, today=policy.local(now).date(), policy=policy
    )
    subject = func.coalesce(SymptomCheck.subject_patient_id, SymptomCheck.patient_id)
    query = select(SymptomCheck).where(SymptomCheck.id == check_id, subject.in_(ids))
    row = await session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound("No such symptom check.")
    return row


async def get_for_patient(
    *,
    session: AsyncSession,
    actor: Patient,
    check_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> SymptomCheck:
    """One check about the actor or a child they may act for; anyone else's is 404."""
    return await _visible(session=session, actor=actor, check_id=check_id, now=now, policy=policy)


async def attach_to_appointment(
    *,
    session: AsyncSession,
    actor: Patient,
    check_id: uuid.UUID,
    appointment_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> SymptomCheck:
    """Hand a check to a consult of the same patient; a check attaches once.

    Attaching again to the same consult changes nothing; to another one is 409.
    """
    row = await _visible(
        session=session, actor=actor, check_id=check_id, now=now, policy=policy, lock=True
    )
    ids = await actable_ids(
        session=session, actor=actor, today=policy.local(now).date(), policy=policy
    )
    appointment = await session.scalar(
        select(Appointment).where(Appointment.id == appointment_id, Appointment.patient_id.in_(ids))
    )
    if appointment is None:
        raise NotFound("No such booking.")
    if row.appointment_id == appointment.id:
        return row
    if row.appointment_id is not None:
        raise AlreadyAttached()
    # A check about a child who is not linked to the account has no patient to match.
    about_unnamed_child = row.answers.get("for_child") and row.subject_patient_id is None
    if about_unnamed_child or row.subject_id != appointment.patient_id:
        raise NotTheSamePatient()
    if appointment.status not in OPEN_CONSULT:
        raise ConsultClosed()
    row.appointment_id = appointment.id
    await session.flush()
    return row


async def get_for_clinician(
    *, session: AsyncSession, clinician: Clinician, appointment_id: uuid.UUID
) -> SymptomCheck:
    """The newest check handed to a consult; only the consult's own clinician may read it."""
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound("No such consult.")
    if appointment.clinician_id != clinician.id:
        raise NotTreatingClinician()
    row = await session.scalar(
        select(SymptomCheck)
        .where(SymptomCheck.appointment_id == appointment.id)
        .order_by(SymptomCheck.created_at.desc(), SymptomCheck.id)
        .limit(1)
    )
    if row is None:
        raise NotFound("No symptom check was handed to this consult.")
    return row


async def patient_of_check(session: AsyncSession, check_id: uuid.UUID) -> uuid.UUID | None:
    """Whom a check is about (None if there is no such check): for the audit of a refusal."""
    row = await session.get(SymptomCheck, check_id)
    return row.subject_id if row else None


async def patient_of_consult(session: AsyncSession, appointment_id: uuid.UUID) -> uuid.UUID | None:
    """Whose consult this is (None if there is no such consult): for the audit of a refusal."""
    appointment = await session.get(Appointment, appointment_id)
    return appointment.patient_id if appointment else None
