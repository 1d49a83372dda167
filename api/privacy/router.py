"""Erasure requests."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter, status
from pydantic import BaseModel

from api.core.deps import CurrentPatient, DbSession, Now, PolicyDep
from api.privacy import service
from api.privacy.models import ErasureRequest

router = APIRouter(prefix="/api/v1/privacy", tags=["privacy"])


class ErasureOut(BaseModel):
    id: uuid.UUID
    requested_at: dt.datetime
    due_at: dt.datetime
    completed_at: dt.datetime | None
    confirmation: str | None

    @classmethod
    def of(cls, row: ErasureRequest) -> ErasureOut:
        return cls(
            id=row.id,
            requested_at=row.requested_at,
            due_at=row.due_at,
            completed_at=row.completed_at,
            confirmation=row.confirmation,
        )


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
