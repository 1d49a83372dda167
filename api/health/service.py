"""Checks of each dependency, run concurrently with short timeouts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.chat.rasa_client import RasaClient, RasaUnavailable
from api.health.schemas import DependencyState, HealthReport

_CHECK_TIMEOUT = 3.0


async def _timed(check: Awaitable[dict[str, Any]]) -> DependencyState:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(check, timeout=_CHECK_TIMEOUT)
        ok, error = True, None
    except (TimeoutError, RasaUnavailable, httpx.HTTPError, OSError, RuntimeError) as exc:
        detail, ok, error = {}, False, f"{type(exc).__name__}: {exc}".rstrip(": ")
    except Exception as exc:  # a health check reports failures; it never raises them
        detail, ok, error = {}, False, type(exc).__name__
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return DependencyState(ok=ok, latency_ms=elapsed, error=error, detail=detail)


async def _database(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return {"backend": engine.dialect.name}


async def _rasa(rasa: RasaClient) -> dict[str, Any]:
    status = await rasa.status()
    model = status.get("model_file")
    if not model:
        raise RuntimeError("no model loaded")
    return {"model": str(model).rsplit("/", 1)[-1]}


async def _actions(http: httpx.AsyncClient, url: str) -> dict[str, Any]:
    response = await http.get(f"{url.rstrip('/')}/health", timeout=_CHECK_TIMEOUT)
    response.raise_for_status()
    return {}


async def check_all(
    *, engine: AsyncEngine, rasa: RasaClient, http: httpx.AsyncClient, actions_url: str
) -> HealthReport:
    """The state of the database, Rasa and the action server."""
    database, rasa_state, actions = await asyncio.gather(
        _timed(_database(engine)), _timed(_rasa(rasa)), _timed(_actions(http, actions_url))
    )
    checks = {"database": database, "rasa": rasa_state, "actions": actions}
    ok = all(state.ok for state in checks.values())
    return HealthReport(status="ok" if ok else "degraded", checks=checks)
