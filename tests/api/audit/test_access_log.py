"""Who read my data: every reader recorded with a purpose, and the patient's own view of it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from api.audit import service as audit
from api.core.db import create_sessionmaker
from tests.api import factories
from tests.api.audit import records
from tests.api.conftest import Clock, OnDuty

Login = Callable[..., Any]
Committed = Callable[..., Any]
Headers = dict[str, str]

LOG = "/api/v1/privacy/access-log"
FIELDS = {"at", "actor_role", "actor_name", "action", "subject_type", "purpose", "outcome"}
SYMPTOMS: dict[str, Any] = {
    "chief_complaint": "Cough for a week",
    "severity": 3,
    "fever": False,
    "age_years": 40,
}


async def _ok(response: Any, status: int = 200) -> Any:
    result = await response
    assert result.status_code == status, result.text
    return result.json()


async def _booked(client: httpx.AsyncClient, headers: Headers, day: dt.date) -> dict[str, Any]:
    slots = await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    return dict(
        await _ok(
            client.post(
                "/api/v1/bookings", json={"slot_id": slots.json()[0]["id"]}, headers=headers
            ),
            201,
        )
    )


def _row(entry: dict[str, Any]) -> tuple[str, str, str, str, str, str]:
    return (
        entry["actor_role"],
        entry["actor_name"],
        entry["action"],
        entry["subject_type"],
        entry["purpose"],
        entry["outcome"],
    )


async def test_every_reader_is_in_the_patients_log_newest_first(
    client: httpx.AsyncClient,
    app: FastAPI,
    login: Login,
    committed: Committed,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    doctor = await on_duty(day, 8, 9)
    agent = await committed(factories.support_agent)
    patient = await committed(factories.patient)
    await committed(factories.dispensed, patient, "levothyroxine", day - dt.timedelta(days=60))
    other = await committed(factories.patient)
    headers = await login(patient.national_id)
    doctor_headers = await login(doctor.national_id, role="clinician")
    support = await login(agent.national_id, role="support")
    stranger = await login(other.national_id)

    booking = await _booked(client, headers, day)
    check = await _ok(client.post("/api/v1/symptom-checks", json=SYMPTOMS, headers=headers))
    await _ok(
        client.post(
            f"/api/v1/symptom-checks/{check['id']}/attach",
            json={"appointment_id": booking["id"]},
            headers=headers,
        )
    )
    await _ok(
        client.post(
            "/api/v1/renewals",
            json={"medication": "Levaxin", "consent_prescription_list": True},
            headers=headers,
        ),
        201,
    )
    handoff = f"/api/v1/clinician/appointments/{booking['id']}/symptom-check"
    note = f"/api/v1/clinician/appointments/{booking['id']}/note"
    await _ok(client.put(note, json={"text": "Cough, no fever. Rest."}, headers=doctor_headers))
    # Writing is not reading: nothing is in the log yet.
    assert await records.of_patient(engine, patient.id) == []

    reads: list[tuple[Headers, str, int]] = [
        (headers, f"/api/v1/symptom-checks/{check['id']}", 200),
        (doctor_headers, handoff, 200),
        (records.assistant(app, patient.id), "/api/v1/renewals", 200),
        (doctor_headers, note, 200),
        (support, note, 403),
        (support, handoff, 403),
        (stranger, handoff, 403),
    ]
    for who, path, status in reads:
        clock.now += dt.timedelta(minutes=1)
        response = await client.get(path, headers=who)
        assert response.status_code == status, (path, response.text)

    log = await _ok(client.get(LOG, headers=headers))
    assert all(set(entry) == FIELDS for entry in log)
    doctor_name = f"{doctor.given_name} {doctor.family_name}"
    agent_name = f"{agent.given_name} {agent.family_name}"
    assert [_row(entry) for entry in log] == [
        (
            "patient",
            "Another patient",
            "symptom_check.read",
            "appointment",
            "no permitted purpose",
            "denied",
        ),
        (
            "support",
            agent_name,
            "symptom_check.read",
            "appointment",
            "no permitted purpose",
            "denied",
        ),
        (
            "support",
            agent_name,
            "journal_note.read",
            "journal_note",
            "no permitted purpose",
            "denied",
        ),
        (
            "clinician",
            doctor_name,
            "journal_note.read",
            "journal_note",
            "treating clinician",
            "granted",
        ),
        (
            "assistant",
            "The assistant",
            "renewal.read",
            "renewal",
            "assistant on the patient's behalf",
            "granted",
        ),
        (
            "clinician",
            doctor_name,
            "symptom_check.read",
            "appointment",
            "treating clinician",
            "granted",
        ),
        (
            "patient",
            "You",
            "symptom_check.read",
            "symptom_check",
            "patient's own access",
            "granted",
        ),
    ]
    times = [dt.datetime.fromisoformat(entry["at"]) for entry in log]
    assert times == sorted(times, reverse=True)
    assert times[0] == clock.now

    # The export helper reads the same rows, oldest first.
    async with create_sessionmaker(engine)() as session:
        events = await audit.reads_of_patient(session=session, patient_id=patient.id)
    assert [event.at for event in events] == times[::-1]
    assert {event.patient_id for event in events} == {patient.id}
    assistant_row = next(event for event in events if event.actor_role == "assistant")
    assert assistant_row.actor_id is None

    # Nobody else's log holds any of it.
    assert await _ok(client.get(LOG, headers=stranger)) == []


async def test_a_guardian_is_named_in_the_childs_log(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock
) -> None:
    parent = await committed(factories.patient, given_name="Ola")
    child = await committed(factories.patient, birth_date=clock().date() - dt.timedelta(days=3650))
    await committed(factories.guardian_of, parent, child)
    await committed(
        factories.dispensed, child, "salbutamol", clock().date() - dt.timedelta(days=40)
    )
    parent_headers = await login(parent.national_id)
    renewal = await _ok(
        client.post(
            "/api/v1/renewals",
            json={
                "medication": "Ventolin",
                "consent_prescription_list": True,
                "patient_id": str(child.id),
            },
            headers=parent_headers,
        ),
        201,
    )
    await _ok(client.get(f"/api/v1/renewals/{renewal['id']}", headers=parent_headers))

    child_log = await _ok(client.get(LOG, headers=await login(child.national_id)))
    assert [_row(entry) for entry in child_log] == [
        (
            "patient",
            f"Ola {parent.family_name}",
            "renewal.read",
            "renewal",
            "guardian on the patient's behalf",
            "granted",
        )
    ]
    # The parent's own log is about the parent's own data only.
    assert await _ok(client.get(LOG, headers=parent_headers)) == []


async def test_the_log_is_paged(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock
) -> None:
    headers = await login(factories.national_id())
    check = await _ok(client.post("/api/v1/symptom-checks", json=SYMPTOMS, headers=headers))
    moments = []
    for _ in range(5):
        clock.now += dt.timedelta(seconds=30)
        moments.append(clock.now)
        await _ok(client.get(f"/api/v1/symptom-checks/{check['id']}", headers=headers))
    newest_first = [moment.isoformat().replace("+00:00", "Z") for moment in reversed(moments)]

    async def page(**params: int) -> list[str]:
        body = await _ok(client.get(LOG, params=params, headers=headers))
        return [entry["at"] for entry in body]

    assert await page() == newest_first
    assert await page(limit=2) == newest_first[:2]
    assert await page(limit=2, offset=2) == newest_first[2:4]
    assert await page(limit=2, offset=4) == newest_first[4:]
    assert await page(offset=10) == []
    assert await page(limit=100) == newest_first


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"limit": ""},
        {"offset": "-1"},
        {"offset": "100001"},
        {"offset": "x"},
        {"offset": "9" * 40},
    ],
)
async def test_garbage_paging_is_422(
    client: httpx.AsyncClient, login: Login, params: dict[str, str]
) -> None:
    response = await client.get(LOG, params=params, headers=await login(factories.national_id()))
    assert response.status_code == 422, params
    assert response.json()["code"] == "invalid_request"


async def test_only_the_patient_sees_their_log(
    client: httpx.AsyncClient, app: FastAPI, login: Login, committed: Committed
) -> None:
    assert (await client.get(LOG)).status_code == 401
    assert (await client.get(LOG, headers={"Authorization": "Bearer forged"})).status_code == 401
    doctor = await committed(factories.clinician)
    agent = await committed(factories.support_agent)
    for headers in (
        await login(doctor.national_id, role="clinician"),
        await login(agent.national_id, role="support"),
    ):
        response = await client.get(LOG, headers=headers)
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    # The assistant acts for the patient in chat, but this log is for the patient's own eyes.
    patient = await committed(factories.patient)
    bot = await client.get(LOG, headers=records.assistant(app, patient.id))
    assert bot.status_code == 403
    # Without a patient conversation the service token is nobody.
    token = app.state.settings.actions.service_token.get_secret_value()
    anonymous = await client.get(LOG, headers={"Authorization": f"Bearer {token}"})
    assert anonymous.status_code == 401


async def test_a_refusal_survives_the_rolled_back_request(
    client: httpx.AsyncClient, login: Login, committed: Committed, engine: AsyncEngine
) -> None:
    agent = await committed(factories.support_agent)
    support = await login(agent.national_id, role="support")
    before = await records.count(engine)
    missing = uuid.uuid4()
    refused = await client.get(f"/api/v1/renewals/{missing}", headers=support)
    assert refused.status_code == 403
    # No such renewal: the refusal is kept, and names no patient.
    assert await records.by_actor(engine, agent.id) == [
        ("support", str(agent.id), "renewal.read", "renewal", str(missing), None, "none", "denied")
    ]
    assert await records.count(engine) == before + 1
