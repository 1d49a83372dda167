"""Writing and reading the audit log. A refusal is recorded in its own transaction: the
request's own unit of work is rolled back when it raises, and the record of the attempt must
survive."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.audit.models import ActorRole, AuditEvent, AuditOutcome, Purpose
from api.identity.tokens import Principal

# Whose data a subject row is (None when there is no such row): a refusal happens before
# the row is read, so its record looks the owner up on its own.
Owner = Callable[[AsyncSession, uuid.UUID], Awaitable[uuid.UUID | None]]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who reads: a role and, for people, their row id."""

    role: ActorRole
    id: uuid.UUID | None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        # The action server's calls carry the conversation's patient as their subject, but
        # the reader is the assistant, and the patient must be able to tell the two apart.
        if principal.conversation_id is not None:
            return cls(ActorRole.ASSISTANT, None)
        return cls(ActorRole(principal.role.value), principal.subject)


@dataclass(frozen=True, slots=True)
class Attempt:
    """Who tried to read what of whose, why, and when."""

    actor: Actor
    action: str
    subject_type: str
    subject_id: uuid.UUID | None
    patient_id: uuid.UUID | None
    purpose: Purpose
    at: dt.datetime


def _row(attempt: Attempt, outcome: AuditOutcome) -> AuditEvent:
    return AuditEvent(
        at=attempt.at,
        actor_role=attempt.actor.role.value,
        actor_id=attempt.actor.id,
        action=attempt.action,
        subject_type=attempt.subject_type,
        subject_id=attempt.subject_id,
        patient_id=attempt.patient_id,
        purpose=attempt.purpose,
        outcome=outcome,
    )


async def record(
    *, session: AsyncSession, attempts: Iterable[Attempt], outcome: AuditOutcome
) -> None:
    """Add the attempts to the caller's unit of work: they commit with the read, or not at all."""
    session.add_all([_row(attempt, outcome) for attempt in attempts])
    await session.flush()


async def record_denied(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    attempt: Attempt,
    owner: Owner | None = None,
) -> None:
    """Record a refusal in a transaction of its own, naming the patient when the row exists."""
    async with sessionmaker() as session:
        if attempt.patient_id is None and attempt.subject_id is not None and owner is not None:
            patient_id = await owner(session, attempt.subject_id)
            attempt = dataclasses.replace(attempt, patient_id=patient_id)
        await record(session=session, attempts=[attempt], outcome=AuditOutcome.DENIED)
        await session.commit()


async def events_about(*, session: AsyncSession, subject_id: uuid.UUID) -> list[AuditEvent]:
    """Every attempt on one row, oldest first."""
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_id == subject_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(rows)


async def reads_of_patient(*, session: AsyncSession, patient_id: uuid.UUID) -> list[AuditEvent]:
    """Every read of (and refused attempt on) one patient's medical data, oldest first."""
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.patient_id == patient_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(rows)


async def newest_reads_of_patient(
    *, session: AsyncSession, patient_id: uuid.UUID, limit: int, offset: int
) -> list[AuditEvent]:
    """One page of the patient's audit rows, newest first."""
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.patient_id == patient_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows)
