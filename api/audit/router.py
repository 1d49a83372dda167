"""The patient's access log: who read their medical data, and who was refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.audit import access_log
from api.audit.schemas import AccessLogEntryOut
from api.core.deps import CurrentPatient, CurrentPrincipal, DbSession
from api.core.errors import Forbidden

router = APIRouter(prefix="/api/v1/privacy", tags=["privacy"])

MAX_PAGE = 100
# Far beyond any real log; a bound keeps a garbage offset from becoming a slow scan.
MAX_OFFSET = 100_000


@router.get("/access-log")
async def read_access_log(
    principal: CurrentPrincipal,
    patient: CurrentPatient,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")] = 0,
) -> list[AccessLogEntryOut]:
    """Who read the caller's medical data, newest first (the patient themself only)."""
    if principal.conversation_id is not None:
        # The assistant acts for the patient, but the log of who read is for their own eyes.
        raise Forbidden("Only you can see who read your data, on the privacy page.")
    lines = await access_log.for_patient(
        session=session, patient_id=patient.id, limit=limit, offset=offset
    )
    return [AccessLogEntryOut.of(line) for line in lines]
