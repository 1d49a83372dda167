"""Health report bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class DependencyState(BaseModel):
    ok: bool
    latency_ms: float
    error: str | None = None
    detail: dict[str, Any] = {}


class HealthReport(BaseModel):
    status: Literal["ok", "degraded"]
    checks: dict[str, DependencyState]
