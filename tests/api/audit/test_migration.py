"""0011 fills in whose data the existing audit rows were about, and why they were read."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from api.core.db import UtcDateTime, create_engine
from api.core.settings import REPO_ROOT, DatabaseSettings
from tests.api import factories
from tests.support.postgres import throwaway_schema

BEFORE, AFTER = "0010", "0011_audit_purpose"
NOW = dt.datetime(2031, 1, 1, 12, tzinfo=dt.UTC)

patients = sa.table(
    "patients",
    sa.column("id", sa.Uuid()),
    sa.column("national_id", sa.String()),
    sa.column("birth_date", sa.Date()),
    sa.column("given_name", sa.String()),
    sa.column("family_name", sa.String()),
    sa.column("created_at", UtcDateTime()),
)
appointments = sa.table(
    "appointments",
    sa.column("id", sa.Uuid()),
    sa.column("patient_id", sa.Uuid()),
    sa.column("booked_by_id", sa.Uuid()),
    sa.column("service", sa.String()),
    sa.column("mode", sa.String()),
    sa.column("status", sa.String()),
    sa.column("price_ore", sa.Integer()),
    sa.column("created_at", UtcDateTime()),
)
events = sa.table(
    "audit_events",
    sa.column("id", sa.Uuid()),
    sa.column("at", UtcDateTime()),
    sa.column("actor_role", sa.String()),
    sa.column("actor_id", sa.Uuid()),
    sa.column("action", sa.String()),
    sa.column("subject_type", sa.String()),
    sa.column("subject_id", sa.Uuid()),
    sa.column("outcome", sa.String()),
    sa.column("patient_id", sa.Uuid()),
    sa.column("purpose", sa.String()),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.db'}"
        return
    with throwaway_schema() as (_schema, url):
        yield url


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    (command.downgrade if down else command.upgrade)(config, revision)


async def _run(url: str, *statements: sa.Executable) -> list[sa.Row[tuple[object, ...]]]:
    engine = create_engine(DatabaseSettings(DATABASE_URL=url))
    try:
        async with engine.begin() as connection:
            result = None
            for statement in statements:
                result = await connection.execute(statement)
            return list(result.all()) if result is not None and result.returns_rows else []
    finally:
        await engine.dispose()


def _event(role: str, actor: uuid.UUID, subject: uuid.UUID, outcome: str) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "at": NOW,
        "actor_role": role,
        "actor_id": actor,
        "action": "symptom_check.read",
        "subject_type": "appointment",
        "subject_id": subject,
        "outcome": outcome,
    }


def test_existing_rows_get_their_patient_and_purpose(empty_database: str) -> None:
    url = empty_database
    _migrate(url, BEFORE)
    patient, consult, doctor, agent = (uuid.uuid4() for _ in range(4))
    gone = uuid.uuid4()  # a consult no longer in the store
    number = factories.national_id()
    asyncio.run(
        _run(
            url,
            patients.insert().values(
                id=patient,
                national_id=number,
                birth_date=dt.date(1980, 1, 1),
                given_name="Kari",
                family_name="Nordmann",
                created_at=NOW,
            ),
            appointments.insert().values(
                id=consult,
                patient_id=patient,
                booked_by_id=patient,
                service="doctor",
                mode="drop_in",
                status="waitlist",
                price_ore=375_00,
                created_at=NOW,
            ),
            events.insert().values(
                [
                    _event("clinician", doctor, consult, "granted"),
                    _event("support", agent, consult, "denied"),
                    _event("clinician", doctor, gone, "denied"),
                ]
            ),
        )
    )

    _migrate(url, AFTER)
    select = sa.select(
        events.c.actor_role, events.c.subject_id, events.c.patient_id, events.c.purpose
    )
    rows = {
        (r.actor_role, r.subject_id): (r.patient_id, r.purpose)
        for r in asyncio.run(_run(url, select))
    }
    assert rows == {
        ("clinician", consult): (patient, "treating_clinician"),
        ("support", consult): (patient, "none"),
        ("clinician", gone): (None, "treating_clinician"),
    }

    # Down again: the assistant's rows (no actor id) cannot be kept; the others are.
    assistant_row = _event("assistant", doctor, consult, "granted") | {
        "actor_id": None,
        "patient_id": patient,
        "purpose": "assistant_on_behalf",
    }
    asyncio.run(_run(url, events.insert().values(**assistant_row)))
    _migrate(url, BEFORE, down=True)
    left = asyncio.run(_run(url, sa.select(events.c.actor_role, events.c.outcome)))
    assert sorted(left) == [
        ("clinician", "denied"),
        ("clinician", "granted"),
        ("support", "denied"),
    ]
