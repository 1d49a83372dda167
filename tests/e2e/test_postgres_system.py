"""The whole system on PostgreSQL: the app's store and Rasa's tracker store both there."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql

from tests.support.postgres import POSTGRES_URL, throwaway_schema
from tools.system import RunningSystem

pytestmark = pytest.mark.e2e


def test_system_runs_on_postgresql() -> None:
    with throwaway_schema() as (schema, url), tempfile.TemporaryDirectory() as var:
        system = RunningSystem(var_dir=Path(var), database_url=url)
        system.start()
        try:
            health = httpx.get(f"{system.api}/api/v1/health", timeout=10).json()
            assert health["status"] == "ok"
            assert health["checks"]["database"]["detail"]["backend"] == "postgresql"
            reply = httpx.post(f"{system.api}/api/v1/chat", json={"text": "hei"}, timeout=30)
            conversation = reply.json()["conversation_id"]
        finally:
            assert system.stop() == 0
        with psycopg.connect(POSTGRES_URL) as connection:
            tables = {
                row[0]
                for row in connection.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                    (schema,),
                )
            }
            # Rasa's tracker store wrote the conversation into the same schema.
            senders = {
                row[0]
                for row in connection.execute(
                    sql.SQL("SELECT sender_id FROM {}.events").format(sql.Identifier(schema))
                )
            }
        assert {"patients", "clinicians", "alembic_version", "events"} <= tables
        assert conversation in senders
    assert not (Path(var) / "rasa_tracker.db").exists()
