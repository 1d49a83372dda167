"""What the privacy routes answer."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel

from api.privacy.models import DataExport, ErasureRequest


class ErasureOut(BaseModel):
    id: uuid.UUID
    requested_at: dt.datetime
    due_at: dt.datetime
    completed_at: dt.datetime | None
    # The written confirmation: what was erased, and when (set once done).
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


class ExportOut(BaseModel):
    """A request for a copy of the patient's data; downloadable until ``expires_at``."""

    id: uuid.UUID
    requested_via: str
    requested_at: dt.datetime
    expires_at: dt.datetime
    downloaded_at: dt.datetime | None
    downloads: int
    # The API route the archive is fetched from (with the patient's own login).
    download_path: str
    # The page where the patient downloads it (what the assistant points them to).
    page_url: str

    @classmethod
    def of(cls, row: DataExport, *, public_url: str) -> ExportOut:
        return cls(
            id=row.id,
            requested_via=row.requested_via,
            requested_at=row.requested_at,
            expires_at=row.expires_at,
            downloaded_at=row.downloaded_at,
            downloads=row.downloads,
            download_path=f"/api/v1/privacy/exports/{row.id}/download",
            page_url=f"{public_url.rstrip('/')}/privacy",
        )
