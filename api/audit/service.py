"""Writing the audit log. A refusal is recorded in its own transaction: the request's own
unit of work is rolled back when it raises, and the record of the attempt must survive."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.audit.models import AuditEvent, AuditOutcome
from api.identity.tokens import Role


@dataclass(frozen=True, slots=True)
class Attempt:
    """Who tried to do what to which row, and when."""

    actor_role: Role
    actor_id: uuid.UUID
    action: str
    subject_type: str
    subject_id: uuid.UUID
    at: dt.datetime


async def record(*, session: AsyncSession, attempt: Attempt, outcome: AuditOutcome) -> None:
    session.add(
        AuditEvent(
            at=attempt.at,
            actor_role=attempt.actor_role.value,
            actor_id=attempt.actor_id,
            action=attempt.action,
            subject_type=attempt.subject_type,
            subject_id=attempt.subject_id,
            outcome=outcome,
        )
    )
    await session.flush()


async def record_denied(
    *, sessionmaker: async_sessionmaker[AsyncSession], attempt: Attempt
) -> None:
    async with sessionmaker() as session:
        await record(session=session, attempt=attempt, outcome=AuditOutcome.DENIED)
        await session.commit()


async def events_about(*, session: AsyncSession, subject_id: uuid.UUID) -> list[AuditEvent]:
    rows = await session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == subject_id).order_by(AuditEvent.at)
    )
    return list(rows)
