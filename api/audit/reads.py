"""The one way a route reads a patient's medical data: the read and its audit rows together.

Every read is recorded, whoever reads: a clinician, the patient, a guardian, the assistant.
A refusal (403) is recorded too, in a transaction of its own. A 404 is not: no row was
reached, and which ids exist is exactly what a 404 hides from the caller.

A list is recorded as one row per item returned rather than one row per request: the items
of one list belong to different patients (a guardian's list holds their children's rows, a
doctor's queue holds everyone's), and each patient's access log and data export then find
their own rows by `patient_id` alone, with no list of ids to search.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.audit import service
from api.audit.models import ActorRole, AuditOutcome, Purpose
from api.core.deps import CurrentPrincipal, DbSession, Now
from api.core.errors import Forbidden
from api.identity.tokens import Principal

Reader = TypeVar("Reader")
Row = TypeVar("Row")
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Whose:
    """One row a read returned, and the patient whose data it is."""

    subject_id: uuid.UUID
    patient_id: uuid.UUID


@dataclass(frozen=True)
class MedicalRead(Generic[Reader, Row]):
    """What a route reads, whom it serves and why: declared once, next to the route."""

    action: str
    subject_type: str
    # Turns the caller into the reader the route serves; raises Forbidden for anyone else.
    reader: Callable[[Principal, AsyncSession], Awaitable[Reader]]
    # The role the route serves (patient routes also serve the assistant), and why it reads.
    role: ActorRole
    purpose: Purpose
    whose: Callable[[Row], Whose]
    # Whose a refused subject id is, so that the refusal shows in that patient's log.
    owner: service.Owner | None = None


def purpose_of(
    read: MedicalRead[Reader, Row], actor: service.Actor, patient_id: uuid.UUID | None
) -> Purpose:
    """Why this actor reads this patient's row through this route."""
    if actor.role is ActorRole.ASSISTANT and read.role is ActorRole.PATIENT:
        return Purpose.ASSISTANT
    if actor.role is not read.role:
        return Purpose.NONE
    if actor.role is ActorRole.PATIENT and patient_id not in (None, actor.id):
        return Purpose.GUARDIAN
    return read.purpose


class MedicalReads:
    """One request's reads of medical data, each recorded with the request's own work."""

    def __init__(
        self,
        *,
        principal: Principal,
        session: AsyncSession,
        sessionmaker: async_sessionmaker[AsyncSession],
        now: dt.datetime,
    ) -> None:
        self._principal = principal
        self._actor = service.Actor.of(principal)
        self._session = session
        self._sessionmaker = sessionmaker
        self._now = now

    async def one(
        self,
        read: MedicalRead[Reader, Row],
        *,
        subject_id: uuid.UUID,
        fetch: Callable[[Reader], Awaitable[Row]],
    ) -> Row:
        """Read one row and record the read.

        The row is recorded under ``subject_id``, the id the route was called with, so that
        a grant and a refusal of the same request name the same subject.
        """
        row = await self._guarded(read, subject_id, fetch)
        whose = read.whose(row)
        attempt = self._attempt(read, subject_id, whose.patient_id)
        await service.record(
            session=self._session, attempts=[attempt], outcome=AuditOutcome.GRANTED
        )
        return row

    async def many(
        self, read: MedicalRead[Reader, Row], *, fetch: Callable[[Reader], Awaitable[Sequence[Row]]]
    ) -> list[Row]:
        """Read a list and record a read of each row in it."""
        rows = list(await self._guarded(read, None, fetch))
        attempts = []
        for row in rows:
            whose = read.whose(row)
            attempts.append(self._attempt(read, whose.subject_id, whose.patient_id))
        await service.record(session=self._session, attempts=attempts, outcome=AuditOutcome.GRANTED)
        return rows

    async def _guarded(
        self,
        read: MedicalRead[Reader, Row],
        subject_id: uuid.UUID | None,
        fetch: Callable[[Reader], Awaitable[Result]],
    ) -> Result:
        try:
            reader = await read.reader(self._principal, self._session)
            return await fetch(reader)
        except Forbidden:
            # This request's work is void; end it first so that the audit's own transaction
            # does not wait on its lock (SQLite has one writer).
            await self._session.rollback()
            await service.record_denied(
                sessionmaker=self._sessionmaker,
                attempt=self._attempt(read, subject_id, None),
                owner=read.owner,
            )
            raise

    def _attempt(
        self,
        read: MedicalRead[Reader, Row],
        subject_id: uuid.UUID | None,
        patient_id: uuid.UUID | None,
    ) -> service.Attempt:
        return service.Attempt(
            actor=self._actor,
            action=read.action,
            subject_type=read.subject_type,
            subject_id=subject_id,
            patient_id=patient_id,
            purpose=purpose_of(read, self._actor, patient_id),
            at=self._now,
        )


async def get_medical_reads(
    principal: CurrentPrincipal, session: DbSession, now: Now, request: Request
) -> MedicalReads:
    """The request's audited reads (async: a plain def would be run in a worker thread)."""
    return MedicalReads(
        principal=principal,
        session=session,
        sessionmaker=request.app.state.sessionmaker,
        now=now,
    )


AuditedReads = Annotated[MedicalReads, Depends(get_medical_reads)]
