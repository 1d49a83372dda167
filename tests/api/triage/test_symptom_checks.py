"""Symptom checks through the HTTP API, on both databases: who stores, who reads what."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.audit import service as audit
from api.clinicians.models import ClinicianKind
from api.core.db import create_sessionmaker
from api.policy.rules import get_policy
from api.triage.models import SymptomCheck
from tests.api import factories
from tests.api.audit import records
from tests.api.conftest import Clock, OnDuty

Login = Callable[..., Any]
Committed = Callable[..., Any]
Headers = dict[str, str]

POLICY = get_policy()
CHECKS = "/api/v1/symptom-checks"
MILD: dict[str, Any] = {
    "chief_complaint": "Sore throat and a runny nose",
    "onset": "Two days ago, after a cold at work",
    "duration_days": 2,
    "severity": 2,
    "fever": False,
    "age_years": 30,
    "medication": "None",
    "allergies": "Penicillin",
}
MODERATE = MILD | {"severity": 5}
EMERGENCY = MILD | {"red_flags": ["chest_pain"], "severity": 9}


async def _patient(login: Login) -> Headers:
    return dict(await login(factories.national_id()))


async def _me(client: httpx.AsyncClient, headers: Headers) -> str:
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def _check(client: httpx.AsyncClient, headers: Headers | None, **body: Any) -> httpx.Response:
    return await client.post(CHECKS, json=body, headers=headers or {})


async def _checked(
    client: httpx.AsyncClient, headers: Headers | None, **body: Any
) -> dict[str, Any]:
    response = await _check(client, headers, **body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _count(engine: AsyncEngine) -> int:
    async with create_sessionmaker(engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(SymptomCheck)) or 0)


async def _booked(
    client: httpx.AsyncClient, headers: Headers, day: dt.date, patient_id: str | None = None
) -> dict[str, Any]:
    slots = await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    taken = {"slot_id": slots.json()[0]["id"]}
    if patient_id:
        taken["patient_id"] = patient_id
    response = await client.post("/api/v1/bookings", json=taken, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _attach(
    client: httpx.AsyncClient, headers: Headers, check_id: str, appointment_id: str
) -> httpx.Response:
    return await client.post(
        f"{CHECKS}/{check_id}/attach", json={"appointment_id": appointment_id}, headers=headers
    )


def _handoff(appointment_id: str) -> str:
    return f"/api/v1/clinician/appointments/{appointment_id}/symptom-check"


# -- triage and storage --------------------------------------------------------------------


async def test_anonymous_get_the_triage_and_nothing_is_stored(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    before = await _count(engine)
    body = await _checked(client, None, **EMERGENCY)
    assert body == {
        "id": None,
        "level": "emergency",
        "reasons": ["emergency_red_flag", "severe_symptoms"],
        "advice": body["advice"],
        "next_step": "call_113",
        "stored": False,
    }
    assert body["advice"].startswith(f"Call {POLICY.emergency.life_threatening} now")
    assert await _count(engine) == before


async def test_the_action_server_without_a_patient_conversation_is_anonymous(
    client: httpx.AsyncClient, app: FastAPI, engine: AsyncEngine
) -> None:
    token = app.state.settings.actions.service_token.get_secret_value()
    before = await _count(engine)
    for conversation in (None, "anon-" + "a" * 32, "garbage"):
        headers = {"Authorization": f"Bearer {token}"}
        if conversation:
            headers["X-Conversation-ID"] = conversation
        body = await _checked(client, headers, **MILD)
        assert (body["stored"], body["id"], body["level"]) == (False, None, "self_care")
    # A patient's conversation whose account is gone is not quietly made anonymous.
    gone = {"Authorization": f"Bearer {token}", "X-Conversation-ID": "patient-" + "c" * 32}
    assert (await _check(client, gone, **MILD)).status_code == 401
    assert await _count(engine) == before


async def test_the_action_server_stores_for_the_conversations_patient(
    client: httpx.AsyncClient, app: FastAPI, login: Login
) -> None:
    patient = await _patient(login)
    me = await _me(client, patient)
    token = app.state.settings.actions.service_token.get_secret_value()
    bot = {"Authorization": f"Bearer {token}", "X-Conversation-ID": f"patient-{uuid.UUID(me).hex}"}
    body = await _checked(client, bot, **MODERATE)
    assert body["stored"] is True
    seen = await client.get(f"{CHECKS}/{body['id']}", headers=patient)
    assert seen.status_code == 200
    assert seen.json()["level"] == "video_consult"


async def test_a_patients_check_is_stored_and_the_answers_stay_private(
    client: httpx.AsyncClient, login: Login, clock: Clock, engine: AsyncEngine
) -> None:
    headers = await _patient(login)
    me = await _me(client, headers)
    body = await _checked(client, headers, **MODERATE)
    assert (body["stored"], body["level"], body["next_step"]) == (
        True,
        "video_consult",
        "book_doctor",
    )
    assert body["reasons"] == ["moderate_symptoms"]
    assert POLICY.emergency.urgent in body["advice"]

    seen = await client.get(f"{CHECKS}/{body['id']}", headers=headers)
    assert seen.status_code == 200
    assert seen.json() == body | {"appointment_id": None, "created_at": seen.json()["created_at"]}
    # The patient sees the triage; the answers are for the treating clinician only.
    assert "answers" not in seen.json()
    assert "Penicillin" not in seen.text

    async with create_sessionmaker(engine)() as session:
        row = await session.get(SymptomCheck, uuid.UUID(body["id"]))
    assert row is not None
    assert (str(row.patient_id), row.subject_patient_id) == (me, None)
    assert row.created_at == clock.now
    assert row.answers["allergies"] == "Penicillin"
    assert row.answers["chief_complaint"] == MODERATE["chief_complaint"]
    assert (row.level.value, row.reasons, row.red_flags) == (
        "video_consult",
        ["moderate_symptoms"],
        [],
    )


@pytest.mark.parametrize(
    ("answers", "level", "step", "numbers"),
    [
        (MILD, "self_care", "self_care", ["113"]),
        (MODERATE, "video_consult", "book_doctor", ["116117", "113"]),
        (MILD | {"red_flags": ["severe_pain"]}, "urgent", "legevakt", ["116117", "113"]),
        (EMERGENCY, "emergency", "call_113", ["113"]),
    ],
)
async def test_each_level_says_what_to_do_with_the_policys_numbers(
    client: httpx.AsyncClient,
    answers: dict[str, Any],
    level: str,
    step: str,
    numbers: list[str],
) -> None:
    body = await _checked(client, None, **answers)
    assert (body["level"], body["next_step"]) == (level, step)
    numbers_in_policy = {POLICY.emergency.life_threatening, POLICY.emergency.urgent}
    assert set(numbers) <= numbers_in_policy
    for number in numbers:
        assert number in body["advice"]
    assert len(body["advice"]) < 320


async def test_a_guardian_answers_for_their_child(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock, engine: AsyncEngine
) -> None:
    today = POLICY.local(clock.now).date()
    parent = await committed(factories.patient)
    child = await committed(factories.patient, birth_date=today - dt.timedelta(days=40))
    await committed(factories.guardian_of, parent, child)
    stranger_child = await committed(factories.patient, birth_date=today - dt.timedelta(days=400))
    headers = await login(parent.national_id)

    body = await _checked(
        client,
        headers,
        **MILD | {"fever": True, "age_years": 0, "age_months": 1, "for_child": True},
        patient_id=str(child.id),
    )
    assert (body["level"], body["next_step"]) == ("urgent", "legevakt")
    assert body["reasons"][0] == "infant_fever"
    async with create_sessionmaker(engine)() as session:
        row = await session.get(SymptomCheck, uuid.UUID(body["id"]))
    assert row is not None
    assert (row.patient_id, row.subject_patient_id) == (parent.id, child.id)
    assert (await client.get(f"{CHECKS}/{body['id']}", headers=headers)).status_code == 200

    # Not their child: 404, and nothing stored.
    before = await _count(engine)
    other = await _check(
        client, headers, **MILD | {"for_child": True}, patient_id=str(stranger_child.id)
    )
    assert other.status_code == 404
    own_id = await _check(client, headers, **MILD | {"for_child": True}, patient_id=str(parent.id))
    assert own_id.status_code == 422
    assert own_id.json()["code"] == "not_a_child"
    assert await _count(engine) == before
    # A child not linked to the account: kept with the guardian who answered.
    unnamed = await _checked(client, headers, **MILD | {"for_child": True, "age_years": 5})
    assert (unnamed["stored"], unnamed["level"]) == (True, "video_consult")


async def test_another_patients_check_is_404(client: httpx.AsyncClient, login: Login) -> None:
    owner, stranger = await _patient(login), await _patient(login)
    body = await _checked(client, owner, **MILD)
    for method, path, payload in [
        ("GET", f"{CHECKS}/{body['id']}", None),
        ("POST", f"{CHECKS}/{body['id']}/attach", {"appointment_id": str(uuid.uuid4())}),
        ("GET", f"{CHECKS}/{uuid.uuid4()}", None),
    ]:
        response = await client.request(method, path, json=payload, headers=stranger)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert (await client.get(f"{CHECKS}/{body['id']}", headers=owner)).status_code == 200


async def test_staff_cannot_do_symptom_checks(
    client: httpx.AsyncClient, login: Login, committed: Committed
) -> None:
    doctor = await committed(factories.clinician)
    agent = await committed(factories.support_agent)
    for headers in (
        await login(doctor.national_id, role="clinician"),
        await login(agent.national_id, role="support"),
    ):
        response = await _check(client, headers, **MILD)
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        mine = await client.get(f"{CHECKS}/{uuid.uuid4()}", headers=headers)
        assert mine.status_code == 403


async def test_a_forged_token_is_not_anonymous(client: httpx.AsyncClient) -> None:
    response = await _check(client, {"Authorization": "Bearer forged"}, **MILD)
    assert response.status_code == 401


async def test_anonymous_cannot_read_or_attach(client: httpx.AsyncClient) -> None:
    some_id = uuid.uuid4()
    for method, path, body in [
        ("GET", f"{CHECKS}/{some_id}", None),
        ("POST", f"{CHECKS}/{some_id}/attach", {"appointment_id": str(some_id)}),
        ("GET", _handoff(str(some_id)), None),
    ]:
        response = await client.request(method, path, json=body)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"


# -- handing a check to a consult ----------------------------------------------------------


async def test_attach_then_the_treating_clinician_reads_the_handoff(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    login: Login,
    committed: Committed,
    on_duty: OnDuty,
    day: dt.date,
) -> None:
    doctor = await on_duty(day, 8, 9)
    colleague = await committed(factories.clinician)
    psychologist = await committed(factories.clinician, kind=ClinicianKind.PSYCHOLOGIST)
    agent = await committed(factories.support_agent)
    headers = await _patient(login)
    me = await _me(client, headers)
    booking = await _booked(client, headers, day)
    check = await _checked(
        client, headers, **MILD | {"red_flags": ["severe_pain"], "severity": 6, "pregnant": True}
    )
    handoff = _handoff(booking["id"])
    doctor_headers = await login(doctor.national_id, role="clinician")

    # Nothing handed over yet.
    none_yet = await client.get(handoff, headers=doctor_headers)
    assert none_yet.status_code == 404

    attached = await _attach(client, headers, check["id"], booking["id"])
    assert attached.status_code == 200, attached.text
    assert attached.json()["appointment_id"] == booking["id"]
    # Once only: again to the same consult changes nothing.
    again = await _attach(client, headers, check["id"], booking["id"])
    assert again.status_code == 200
    assert again.json() == attached.json()

    read = await client.get(handoff, headers=doctor_headers)
    assert read.status_code == 200, read.text
    body = read.json()
    assert (body["id"], body["appointment_id"]) == (check["id"], booking["id"])
    assert (body["patient_id"], body["answered_by_id"]) == (me, me)
    assert (body["level"], body["red_flags"]) == ("urgent", ["severe_pain"])
    assert body["reasons"] == [
        "urgent_red_flag",
        "pregnant_unwell",
        "moderate_symptoms",
        "pregnant",
    ]
    assert body["answers"]["allergies"] == "Penicillin"
    assert body["answers"]["medication"] == "None"
    assert body["answers"]["pregnant"] is True
    assert body["answers"]["chief_complaint"] == MILD["chief_complaint"]

    # Only the treating clinician: colleagues, psychologists and support are refused.
    for who, role in ((colleague, "clinician"), (psychologist, "clinician"), (agent, "support")):
        refused = await client.get(handoff, headers=await login(who.national_id, role=role))
        assert refused.status_code == 403, role
    other_doctor = await client.get(
        handoff, headers=await login(colleague.national_id, role="clinician")
    )
    assert other_doctor.json()["code"] == "not_treating_clinician"
    # Patients are not clinicians, not even for their own consult.
    assert (await client.get(handoff, headers=headers)).status_code == 403
    unknown = await client.get(_handoff(str(uuid.uuid4())), headers=doctor_headers)
    assert unknown.status_code == 404

    # Every read and every refusal is in the audit log, refusals included although their
    # requests were rolled back.
    async with create_sessionmaker(engine)() as session:
        events = await audit.events_about(session=session, subject_id=uuid.UUID(booking["id"]))
    seen = sorted((str(e.actor_id), e.actor_role, e.purpose.value, e.outcome.value) for e in events)
    assert seen == sorted(
        [
            (str(doctor.id), "clinician", "treating_clinician", "granted"),
            (str(colleague.id), "clinician", "treating_clinician", "denied"),
            (str(psychologist.id), "clinician", "treating_clinician", "denied"),
            (str(agent.id), "support", "none", "denied"),
            (str(colleague.id), "clinician", "treating_clinician", "denied"),
            (me, "patient", "none", "denied"),
        ]
    )
    assert {e.action for e in events} == {"symptom_check.read"}
    # Each of them, refusals too, is in the patient's own log.
    assert {str(e.patient_id) for e in events} == {me}


async def test_the_newest_check_handed_to_a_consult_is_read(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, clock: Clock
) -> None:
    doctor = await on_duty(day, 8, 9)
    headers = await _patient(login)
    booking = await _booked(client, headers, day)
    first = await _checked(client, headers, **MILD)
    clock.now += dt.timedelta(minutes=10)
    second = await _checked(client, headers, **MODERATE)
    for check in (first, second):
        assert (await _attach(client, headers, check["id"], booking["id"])).status_code == 200
    read = await client.get(
        _handoff(booking["id"]), headers=await login(doctor.national_id, role="clinician")
    )
    assert read.json()["id"] == second["id"]


async def test_attach_rules(
    client: httpx.AsyncClient,
    login: Login,
    committed: Committed,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
) -> None:
    await on_duty(day, 8, 10)
    today = POLICY.local(clock.now).date()
    parent = await committed(factories.patient)
    # Born before the real today too: the child logs in below, and login refuses identity
    # numbers of people not yet born (the test clock runs years ahead of the real one).
    born = min(today - dt.timedelta(days=3000), dt.date.today() - dt.timedelta(days=400))
    child = await committed(factories.patient, birth_date=born)
    await committed(factories.guardian_of, parent, child)
    headers = await login(parent.national_id)
    stranger = await _patient(login)

    own_booking = await _booked(client, headers, day)
    child_booking = await _booked(client, headers, day, patient_id=str(child.id))
    strangers_booking = await _booked(client, stranger, day)
    own_check = await _checked(client, headers, **MILD)
    child_check = await _checked(
        client, headers, **MILD | {"for_child": True, "age_years": 8}, patient_id=str(child.id)
    )
    unnamed_child_check = await _checked(
        client, headers, **MILD | {"for_child": True, "age_years": 4}
    )

    # Someone else's consult: 404, whatever the check.
    response = await _attach(client, headers, own_check["id"], strangers_booking["id"])
    assert response.status_code == 404
    response = await _attach(client, headers, own_check["id"], str(uuid.uuid4()))
    assert response.status_code == 404
    # A check goes only to a consult of the patient it is about.
    for check_id, booking_id in [
        (own_check["id"], child_booking["id"]),
        (child_check["id"], own_booking["id"]),
        (unnamed_child_check["id"], own_booking["id"]),
        (unnamed_child_check["id"], child_booking["id"]),
    ]:
        response = await _attach(client, headers, check_id, booking_id)
        assert response.status_code == 422
        assert response.json()["code"] == "not_the_same_patient"
    # The guardian hands the child's check to the child's consult.
    response = await _attach(client, headers, child_check["id"], child_booking["id"])
    assert response.status_code == 200, response.text
    # The child, logged in themself, sees the check about them, not the parent's own.
    child_headers = await login(child.national_id)
    seen = await client.get(f"{CHECKS}/{child_check['id']}", headers=child_headers)
    assert seen.json()["appointment_id"] == child_booking["id"]
    assert (
        await client.get(f"{CHECKS}/{own_check['id']}", headers=child_headers)
    ).status_code == 404

    # Once attached, not to another consult.
    assert (await _attach(client, headers, own_check["id"], own_booking["id"])).status_code == 200
    second_booking = await _booked(client, headers, day)
    moved = await _attach(client, headers, own_check["id"], second_booking["id"])
    assert moved.status_code == 409
    assert moved.json()["code"] == "already_attached"

    # A cancelled consult takes no symptom check.
    cancelled = await client.post(
        f"/api/v1/bookings/{second_booking['id']}/cancel", headers=headers
    )
    assert cancelled.status_code == 200, cancelled.text
    fresh = await _checked(client, headers, **MILD)
    closed = await _attach(client, headers, fresh["id"], second_booking["id"])
    assert closed.status_code == 422
    assert closed.json()["code"] == "consult_closed"


# -- garbage -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {k: v for k, v in MILD.items() if k != "chief_complaint"},
        {k: v for k, v in MILD.items() if k != "severity"},
        {k: v for k, v in MILD.items() if k != "fever"},
        {k: v for k, v in MILD.items() if k != "age_years"},
        MILD | {"chief_complaint": ""},
        MILD | {"chief_complaint": "   "},
        MILD | {"chief_complaint": "x" * 501},
        MILD | {"chief_complaint": "x" * 10_000},
        MILD | {"chief_complaint": "pain\x00"},
        MILD | {"chief_complaint": 5},
        MILD | {"onset": "x" * 201},
        MILD | {"onset": "\x00"},
        MILD | {"duration_days": -1},
        MILD | {"duration_days": 3651},
        MILD | {"duration_days": "a week"},
        MILD | {"severity": -1},
        MILD | {"severity": 11},
        MILD | {"severity": 5.5},
        MILD | {"severity": "bad"},
        MILD | {"fever": "maybe"},
        MILD | {"temperature_c": 33.9},
        MILD | {"temperature_c": 43.1},
        MILD | {"temperature_c": "hot"},
        MILD | {"age_years": -1},
        MILD | {"age_years": 121},
        MILD | {"age_months": -1},
        MILD | {"age_months": 37},
        MILD | {"age_years": 0, "age_months": 14},
        MILD | {"for_child": "perhaps"},
        MILD | {"patient_id": "not-a-uuid"},
        MILD | {"patient_id": str(uuid.uuid4())},
        MILD | {"pregnant": "unsure"},
        MILD | {"medication": "x" * 501},
        MILD | {"medication": "ibux\x00"},
        MILD | {"allergies": "x" * 501},
        MILD | {"allergies": "\x00"},
        MILD | {"red_flags": ["hiccups"]},
        MILD | {"red_flags": "chest_pain"},
        MILD | {"red_flags": ["chest_pain", "chest_pain"]},
        MILD
        | {
            "red_flags": [
                "chest_pain",
                "confusion",
                "severe_pain",
                "breathing_difficulty",
                "severe_bleeding",
                "rash_or_stiff_neck",
                "chest_pain",
            ]
        },
        MILD | {"level": "self_care"},
        MILD | {"diagnosis": "flu"},
    ],
)
async def test_garbage_is_refused(
    client: httpx.AsyncClient, login: Login, engine: AsyncEngine, body: dict[str, Any]
) -> None:
    headers = await _patient(login)
    before = await _count(engine)
    for who in (None, headers):
        response = await _check(client, who, **body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "invalid_request"
        # Health data is never echoed back in errors.
        assert "Penicillin" not in response.text
    assert await _count(engine) == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"appointment_id": "x"},
        {"appointment_id": None},
        {"appointment_id": str(uuid.uuid4()), "extra": 1},
    ],
)
async def test_garbage_attach_is_refused(
    client: httpx.AsyncClient, login: Login, body: dict[str, Any]
) -> None:
    headers = await _patient(login)
    check = await _checked(client, headers, **MILD)
    response = await client.post(f"{CHECKS}/{check['id']}/attach", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


async def test_not_json_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        CHECKS, content=b"{chief:", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


# -- the audit log -------------------------------------------------------------------------


async def test_every_read_of_a_check_is_audited_and_support_is_refused(
    client: httpx.AsyncClient,
    app: FastAPI,
    login: Login,
    committed: Committed,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    headers = await _patient(login)
    me = await _me(client, headers)
    check = await _checked(client, headers, **MILD)
    agent = await committed(factories.support_agent)
    support = await login(agent.national_id, role="support")
    path = f"{CHECKS}/{check['id']}"

    assert (await client.get(path, headers=headers)).status_code == 200
    clock.now += dt.timedelta(seconds=1)
    assert (await client.get(path, headers=records.assistant(app, me))).status_code == 200
    clock.now += dt.timedelta(seconds=1)
    refused = await client.get(path, headers=support)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert "Penicillin" not in refused.text

    subject = (check["id"], me)
    assert await records.on_subject(engine, check["id"]) == [
        ("patient", me, "symptom_check.read", "symptom_check", *subject, "own_access", "granted"),
        (
            "assistant",
            None,
            "symptom_check.read",
            "symptom_check",
            *subject,
            "assistant_on_behalf",
            "granted",
        ),
        (
            "support",
            str(agent.id),
            "symptom_check.read",
            "symptom_check",
            *subject,
            "none",
            "denied",
        ),
    ]


async def test_support_is_refused_the_answers_and_the_refusal_is_audited(
    client: httpx.AsyncClient,
    login: Login,
    committed: Committed,
    on_duty: OnDuty,
    day: dt.date,
    engine: AsyncEngine,
) -> None:
    await on_duty(day, 8, 9)
    headers = await _patient(login)
    me = await _me(client, headers)
    booking = await _booked(client, headers, day)
    check = await _checked(client, headers, **MILD)
    assert (await _attach(client, headers, check["id"], booking["id"])).status_code == 200
    agent = await committed(factories.support_agent)

    refused = await client.get(
        _handoff(booking["id"]), headers=await login(agent.national_id, role="support")
    )
    assert refused.status_code == 403
    assert "Penicillin" not in refused.text
    assert await records.by_actor(engine, agent.id) == [
        (
            "support",
            str(agent.id),
            "symptom_check.read",
            "appointment",
            booking["id"],
            me,
            "none",
            "denied",
        )
    ]


async def test_garbage_ids_are_422_and_record_nothing(
    client: httpx.AsyncClient, login: Login, committed: Committed, engine: AsyncEngine
) -> None:
    agent = await committed(factories.support_agent)
    doctor = await committed(factories.clinician)
    callers = [
        await _patient(login),
        await login(agent.national_id, role="support"),
        await login(doctor.national_id, role="clinician"),
    ]
    before = await records.count(engine)
    for garbage in ("x", "123", "%00", "' or 1=1 --", "9" * 200, f"{uuid.uuid4()}x"):
        for headers in callers:
            for path in (f"{CHECKS}/{garbage}", _handoff(garbage)):
                response = await client.get(path, headers=headers)
                assert response.status_code == 422, (path, response.text)
                assert response.json()["code"] == "invalid_request"
    assert await records.count(engine) == before
