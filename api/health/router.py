"""GET /api/v1/health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.health import service

router = APIRouter(prefix="/api/v1", tags=["health"])


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    """200 when the database, Rasa and the action server all answer; 503 otherwise."""
    state = request.app.state
    report = await service.check_all(
        engine=state.engine,
        rasa=state.rasa,
        http=state.http,
        actions_url=state.settings.actions.url,
    )
    return JSONResponse(report.model_dump(), status_code=200 if report.status == "ok" else 503)
