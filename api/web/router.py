"""Page routes: the chat page at `/`, the video consult at `/video/{id}`, the clinician
console at `/console`, and their files under `/static/`."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.core.errors import NotFound
from api.web.headers import PAGE_HEADERS

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).parent / "static"
# Only these kinds of file are served; anything else under static/ stays private.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


def static_file(relative: str) -> Path:
    """The file under static/ that ``relative`` names; NotFound for anything outside it."""
    path = (STATIC_DIR / relative).resolve()
    if (
        not path.is_relative_to(STATIC_DIR.resolve())
        or path.suffix not in MEDIA_TYPES
        or not path.is_file()
    ):
        raise NotFound("Not found.")
    return path


@router.get("/")
async def chat_page() -> FileResponse:
    """The patient chat page (it also receives the login's redirect)."""
    return page("index.html")


@router.get("/static/{relative:path}")
async def static_asset(relative: str) -> FileResponse:
    path = static_file(relative)
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=PAGE_HEADERS)


def page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type=MEDIA_TYPES[".html"], headers=PAGE_HEADERS)


@router.get("/video/{appointment_id}")
async def video_room(appointment_id: uuid.UUID) -> FileResponse:
    """The patient's video consult; the page asks the API whether this consult is theirs."""
    return page("video.html")


@router.get("/console")
async def clinician_console() -> FileResponse:
    """The clinicians' console: today's consults, the queues, the video room."""
    return page("console.html")


@router.get("/support")
async def support_inbox() -> FileResponse:
    """Support staff: conversations handed over by the assistant, and replies to them."""
    return page("support.html")


@router.get("/support/dashboard")
async def support_dashboard() -> FileResponse:
    """Support staff: what the assistant answered, handed over or could not answer."""
    return page("dashboard.html")


@router.get("/privacy")
async def privacy_page() -> FileResponse:
    """Patients: a copy of their data, erasure of non-medical data, who read their data."""
    return page("privacy.html")
