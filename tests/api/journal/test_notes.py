"""The journal note: written and read by the consult's own clinician only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api import factories
from tests.api.audit import records
from tests.api.conftest import Clock, OnDuty

Login = Callable[..., Any]


async def _consult(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    doctor = await on_duty(day, 8, 9)
    patient = await login(factories.national_id())
    slots = await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    booking = (
        await client.post(
            "/api/v1/bookings", json={"slot_id": slots.json()[0]["id"]}, headers=patient
        )
    ).json()
    return booking, patient, await login(doctor.national_id, role="clinician")


async def test_the_clinician_writes_and_rewrites_the_note(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date
) -> None:
    booking, _, doctor = await _consult(client, login, on_duty, day)
    url = f"/api/v1/clinician/appointments/{booking['id']}/note"
    assert (await client.get(url, headers=doctor)).status_code == 404
    first = await client.put(
        url, json={"text": "Sore throat 3 days. Advised rest."}, headers=doctor
    )
    assert first.status_code == 200, first.text
    second = await client.put(
        url, json={"text": "Sore throat 3 days. Rest, fluids."}, headers=doctor
    )
    assert second.json()["text"] == "Sore throat 3 days. Rest, fluids."
    assert (await client.get(url, headers=doctor)).json()["text"] == second.json()["text"]


async def test_nobody_else_touches_the_note(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, committed: Any
) -> None:
    booking, patient, _ = await _consult(client, login, on_duty, day)
    colleague = await committed(factories.clinician)
    url = f"/api/v1/clinician/appointments/{booking['id']}/note"
    other = await login(colleague.national_id, role="clinician")
    assert (await client.put(url, json={"text": "x"}, headers=other)).status_code == 404
    assert (await client.put(url, json={"text": "x"}, headers=patient)).status_code == 403
    assert (await client.put(url, json={"text": "x"})).status_code == 401


async def test_garbage_notes_are_refused(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date
) -> None:
    booking, _, doctor = await _consult(client, login, on_duty, day)
    url = f"/api/v1/clinician/appointments/{booking['id']}/note"
    for body in ({"text": ""}, {"text": "x" * 4001}, {"text": 5}, {"note": "x"}, [1]):
        response = await client.put(url, json=body, headers=doctor)
        assert response.status_code == 422, body
    raw = await client.put(
        url, content=b"\xff", headers={**doctor, "Content-Type": "application/json"}
    )
    assert raw.status_code in (400, 422)
    assert (await client.get(url, headers=doctor)).status_code == 404


async def test_every_read_is_audited_and_support_is_refused(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    committed: Any,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    booking, patient, doctor = await _consult(client, login, on_duty, day)
    patient_id = booking["patient_id"]
    url = f"/api/v1/clinician/appointments/{booking['id']}/note"
    assert (await client.put(url, json={"text": "Migraine. Rest."}, headers=doctor)).is_success
    agent = await committed(factories.support_agent)
    colleague = await committed(factories.clinician)

    assert (await client.get(url, headers=doctor)).status_code == 200
    clock.now += dt.timedelta(seconds=1)
    refused = await client.get(url, headers=await login(agent.national_id, role="support"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert "Migraine" not in refused.text
    clock.now += dt.timedelta(seconds=1)
    assert (await client.get(url, headers=patient)).status_code == 403
    # Another clinician's consult does not exist for them: 404, and no data was reached.
    other = await client.get(url, headers=await login(colleague.national_id, role="clinician"))
    assert other.status_code == 404

    me = (await client.get("/api/v1/auth/me", headers=doctor)).json()["id"]
    subject = ("journal_note.read", "journal_note", booking["id"], patient_id)
    assert await records.on_subject(engine, booking["id"]) == [
        ("clinician", me, *subject, "treating_clinician", "granted"),
        ("support", str(agent.id), *subject, "none", "denied"),
        ("patient", patient_id, *subject, "none", "denied"),
    ]


async def test_garbage_ids_are_422_and_record_nothing(
    client: httpx.AsyncClient, login: Login, committed: Any, engine: AsyncEngine
) -> None:
    agent = await committed(factories.support_agent)
    doctor = await committed(factories.clinician)
    before = await records.count(engine)
    for headers in (
        await login(agent.national_id, role="support"),
        await login(doctor.national_id, role="clinician"),
    ):
        for garbage in ("x", "0", "null", "9" * 100, "00000000-0000-0000-0000-00000000000g"):
            response = await client.get(
                f"/api/v1/clinician/appointments/{garbage}/note", headers=headers
            )
            assert response.status_code == 422, garbage
            assert response.json()["code"] == "invalid_request"
    assert await records.count(engine) == before
