"""Privacy requests: a copy of the patient's data, and erasure of non-medical data."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from api.audit.reads import AuditedReads
from api.core.deps import (
    CurrentPatient,
    CurrentPrincipal,
    DbSession,
    Now,
    PolicyDep,
    SettingsDep,
    TrackerStoreDep,
)
from api.privacy import exports, service
from api.privacy.schemas import ErasureOut, ExportOut

router = APIRouter(prefix="/api/v1/privacy", tags=["privacy"])


@router.post("/erasure-requests", status_code=status.HTTP_201_CREATED)
async def request_erasure(
    patient: CurrentPatient, session: DbSession, policy: PolicyDep, now: Now
) -> ErasureOut:
    """Ask for non-medical data to be erased (done within 30 days, confirmed in writing)."""
    row = await service.request_erasure(session=session, actor=patient, now=now, policy=policy)
    return ErasureOut.of(row)


@router.get("/erasure-requests")
async def list_erasure_requests(patient: CurrentPatient, session: DbSession) -> list[ErasureOut]:
    return [ErasureOut.of(r) for r in await service.list_requests(session=session, actor=patient)]


@router.post(
    "/exports",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "An earlier request that can still be downloaded"}},
)
async def request_export(
    principal: CurrentPrincipal,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    settings: SettingsDep,
    now: Now,
    response: Response,
) -> ExportOut:
    """Ask for a copy of everything the clinic holds about you (downloaded on the page)."""
    row, created = await exports.request_export(
        session=session, actor=patient, principal=principal, now=now, policy=policy
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return ExportOut.of(row, public_url=settings.public_url)


@router.get("/exports")
async def list_exports(
    patient: CurrentPatient, session: DbSession, settings: SettingsDep
) -> list[ExportOut]:
    """Your recent requests for a copy, newest first."""
    rows = await exports.list_exports(session=session, actor=patient)
    return [ExportOut.of(row, public_url=settings.public_url) for row in rows]


@router.get(
    "/exports/{export_id}/download",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "The ZIP archive"}},
)
async def download_export(
    export_id: uuid.UUID,
    principal: CurrentPrincipal,
    patient: CurrentPatient,
    reads: AuditedReads,
    session: DbSession,
    tracker_store: TrackerStoreDep,
    policy: PolicyDep,
    now: Now,
) -> StreamingResponse:
    """The archive (JSON files and a README), built now and never stored; you alone."""
    built = await exports.download(
        session=session,
        reads=reads,
        tracker_store=tracker_store,
        principal=principal,
        actor=patient,
        export_id=export_id,
        now=now,
        policy=policy,
    )
    return StreamingResponse(
        built.chunks(),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{built.filename}"',
            "Content-Length": str(built.size),
            "Cache-Control": "no-store",
        },
        # Also when the client goes before the last byte: the temporary file goes too.
        background=BackgroundTask(built.close),
    )
