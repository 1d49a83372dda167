"""A patient's copy of their data: asked for, downloaded as a ZIP, read back file by file."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from api.chat.tracker_store import TrackerStore
from api.privacy import archive
from api.privacy.readme import FILES
from tests.api import factories
from tests.api.audit import records
from tests.api.conftest import Clock
from tests.api.privacy import seed
from tests.api.privacy.conftest import Seeded

Login = Callable[..., Any]
EXPORTS = "/api/v1/privacy/exports"


def _strict(raw: bytes) -> Any:
    """JSON as a strict reader takes it (no NaN, valid UTF-8)."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(raw.decode("utf-8"), parse_constant=refuse)


def _open(response: httpx.Response) -> dict[str, Any]:
    """The archive's files: README.txt as text, every other one parsed."""
    with zipfile.ZipFile(io.BytesIO(response.content)) as zipped:
        assert zipped.testzip() is None
        files: dict[str, Any] = {}
        for name in zipped.namelist():
            raw = zipped.read(name)
            files[name] = raw.decode("utf-8") if name == "README.txt" else _strict(raw)
        return files


async def _download(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> tuple[dict[str, Any], httpx.Response]:
    asked = await client.post(EXPORTS, headers=headers)
    assert asked.status_code in (200, 201), asked.text
    response = await client.get(asked.json()["download_path"], headers=headers)
    return asked.json(), response


async def test_anonymous_callers_are_asked_to_log_in(client: httpx.AsyncClient) -> None:
    assert (await client.post(EXPORTS)).status_code == 401
    assert (await client.get(EXPORTS)).status_code == 401
    download = await client.get(f"{EXPORTS}/{uuid.uuid4()}/download")
    assert download.status_code == 401
    assert download.json()["code"] == "not_authenticated"


async def test_the_copy_holds_everything_the_clinic_keeps_about_the_patient(
    client: httpx.AsyncClient,
    login: Login,
    seeded: Seeded,
    tracker: TrackerStore,
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    mine, theirs = await seeded(), await seeded()
    start = clock() - dt.timedelta(hours=5)
    events = await seed.converse(
        tracker, mine.conversation_id, start, "Hva koster en time?", "A consult costs 375 kr."
    )
    await seed.converse(tracker, theirs.conversation_id, start, "Secret of the other patient")
    headers = await login(mine.patient.national_id)

    asked = await client.post(EXPORTS, headers=headers)
    assert asked.status_code == 201
    again = await client.post(EXPORTS, headers=headers)
    assert again.status_code == 200 and again.json()["id"] == asked.json()["id"]
    body = asked.json()
    assert body["requested_via"] == "page" and body["downloads"] == 0
    assert body["page_url"].endswith("/privacy")
    assert dt.datetime.fromisoformat(body["expires_at"]) == clock() + dt.timedelta(hours=24)

    response = await client.get(body["download_path"], headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="my-data-')
    assert response.headers["cache-control"] == "no-store"
    files = _open(response)
    assert sorted(files) == sorted(["README.txt", *FILES])

    profile = files["profile.json"]["patient"]
    assert profile["national_id"] == mine.patient.national_id
    assert (profile["phone"], profile["given_name"]) == (mine.phone, "Åse")
    assert [a["id"] for a in files["appointments.json"]] == [str(mine.appointment_id)]
    [order] = files["payments.json"]
    assert order["id"] == str(mine.order_id)
    assert [(e["kind"], e["amount_ore"]) for e in order["ledger"]] == [("charge", 37500)]
    # The patient's own medical data is in their copy.
    [check] = files["symptom_checks.json"]
    assert check["id"] == str(mine.check_id)
    assert check["answers"]["chief_complaint"] == seed.SYMPTOM
    [note] = files["journal_notes.json"]
    assert (note["text"], note["written_by"]) == (seed.NOTE_TEXT, "Lege Legesen")
    assert [r["id"] for r in files["renewals.json"]] == [str(mine.renewal_id)]
    assert [c["id"] for c in files["certificates.json"]] == [str(mine.certificate_id)]
    assert [d["substance"] for d in files["prescription_list.json"]] == ["levothyroxine"]
    assert [n["id"] for n in files["notifications.json"]] == [str(mine.notification_id)]
    sms = files["sms.json"]
    assert sms["verified_number"]["number_hash"] == seed.KEYS.number_hash(mine.phone)
    assert all("code_hash" not in v for v in sms["verifications"])
    [ticket] = files["support_tickets.json"]
    assert ticket["transcript"][0]["text"] == "Can I talk to a person?"
    assert ticket["replies"][0]["text"] == "Hi Åse, your receipt is in the app."
    conversation = files["conversation.json"]
    assert conversation["conversation_id"] == mine.conversation_id
    assert [(m["sender"], m["text"]) for m in conversation["messages"]] == [
        ("patient", "Hva koster en time?"),
        ("assistant", "A consult costs 375 kr."),
    ]
    assert len(conversation["events"]) == events
    [copy] = files["privacy_requests.json"]["copies_of_your_data"]
    assert (copy["id"], copy["downloads"]) == (body["id"], 1)
    # Who read: making this copy read each medical row, as the patient's own access.
    exported = {
        (line["action"], line["subject_id"], line["actor_name"], line["purpose"])
        for line in files["access_log.json"]
    }
    assert exported == {
        ("symptom_check.export", str(mine.check_id), "You", "patient's own access"),
        ("journal_note.export", str(mine.appointment_id), "You", "patient's own access"),
        ("renewal.export", str(mine.renewal_id), "You", "patient's own access"),
        ("certificate.export", str(mine.certificate_id), "You", "patient's own access"),
    }
    readme = files["README.txt"]
    assert "Made for Åse" in readme and all(name in readme for name in FILES)
    assert "medical" in readme and "never recorded" in readme

    # Nothing of the other patient's is in it.
    raw = response.content.decode("latin-1")
    for text in (theirs.patient.national_id, str(theirs.check_id), "Secret of the other"):
        assert text not in raw
    with zipfile.ZipFile(io.BytesIO(response.content)) as zipped:
        everything = b"".join(zipped.read(n) for n in zipped.namelist()).decode("utf-8")
    for text in (theirs.patient.national_id, str(theirs.check_id), "Secret of the other"):
        assert text not in everything
    assert mine.patient.national_id in everything

    # The audit log has the export's reads, under the patient's own name and purpose.
    logged = await records.of_patient(engine, mine.patient.id)
    assert ("patient", str(mine.patient.id), "symptom_check.export") in {r[:3] for r in logged}
    assert await records.of_patient(engine, theirs.patient.id) == []


async def test_only_the_patient_downloads_their_copy(
    app: FastAPI,
    client: httpx.AsyncClient,
    login: Login,
    committed: Callable[..., Any],
    tracker: TrackerStore,
    seeded: Seeded,
) -> None:
    mine = await seeded()
    headers = await login(mine.patient.national_id)
    asked = (await client.post(EXPORTS, headers=headers)).json()
    path = asked["download_path"]

    other = await committed(factories.patient)
    other_headers = await login(other.national_id)
    refused = await client.get(path, headers=other_headers)
    assert refused.status_code == 404 and refused.json()["code"] == "export_not_found"
    assert (await client.get(EXPORTS, headers=other_headers)).json() == []

    agent = await committed(factories.support_agent)
    staff = await login(agent.national_id, role="support")
    assert (await client.get(path, headers=staff)).status_code == 403
    assert (await client.post(EXPORTS, headers=staff)).status_code == 403
    doctor = await committed(factories.clinician)
    clinician = await login(doctor.national_id, role="clinician")
    assert (await client.get(path, headers=clinician)).status_code == 403

    # The assistant may ask for a copy in the patient's conversation, not fetch it.
    assistant = records.assistant(app, mine.patient.id)
    via_chat = await client.post(EXPORTS, headers=assistant)
    assert via_chat.status_code == 200 and via_chat.json()["id"] == asked["id"]
    fetched = await client.get(path, headers=assistant)
    assert fetched.status_code == 403 and fetched.json()["code"] == "export_own_eyes_only"

    listed = (await client.get(EXPORTS, headers=headers)).json()
    assert [(e["id"], e["downloads"]) for e in listed] == [(asked["id"], 0)]
    assert (await client.get(path, headers=headers)).status_code == 200


async def test_the_assistant_asks_for_a_copy_in_a_new_conversation(
    app: FastAPI, client: httpx.AsyncClient, committed: Callable[..., Any]
) -> None:
    patient = await committed(factories.patient)
    asked = await client.post(EXPORTS, headers=records.assistant(app, patient.id))
    assert asked.status_code == 201
    assert asked.json()["requested_via"] == "assistant"
    # An anonymous conversation has no patient to ask for.
    token = app.state.settings.actions.service_token.get_secret_value()
    anonymous = {"Authorization": f"Bearer {token}", "X-Conversation-ID": "anon-" + "a" * 32}
    assert (await client.post(EXPORTS, headers=anonymous)).status_code == 401


@pytest.mark.parametrize(
    "export_id", ["not-a-uuid", "1", "%00", "x" * 300, "12345678-1234-1234-1234-12345678901g"]
)
async def test_garbage_ids_are_refused_politely(
    client: httpx.AsyncClient, login: Login, committed: Callable[..., Any], export_id: str
) -> None:
    patient = await committed(factories.patient)
    headers = await login(patient.national_id)
    response = await client.get(f"{EXPORTS}/{export_id}/download", headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert response.json()["message"]


async def test_unknown_ids_and_other_methods(
    client: httpx.AsyncClient, login: Login, committed: Callable[..., Any]
) -> None:
    patient = await committed(factories.patient)
    headers = await login(patient.national_id)
    unknown = await client.get(f"{EXPORTS}/{uuid.uuid4()}/download", headers=headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "export_not_found"
    assert (await client.delete(EXPORTS, headers=headers)).status_code == 405
    # The route takes no body; one sent anyway changes nothing.
    odd = await client.post(EXPORTS, headers=headers, content=b"\x00\xff{not json")
    assert odd.status_code == 201


async def test_an_expired_copy_is_gone_and_a_new_one_can_be_asked_for(
    client: httpx.AsyncClient,
    login: Login,
    committed: Callable[..., Any],
    clock: Clock,
    tracker: TrackerStore,
) -> None:
    patient = await committed(factories.patient)
    headers = await login(patient.national_id)
    first = (await client.post(EXPORTS, headers=headers)).json()
    clock.now += dt.timedelta(hours=24)
    # A fresh login: the first one's token has expired meanwhile.
    headers = await login(patient.national_id)
    gone = await client.get(first["download_path"], headers=headers)
    assert gone.status_code == 410 and gone.json()["code"] == "export_expired"
    second = await client.post(EXPORTS, headers=headers)
    assert second.status_code == 201 and second.json()["id"] != first["id"]
    assert (await client.get(second.json()["download_path"], headers=headers)).status_code == 200


async def test_a_long_odd_conversation_makes_a_valid_archive(
    client: httpx.AsyncClient,
    login: Login,
    committed: Callable[..., Any],
    clock: Clock,
    tracker: TrackerStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small enough that this archive spills to a file on disk, as a big one would.
    monkeypatch.setattr(archive, "IN_MEMORY_BYTES", 64 * 1024)
    patient = await committed(factories.patient, given_name="Ørjan")
    conversation = f"patient-{patient.id.hex}"
    odd = [
        "Hei 👋 æøå ÆØÅ",
        "a broken emoji \ud83d from an old phone",
        "NUL \x00 and\ttabs\nand lines",
        '{"json": "in a message"} </script>',
        "x" * 4000,
    ]
    start = clock() - dt.timedelta(days=30)
    lines = [odd[i % len(odd)] for i in range(1500)]
    await seed.converse(tracker, conversation, start, *lines)
    # An event Rasa could not have written: not JSON at all, and one with NaN in it.
    await tracker.seed(
        conversation,
        [
            {"event": "bot", "text": "late", "timestamp": math.nan, "data": {"x": math.inf}},
            {"event": "user", "text": "from the far future", "timestamp": 1e20},
        ],
    )
    headers = await login(patient.national_id)
    _asked, response = await _download(client, headers)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    files = _open(response)
    messages = files["conversation.json"]["messages"]
    assert len(messages) == 1502
    assert messages[-1] == {
        "text": "from the far future",
        "buttons": [],
        "custom": None,
        "image": None,
        "sender": "patient",
        "sent_at": None,
    }
    texts = [m["text"] for m in messages]
    assert texts[0] == "Hei 👋 æøå ÆØÅ"
    assert texts[1] == "a broken emoji \ud83d from an old phone"
    assert texts[2] == "NUL \x00 and\ttabs\nand lines"
    assert texts[4] == "x" * 4000
    assert files["conversation.json"]["events"][-2]["data"] == {"x": None}
    assert "Made for Ørjan" in files["README.txt"]


def test_json_of_odd_values() -> None:
    assert archive.to_json({"a": float("nan")}) == b'{\n  "a": null\n}'
    assert archive.to_json([uuid.UUID(int=1)]) == b'[\n  "00000000-0000-0000-0000-000000000001"\n]'
    assert json.loads(archive.to_json("\ud800")) == "\ud800"
    assert archive.to_json("æ").decode("utf-8") == '"æ"'
