"""The medicine lookup the assistant uses before asking for consent."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    ("text", "substance"),
    [("levaxin", "levothyroxine"), ("Levaxin 50", "levothyroxine"), ("ventolin", "salbutamol")],
)
async def test_known_medicines_are_matched(
    client: httpx.AsyncClient, text: str, substance: str
) -> None:
    response = await client.get("/api/v1/medications/match", params={"q": text})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["substance"] == substance
    assert substance in body["names"]


async def test_unknown_and_garbage_are_refused_politely(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/api/v1/medications/match", params={"q": "qwxzzy"})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_medication"
    assert (await client.get("/api/v1/medications/match")).status_code == 422
    too_long = await client.get("/api/v1/medications/match", params={"q": "x" * 201})
    assert too_long.status_code == 422
    emoji = await client.get("/api/v1/medications/match", params={"q": "💊💊"})
    assert emoji.status_code == 422
