"""Greeting action against a stand-in API served by aiohttp on a real socket.

Runs in Rasa's venv (Python 3.10). The real API is used in tests/e2e.
"""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client
from actions.greeting import ANONYMOUS_GREETING, ActionGreet, greeting_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tracker(sender: str, request_id: str | None = "req-123456789") -> Tracker:
    metadata = {"request_id": request_id} if request_id else {}
    return Tracker(
        sender_id=sender,
        slots={},
        latest_message={"text": "hi", "intent": {"name": "greet"}, "metadata": metadata},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@contextlib.asynccontextmanager
async def _stand_in_api(handler: Any) -> AsyncIterator[int]:
    """Serve ``handler`` at the internal conversation route; yields the port."""
    app = web.Application()
    app.router.add_get("/api/v1/internal/conversations/{cid}/patient", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port
    finally:
        await runner.cleanup()


async def _run_greeting(monkeypatch: Any, api_port: int, sender: str) -> list[dict[str, Any]]:
    monkeypatch.setenv("ACTIONS_API_URL", f"http://127.0.0.1:{api_port}")
    monkeypatch.setenv("ACTIONS_SERVICE_TOKEN", "svc-token")
    monkeypatch.setenv("ACTIONS_API_TIMEOUT_SECONDS", "2")
    await api_client.close_api_client()
    dispatcher = CollectingDispatcher()
    try:
        events = await ActionGreet().run(dispatcher, _tracker(sender), {})
    finally:
        await api_client.close_api_client()
    assert events == []
    return dispatcher.messages


def test_greeting_text() -> None:
    assert greeting_for(None) == ANONYMOUS_GREETING
    assert greeting_for("") == ANONYMOUS_GREETING
    assert greeting_for("Kari").startswith("Hi Kari!")


def test_greets_the_patient_the_api_names(monkeypatch: Any) -> None:
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(
            {
                "path": request.path,
                "auth": request.headers.get("Authorization", ""),
                "request_id": request.headers.get("X-Request-ID", ""),
            }
        )
        return web.json_response({"patient": {"given_name": "Kari"}})

    async def scenario() -> list[dict[str, Any]]:
        async with _stand_in_api(handler) as port:
            return await _run_greeting(monkeypatch, port, "patient-" + "a" * 32)

    messages = asyncio.run(scenario())
    assert messages[0]["text"].startswith("Hi Kari!")
    assert seen == [
        {
            "path": "/api/v1/internal/conversations/patient-" + "a" * 32 + "/patient",
            "auth": "Bearer svc-token",
            "request_id": "req-123456789",
        }
    ]


def test_api_down_still_greets(monkeypatch: Any) -> None:
    messages = asyncio.run(_run_greeting(monkeypatch, _free_port(), "anon-" + "b" * 32))
    assert messages[0]["text"] == ANONYMOUS_GREETING


def test_api_refusal_still_greets(monkeypatch: Any) -> None:
    async def refuse(_request: web.Request) -> web.Response:
        return web.json_response({"code": "not_authenticated", "message": "no"}, status=401)

    async def scenario() -> list[dict[str, Any]]:
        async with _stand_in_api(refuse) as port:
            return await _run_greeting(monkeypatch, port, "patient-" + "c" * 32)

    assert asyncio.run(scenario())[0]["text"] == ANONYMOUS_GREETING
