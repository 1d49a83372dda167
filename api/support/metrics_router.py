"""Deflection figures for support staff: `GET /api/v1/support/metrics`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.core.deps import CurrentSupport, DbSession, Now, PolicyDep, TrackerStoreDep
from api.support import metrics_service
from api.support.metrics_schemas import MetricsOut, MetricsQuery

router = APIRouter(prefix="/api/v1/support", tags=["support"])


@router.get("/metrics")
async def deflection_metrics(
    _agent: CurrentSupport,
    query: Annotated[MetricsQuery, Query()],
    session: DbSession,
    tracker: TrackerStoreDep,
    policy: PolicyDep,
    now: Now,
) -> MetricsOut:
    """Conversations, containment, handoffs, abandonment, re-contact, FAQ answers by topic
    and unanswered messages, per Oslo day and channel (support staff only)."""
    report = await metrics_service.report(
        session=session,
        tracker=tracker,
        policy=policy,
        first_day=query.from_,
        last_day=query.to,
        channel=query.channel,
        now=now,
    )
    return MetricsOut.of(report, timezone=policy.timezone)
