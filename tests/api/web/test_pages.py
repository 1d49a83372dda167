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
    index = (STATIC_DIR / "index.html").read_text()
    for reference in _REFERENCE.findall(index):
        assert reference.startswith(("/static/", "data:")), reference
        if reference.startswith("/static/"):
            assert (await client.get(reference)).status_code == 200, reference
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


async def test_join_video_leads_to_an_honest_placeholder(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/video/{uuid.uuid4()}")
    # Not Implemented until the video issue serves the room here: no pretend connection.
    assert response.status_code == 501
    assert "not available yet" in response.text
    assert (await client.get("/video/not-an-id")).status_code == 422


async def test_pages_stay_out_of_the_api_schema(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/" not in paths and "/video/{appointment_id}" not in paths
    assert "/api/v1/chat/history" in paths and "/api/v1/auth/config" in paths
