"""End to end: gateway -> Rasa -> action server -> API and back, with the real processes.

The tests run in file order and share one system; the last ones restart it and kill a
process on purpose.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import time
from zoneinfo import ZoneInfo

import httpx
import pytest

from api.core.settings import DEV_RASA_TOKEN
from tests.api import factories
from tools.system import RunningSystem, port_open

pytestmark = pytest.mark.e2e


def _chat(system: RunningSystem, text: str, **kwargs: object) -> httpx.Response:
    return httpx.post(f"{system.api}/api/v1/chat", json={"text": text, **kwargs}, timeout=30)


def _login(system: RunningSystem, national_id: str, given_name: str) -> dict[str, str]:
    response = httpx.post(
        f"{system.api}/api/v1/auth/dev-login",
        json={"national_id": national_id, "given_name": given_name},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_health_reports_every_dependency(system: RunningSystem) -> None:
    response = httpx.get(f"{system.api}/api/v1/health", timeout=10)
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert {name: state["ok"] for name, state in checks.items()} == {
        "database": True,
        "rasa": True,
        "actions": True,
    }
    assert checks["rasa"]["detail"]["model"].endswith(".tar.gz")


def test_development_seed_offers_times_to_book(system: RunningSystem) -> None:
    tomorrow = (dt.datetime.now(ZoneInfo("Europe/Oslo")) + dt.timedelta(days=1)).date()
    for service in ("doctor", "psychologist"):
        response = httpx.get(
            f"{system.api}/api/v1/slots",
            params={"service": service, "date": tomorrow.isoformat()},
            timeout=10,
        )
        assert response.status_code == 200
        assert len(response.json()) > 10


def test_anonymous_conversation(system: RunningSystem) -> None:
    first = _chat(system, "hello")
    assert first.status_code == 200
    body = first.json()
    # This text is written by the action server's action_greet, not by a domain response.
    assert body["messages"][0]["text"].startswith("Hi! I'm the clinic's assistant")
    conversation = body["conversation_id"]
    bye = _chat(system, "ha det bra", conversation_id=conversation).json()
    assert bye["conversation_id"] == conversation
    assert bye["messages"][0]["text"].startswith("Take care")
    odd = _chat(system, "tell me a joke about the weather").json()
    assert "outside what I can help with" in odd["messages"][0]["text"]


def test_logged_in_patient_is_greeted_by_the_name_the_api_holds(
    system: RunningSystem, shared: dict[str, object]
) -> None:
    number = factories.national_id()
    headers = _login(system, number, "Ingrid")
    response = httpx.post(
        f"{system.api}/api/v1/chat",
        json={"text": "hei", "conversation_id": "anon-" + "f" * 32},
        headers=headers,
        timeout=30,
    )
    body = response.json()
    # The name travelled API -> action server -> Rasa -> gateway.
    assert body["messages"][0]["text"].startswith("Hi Ingrid!")
    assert body["conversation_id"].startswith("patient-")
    shared.update(national_id=number, conversation=body["conversation_id"])


def test_request_id_runs_through_every_process_log_and_numbers_are_masked(
    system: RunningSystem,
) -> None:
    request_id = f"e2e-trace-{os.getpid()}-{time.time_ns()}"
    response = httpx.post(
        f"{system.api}/api/v1/chat",
        json={"text": "hi, my number is 91234567 and my fnr 01017012345"},
        headers={"X-Request-ID": request_id},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == request_id
    logs = {name: (system.var_dir / "log" / f"{name}.log") for name in ("api", "rasa", "actions")}
    # A new conversation runs the custom action_session_start: all three processes take part.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        texts = {name: path.read_text(errors="replace") for name, path in logs.items()}
        if all(f"[request {request_id}]" in text for text in texts.values()):
            break
        time.sleep(0.2)
    for name, text in texts.items():
        assert f"[request {request_id}]" in text, f"{name}.log lacks the request id"
        assert "91234567" not in text and "01017012345" not in text, name


def test_rasa_refuses_callers_without_the_token(system: RunningSystem) -> None:
    webhook = f"{system.rasa}/webhooks/gateway/webhook"
    message = {"sender": "anon-" + "1" * 32, "message": "hi"}
    assert httpx.post(webhook, json=message, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert httpx.post(webhook, json=message, headers=wrong, timeout=10).status_code == 401
    right = {"Authorization": f"Bearer {DEV_RASA_TOKEN}"}
    garbage = httpx.post(webhook, json={"sender": 5}, headers=right, timeout=10)
    assert garbage.status_code == 400
    # Rasa's stock REST channel is not open: only the gateway channel exists.
    assert (
        httpx.post(f"{system.rasa}/webhooks/rest/webhook", json=message, timeout=10).status_code
        == 404
    )
    tracker = httpx.get(f"{system.rasa}/conversations/x/tracker", timeout=10)
    assert tracker.status_code == 401


def test_action_server_refuses_callers_without_the_token(system: RunningSystem) -> None:
    call = {"next_action": "action_greet", "sender_id": "x", "tracker": {}, "domain": {}}
    assert httpx.post(f"{system.actions}/webhook", json=call, timeout=10).status_code == 401
    assert httpx.get(f"{system.actions}/health", timeout=10).status_code == 200


def test_restart_loses_no_conversation(system: RunningSystem, shared: dict[str, object]) -> None:
    assert system.stop() == 0
    for port in (system.api_port, system.rasa_port, system.actions_port):
        assert not port_open(port), f"port {port} still open after Ctrl-C"
    first_model = re.search(r"model: (\S+)", system.output())
    system.start()
    # Nothing changed, so the second start reuses the first start's model.
    second_model = re.search(r"model: (\S+)", system.output())
    assert first_model and second_model
    assert first_model.group(1) == second_model.group(1)
    tracker = httpx.get(
        f"{system.rasa}/conversations/{shared['conversation']}/tracker",
        params={"token": DEV_RASA_TOKEN},
        timeout=10,
    ).json()
    said = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert "hei" in said
    # The app's own store survived too: the same person is the same patient.
    headers = _login(system, str(shared["national_id"]), "Ingrid")
    me = httpx.get(f"{system.api}/api/v1/auth/me", headers=headers, timeout=10).json()
    assert shared["conversation"] == "patient-" + me["id"].replace("-", "")


def test_one_process_dying_stops_the_others(system: RunningSystem) -> None:
    os.kill(system.pids["actions"], signal.SIGKILL)
    assert system.wait_exit(timeout=60) == 1
    assert "actions exited" in system.output()
    assert "stopping the others" in system.output()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (
        port_open(system.api_port) or port_open(system.rasa_port)
    ):
        time.sleep(0.2)
    assert not port_open(system.api_port)
    assert not port_open(system.rasa_port)


@pytest.fixture(scope="module")
def shared() -> dict[str, object]:
    return {}
