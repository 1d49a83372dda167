"""Privacy requests in the conversation, against a stand-in API on a real socket.

Runs in Rasa's venv (Python 3.10). The API's own side is tested in tests/api/privacy.
"""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client
from actions.common import LOGIN_NEEDED, UNREACHABLE
from actions.privacy import (
    ERASE_CONFIRMED,
    ERASURE,
    ERASURE_QUESTION,
    EXPORT,
    KEEP,
    KEPT,
    NOTHING_OPEN,
    PENDING,
    ActionPrivacyRequest,
    wanted,
)

PATIENT = "patient-" + "a" * 32
ANONYMOUS = "anon-" + "b" * 32
Seen = list[tuple[str, str, str]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tracker(
    sender: str = PATIENT,
    *,
    intent: str = "choose",
    choice: str | None = None,
    pending: str | None = None,
) -> Tracker:
    entities = [{"entity": "choice", "value": choice}] if choice is not None else []
    return Tracker(
        sender_id=sender,
        slots={PENDING: pending},
        latest_message={
            "text": f'/choose{{"choice": "{choice}"}}' if choice else "yes",
            "intent": {"name": intent},
            "entities": entities,
            "metadata": {"request_id": "req-privacy-1"},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@contextlib.asynccontextmanager
async def _stand_in_api(
    seen: Seen, answers: dict[str, tuple[int, dict[str, Any]]]
) -> AsyncIterator[int]:
    """The API's privacy routes; records (path, conversation id, token) of each call."""

    async def handler(request: web.Request) -> web.Response:
        seen.append(
            (
                request.path,
                request.headers.get("X-Conversation-ID", ""),
                request.headers.get("Authorization", ""),
            )
        )
        status, body = answers[request.path]
        return web.json_response(body, status=status)

    app = web.Application()
    for path in answers:
        app.router.add_post(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port
    finally:
        await runner.cleanup()


def _run(
    monkeypatch: Any, tracker: Tracker, answers: dict[str, tuple[int, Any]] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Seen]:
    seen: Seen = []

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        async with contextlib.AsyncExitStack() as stack:
            port = (
                await stack.enter_async_context(_stand_in_api(seen, answers))
                if answers is not None
                else _free_port()  # nothing listens: the API is down
            )
            monkeypatch.setenv("ACTIONS_API_URL", f"http://127.0.0.1:{port}")
            monkeypatch.setenv("ACTIONS_SERVICE_TOKEN", "svc-token")
            monkeypatch.setenv("ACTIONS_API_TIMEOUT_SECONDS", "2")
            await api_client.close_api_client()
            dispatcher = CollectingDispatcher()
            try:
                events = await ActionPrivacyRequest().run(dispatcher, tracker, {})
            finally:
                await api_client.close_api_client()
            return dispatcher.messages, events

    messages, events = asyncio.run(scenario())
    return messages, events, seen


EXPORTS = "/api/v1/privacy/exports"
ERASURES = "/api/v1/privacy/erasure-requests"
EXPORT_BODY = {
    "id": "3f1c2a8e-0000-4000-8000-000000000001",
    "page_url": "https://clinic.example/privacy",
    "expires_at": "2031-01-06T11:00:00Z",
}
ERASURE_BODY = {"id": "3f1c2a8e-0000-4000-8000-000000000002", "due_at": "2031-02-04T11:00:00Z"}


def test_which_request_the_message_makes() -> None:
    assert wanted(_tracker(choice=EXPORT)) == EXPORT
    assert wanted(_tracker(choice=ERASURE)) == ERASURE
    assert wanted(_tracker(choice=ERASE_CONFIRMED, pending=ERASURE)) == ERASE_CONFIRMED
    # A yes button from a question no longer open asks again; it never erases.
    assert wanted(_tracker(choice=ERASE_CONFIRMED)) == ERASURE
    assert wanted(_tracker(intent="affirm", pending=ERASURE)) == ERASE_CONFIRMED
    assert wanted(_tracker(intent="affirm")) is None
    assert wanted(_tracker(intent="deny", pending=ERASURE)) == KEEP
    assert wanted(_tracker(intent="deny")) is None
    assert wanted(_tracker(choice=KEEP)) is None
    assert wanted(_tracker(choice="doctor")) is None  # a button of another question
    assert wanted(_tracker()) is None


def test_a_copy_is_prepared_for_the_logged_in_patient(monkeypatch: Any) -> None:
    messages, events, seen = _run(
        monkeypatch, _tracker(choice=EXPORT), {EXPORTS: (201, EXPORT_BODY)}
    )
    assert seen == [(EXPORTS, PATIENT, "Bearer svc-token")]
    [message] = messages
    assert message["text"].startswith("Your copy is ready.")
    assert "https://clinic.example/privacy" in message["text"]
    assert "only you can download it" in message["text"]
    assert events == [SlotSet(PENDING, None)]


def test_anonymous_patients_are_asked_to_log_in_and_nothing_is_sent(monkeypatch: Any) -> None:
    for choice in (EXPORT, ERASURE):
        messages, events, seen = _run(
            monkeypatch,
            _tracker(ANONYMOUS, choice=choice),
            {EXPORTS: (201, EXPORT_BODY), ERASURES: (201, ERASURE_BODY)},
        )
        assert [m["text"] for m in messages] == [LOGIN_NEEDED]
        assert seen == []
        assert events == [SlotSet(PENDING, None)]


def test_erasure_is_asked_about_before_it_is_requested(monkeypatch: Any) -> None:
    answers = {ERASURES: (201, ERASURE_BODY)}
    messages, events, seen = _run(monkeypatch, _tracker(choice=ERASURE), answers)
    assert seen == []
    [question] = messages
    assert question["text"] == ERASURE_QUESTION
    assert [b["title"] for b in question["buttons"]] == ["Yes, erase my data", "No, keep it"]
    assert question["buttons"][0]["payload"] == f'/choose{{"choice": "{ERASE_CONFIRMED}"}}'
    assert events == [SlotSet(PENDING, ERASURE)]

    messages, events, seen = _run(
        monkeypatch, _tracker(choice=ERASE_CONFIRMED, pending=ERASURE), answers
    )
    assert seen == [(ERASURES, PATIENT, "Bearer svc-token")]
    [done] = messages
    assert done["text"].startswith("Your request is registered.")
    assert "04.02.2031" in done["text"] and "written confirmation" in done["text"]
    assert events == [SlotSet(PENDING, None)]


def test_a_typed_yes_or_no_answers_the_erasure_question(monkeypatch: Any) -> None:
    answers = {ERASURES: (201, ERASURE_BODY)}
    messages, _, seen = _run(monkeypatch, _tracker(intent="affirm", pending=ERASURE), answers)
    assert len(seen) == 1 and messages[0]["text"].startswith("Your request is registered.")
    messages, events, seen = _run(monkeypatch, _tracker(intent="deny", pending=ERASURE), answers)
    assert seen == [] and [m["text"] for m in messages] == [KEPT]
    assert events == [SlotSet(PENDING, None)]
    # A yes with no question open is nothing to act on.
    messages, _, seen = _run(monkeypatch, _tracker(intent="affirm"), answers)
    assert seen == [] and [m["text"] for m in messages] == [NOTHING_OPEN]


def test_the_apis_refusal_is_passed_on_in_its_words(monkeypatch: Any) -> None:
    refusal = {
        "code": "erasure_already_requested",
        "message": "You already have an erasure request in progress.",
    }
    messages, events, _ = _run(
        monkeypatch, _tracker(choice=ERASE_CONFIRMED, pending=ERASURE), {ERASURES: (409, refusal)}
    )
    assert [m["text"] for m in messages] == [refusal["message"]]
    assert events == [SlotSet(PENDING, None)]


def test_the_api_down_or_answering_nonsense_is_said_plainly(monkeypatch: Any) -> None:
    messages, _, _ = _run(monkeypatch, _tracker(choice=EXPORT), None)
    assert [m["text"] for m in messages] == [UNREACHABLE]
    messages, _, _ = _run(monkeypatch, _tracker(choice=EXPORT), {EXPORTS: (201, {"id": "x"})})
    assert [m["text"] for m in messages] == [UNREACHABLE]
