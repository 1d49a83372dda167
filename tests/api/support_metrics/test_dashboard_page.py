"""The dashboard page is served with the pages' policy, and loads only our own files."""

from __future__ import annotations

import re

import httpx

from api.web.router import STATIC_DIR

_REFERENCE = re.compile(r'(?:src|href)="([^"]+)"')


async def test_the_dashboard_is_served_and_loads_only_local_files(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/support/dashboard")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert '<script type="module" src="/static/js/dashboard.js">' in response.text
    references = _REFERENCE.findall((STATIC_DIR / "dashboard.html").read_text())
    assert "/static/dashboard.css" in references
    for reference in references:
        # Ours only: static files, inline data, or another of our pages.
        assert reference.startswith(("/static/", "data:", "/support")), reference
        if reference.startswith("/static/"):
            assert (await client.get(reference)).status_code == 200, reference
    # No chart library: the plot is drawn by our own module.
    plot = (STATIC_DIR / "js" / "plot.js").read_text()
    assert "import " not in plot and "createElementNS(svg.namespaceURI" in plot
