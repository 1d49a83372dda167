"""Page routes: the chat page at `/`, its files under `/static/`, the video room's address."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from api.core.errors import NotFound
from api.web.headers import PAGE_HEADERS

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).parent / "static"
PAGES_DIR = Path(__file__).parent / "pages"
# Read once at import, not from the disk inside an async route.
VIDEO_PENDING_PAGE = (PAGES_DIR / "video-pending.html").read_text(encoding="utf-8")
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
    return FileResponse(
        STATIC_DIR / "index.html", media_type=MEDIA_TYPES[".html"], headers=PAGE_HEADERS
    )


@router.get("/static/{relative:path}")
async def static_asset(relative: str) -> FileResponse:
    path = static_file(relative)
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=PAGE_HEADERS)


@router.get("/video/{appointment_id}")
async def video_room(appointment_id: uuid.UUID) -> HTMLResponse:
    """Where "Join video" leads. The video issue (issue 6) replaces this with the room.

    Until then it says so with 501 Not Implemented, rather than pretending to connect.
    """
    return HTMLResponse(VIDEO_PENDING_PAGE, status_code=501, headers=PAGE_HEADERS)
