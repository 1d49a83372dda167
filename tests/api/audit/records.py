"""The audit log as tests read it: rows from the store, and callers' headers."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.audit import service as audit
from api.audit.models import AuditEvent
from api.core.db import create_sessionmaker

# (actor_role, actor_id, action, subject_type, subject_id, patient_id, purpose, outcome)
Summary = tuple[str, str | None, str, str, str | None, str | None, str, str]


def _text(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def summary(event: AuditEvent) -> Summary:
    return (
        event.actor_role,
        _text(event.actor_id),
        event.action,
        event.subject_type,
        _text(event.subject_id),
        _text(event.patient_id),
        event.purpose.value,
        event.outcome.value,
    )


async def of_patient(engine: AsyncEngine, patient_id: str | uuid.UUID) -> list[Summary]:
    """Everything recorded about one patient, oldest first."""
    async with create_sessionmaker(engine)() as session:
        events = await audit.reads_of_patient(
            session=session, patient_id=uuid.UUID(str(patient_id))
        )
    return [summary(event) for event in events]


async def on_subject(engine: AsyncEngine, subject_id: str | uuid.UUID) -> list[Summary]:
    """Everything recorded about one row, oldest first."""
    async with create_sessionmaker(engine)() as session:
        events = await audit.events_about(session=session, subject_id=uuid.UUID(str(subject_id)))
    return [summary(event) for event in events]


async def by_actor(engine: AsyncEngine, actor_id: str | uuid.UUID) -> list[Summary]:
    """Everything one person was recorded doing."""
    async with create_sessionmaker(engine)() as session:
        events = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.actor_id == uuid.UUID(str(actor_id)))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        return [summary(event) for event in events]


async def count(engine: AsyncEngine) -> int:
    async with create_sessionmaker(engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def assistant(app: FastAPI, patient_id: str | uuid.UUID) -> dict[str, str]:
    """The action server's headers in a logged-in patient's conversation."""
    token = app.state.settings.actions.service_token.get_secret_value()
    conversation = f"patient-{uuid.UUID(str(patient_id)).hex}"
    return {"Authorization": f"Bearer {token}", "X-Conversation-ID": conversation}


def ids(rows: list[dict[str, Any]]) -> set[str]:
    return {str(row["id"]) for row in rows}
