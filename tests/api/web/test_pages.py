"""The chat page and its files: served from this origin only, with a strict policy."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from api.web.router import STATIC_DIR

# Anything the page loads: src/href attributes and JavaScript module imports.
_REFERENCE = re.compile(r'(?:src|href)="([^"]+)"')
_IMPORT = re.compile(r'^\s*import\s.*?from\s+"([^"]+)";', re.MULTILINE | re.DOTALL)


async def test_the_page_is_served_at_the_root(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert '<script type="module" src="/static/js/main.js">' in response.text


async def test_everything_the_page_loads_is_local_and_exists(client: httpx.AsyncClient) -> None:
    """No CDN: every file is ours, served by the API, and every reference resolves."""
    for page in ("index.html", "video.html", "console.html"):
        for reference in _REFERENCE.findall((STATIC_DIR / page).read_text()):
            # Ours only: static files, inline data, or the chat page's own address.
            assert reference == "/" or reference.startswith(("/static/", "data:")), reference
            if reference.startswith("/static/"):
                assert (await client.get(reference)).status_code == 200, (page, reference)
    scripts = sorted((STATIC_DIR / "js").glob("*.js"))
    assert scripts
    for script in scripts:
        source = script.read_text()
        assert "http://" not in source and "https://" not in source, script.name
        for target in _IMPORT.findall(source):
            assert target.startswith("./"), (script.name, target)
            assert (script.parent / target).is_file(), (script.name, target)
        served = await client.get(f"/static/js/{script.name}")
        assert served.status_code == 200
        assert served.headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize(
    "path",
    [
        "/static/../router.py",
        "/static/%2e%2e/router.py",
        "/static/js/../../headers.py",
        "/static/missing.js",
        "/static/js",
    ],
)
async def test_nothing_outside_the_static_files_is_served(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert "import" not in response.text


@pytest.mark.parametrize(
    ("path", "script"),
    [(f"/video/{uuid.uuid4()}", "video.js"), ("/console", "console.js")],
)
async def test_the_video_page_and_the_console_are_served(
    client: httpx.AsyncClient, path: str, script: str
) -> None:
    """Any consult id gets the page; whether it is the caller's is the API's to say."""
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert f'<script type="module" src="/static/js/{script}">' in response.text


async def test_a_video_address_needs_a_consult_id(client: httpx.AsyncClient) -> None:
    assert (await client.get("/video/not-an-id")).status_code == 422


async def test_pages_stay_out_of_the_api_schema(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/" not in paths and "/video/{appointment_id}" not in paths and "/console" not in paths
    assert "/api/v1/chat/history" in paths and "/api/v1/auth/config" in paths
