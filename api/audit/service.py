"""Writing the audit log. A refusal is recorded in its own transaction: the request's own
unit of work is rolled back when it raises, and the record of the attempt must survive."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.audit.models import AuditEvent, AuditOutcome
from api.identity.tokens import Role


async def record(
    *,
    session: AsyncSession,
    actor_role: Role,
    actor_id: uuid.UUID,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID,
    outcome: AuditOutcome,
    now: dt.datetime,
) -> None:
    session.add(
        AuditEvent(
            at=now,
            actor_role=actor_role.value,
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            outcome=outcome,
        )
    )
    await session.flush()


async def record_denied(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    actor_role: Role,
    actor_id: uuid.UUID,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID,
    now: dt.datetime,
) -> None:
    async with sessionmaker() as session:
        await record(
            session=session,
            actor_role=actor_role,
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            outcome=AuditOutcome.DENIED,
            now=now,
        )
        await session.commit()


async def events_about(*, session: AsyncSession, subject_id: uuid.UUID) -> list[AuditEvent]:
    rows = await session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == subject_id).order_by(AuditEvent.at)
    )
    return list(rows)
