"""Slots, bookings, cancellation and rescheduling through the HTTP API, on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.clinicians.models import ClinicianKind
from tests.api import factories
from tests.api.conftest import Clock, OnDuty
from tests.api.factories import oslo

Login = Callable[..., Any]


async def _slots(client: httpx.AsyncClient, service: str, day: dt.date) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/slots", params={"service": service, "date": day.isoformat()}
    )
    assert response.status_code == 200, response.text
    return list(response.json())


async def _patient(login: Login, **extra: Any) -> dict[str, str]:
    return dict(await login(factories.national_id(), **extra))


async def test_anyone_can_see_free_slots(
    client: httpx.AsyncClient, on_duty: OnDuty, day: dt.date
) -> None:
    doctor = await on_duty(day, 8, 9)
    slots = await _slots(client, "doctor", day)
    assert [s["local_start"] for s in slots] == ["08:00", "08:15", "08:30", "08:45"]
    assert {s["clinician"]["id"] for s in slots} == {str(doctor.id)}
    assert slots[0]["price_ore"] == 375_00
    assert await _slots(client, "psychologist", day) == []


@pytest.mark.parametrize(
    "params",
    [
        {"service": "dentist", "date": "2031-01-01"},
        {"service": "doctor", "date": "tomorrow"},
        {"service": "doctor", "date": "2031-02-30"},
        {"service": "doctor"},
        {},
    ],
)
async def test_slot_queries_refuse_garbage(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/api/v1/slots", params=params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


async def test_book_list_and_cancel(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date
) -> None:
    await on_duty(day, 8, 9)
    headers = await _patient(login)
    slot = (await _slots(client, "doctor", day))[0]
    booked = await client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=headers)
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert body["status"] == "booked"
    assert body["price_ore"] == 375_00
    assert body["change_deadline"] == (
        dt.datetime.fromisoformat(slot["starts_at"]) - dt.timedelta(hours=1)
    ).isoformat().replace("+00:00", "Z")
    # The slot is no longer offered.
    assert slot["id"] not in {s["id"] for s in await _slots(client, "doctor", day)}
    mine = (await client.get("/api/v1/bookings", headers=headers)).json()
    assert [b["id"] for b in mine] == [body["id"]]

    cancelled = await client.post(f"/api/v1/bookings/{body['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    # Free again, and a second cancel is refused.
    assert slot["id"] in {s["id"] for s in await _slots(client, "doctor", day)}
    again = await client.post(f"/api/v1/bookings/{body['id']}/cancel", headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "not_changeable"


async def test_a_taken_slot_answers_409(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date
) -> None:
    await on_duty(day, 8, 9)
    first, second = await _patient(login), await _patient(login)
    slot = (await _slots(client, "doctor", day))[0]
    ok = await client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=first)
    assert ok.status_code == 201
    taken = await client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=second)
    assert taken.status_code == 409
    assert taken.json()["code"] == "slot_taken"


async def test_other_patients_bookings_are_404(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date
) -> None:
    await on_duty(day, 8, 9)
    owner, stranger = await _patient(login), await _patient(login)
    slot = (await _slots(client, "doctor", day))[0]
    booking = (
        await client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=owner)
    ).json()
    for method, path in [
        ("GET", f"/api/v1/bookings/{booking['id']}"),
        ("POST", f"/api/v1/bookings/{booking['id']}/cancel"),
    ]:
        response = await client.request(method, path, headers=stranger)
        assert response.status_code == 404
    moved = await client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"slot_id": slot["id"]},
        headers=stranger,
    )
    assert moved.status_code == 404
    assert (await client.get("/api/v1/bookings", headers=stranger)).json() == []


async def test_anonymous_cannot_book(
    client: httpx.AsyncClient, on_duty: OnDuty, day: dt.date
) -> None:
    await on_duty(day, 8, 9)
    slot = (await _slots(client, "doctor", day))[0]
    response = await client.post("/api/v1/bookings", json={"slot_id": slot["id"]})
    assert response.status_code == 401
    assert (await client.get("/api/v1/bookings")).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"slot_id": "not-a-uuid"},
        {"slot_id": 5},
        {"slot_id": "00000000-0000-0000-0000-000000000000", "price_ore": 0},
    ],
)
async def test_booking_refuses_garbage(
    client: httpx.AsyncClient, login: Login, body: dict[str, Any]
) -> None:
    response = await client.post("/api/v1/bookings", json=body, headers=await _patient(login))
    assert response.status_code == 422


async def test_unknown_slot_is_404(client: httpx.AsyncClient, login: Login) -> None:
    response = await client.post(
        "/api/v1/bookings",
        json={"slot_id": "00000000-0000-0000-0000-000000000000"},
        headers=await _patient(login),
    )
    assert response.status_code == 404


async def test_doctor_cancel_at_60_minutes_but_not_59(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, clock: Clock
) -> None:
    await on_duty(day, 8, 9)
    headers = await _patient(login)
    slots = await _slots(client, "doctor", day)
    ids = []
    for slot in slots[:2]:
        booked = await client.post(
            "/api/v1/bookings", json={"slot_id": slot["id"]}, headers=headers
        )
        ids.append(booked.json()["id"])
    clock.now = oslo(day, 7, 0)  # 60 minutes before 08:00
    assert (
        await client.post(f"/api/v1/bookings/{ids[0]}/cancel", headers=headers)
    ).status_code == 200
    clock.now = oslo(day, 7, 16)  # 59 minutes before 08:15
    late = await client.post(f"/api/v1/bookings/{ids[1]}/cancel", headers=headers)
    assert late.status_code == 422
    assert late.json()["code"] == "too_late_to_change"


async def test_psychologist_rules(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, clock: Clock
) -> None:
    await on_duty(day, 8, 12, kind=ClinicianKind.PSYCHOLOGIST)
    headers = await _patient(login)
    slots = await _slots(client, "psychologist", day)
    assert [s["local_start"] for s in slots] == ["08:00", "08:45", "09:30", "10:15", "11:00"]
    assert slots[0]["price_ore"] == 1095_00
    booked = [
        (await client.post("/api/v1/bookings", json={"slot_id": s["id"]}, headers=headers)).json()
        for s in slots[:2]
    ]
    # Cancel at exactly 24 hours before 08:00; 23 h 59 before 08:45 is too late.
    clock.set_oslo(
        (day - dt.timedelta(days=1)).year,
        (day - dt.timedelta(days=1)).month,
        (day - dt.timedelta(days=1)).day,
        8,
        0,
    )
    assert (
        await client.post(f"/api/v1/bookings/{booked[0]['id']}/cancel", headers=headers)
    ).status_code == 200
    clock.now = oslo(day - dt.timedelta(days=1), 8, 46)
    late = await client.post(f"/api/v1/bookings/{booked[1]['id']}/cancel", headers=headers)
    assert late.status_code == 422
    # On the day itself psychologists can no longer be booked, nor are their times offered.
    clock.now = oslo(day, 0, 5)
    assert await _slots(client, "psychologist", day) == []
    same_day = await client.post(
        "/api/v1/bookings", json={"slot_id": slots[4]["id"]}, headers=headers
    )
    assert same_day.status_code == 422
    assert same_day.json()["code"] == "book_by_previous_day"


async def test_past_slots_are_neither_offered_nor_bookable(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, clock: Clock
) -> None:
    await on_duty(day, 8, 9)
    slots = await _slots(client, "doctor", day)
    clock.now = oslo(day, 8, 20)
    assert [s["local_start"] for s in await _slots(client, "doctor", day)] == ["08:30", "08:45"]
    response = await client.post(
        "/api/v1/bookings", json={"slot_id": slots[0]["id"]}, headers=await _patient(login)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "slot_in_past"


async def test_insured_patient_and_their_child_pay_nothing_for_doctors(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    committed: Callable[..., Any],
) -> None:
    await on_duty(day, 8, 9)
    await on_duty(day, 8, 12, kind=ClinicianKind.PSYCHOLOGIST)
    parent = await committed(factories.patient)
    child = await committed(factories.patient, birth_date=day - dt.timedelta(days=365 * 10))
    await committed(factories.guardian_of, parent, child)
    await committed(factories.insurance, parent, insurer="vertikal")
    headers = await login(parent.national_id)
    doctor_slots = await _slots(client, "doctor", day)
    own = await client.post(
        "/api/v1/bookings", json={"slot_id": doctor_slots[0]["id"]}, headers=headers
    )
    for_child = await client.post(
        "/api/v1/bookings",
        json={"slot_id": doctor_slots[1]["id"], "patient_id": str(child.id)},
        headers=headers,
    )
    assert (own.json()["price_ore"], for_child.json()["price_ore"]) == (0, 0)
    assert for_child.json()["patient_id"] == str(child.id)
    psych = (await _slots(client, "psychologist", day))[0]
    session = await client.post("/api/v1/bookings", json={"slot_id": psych["id"]}, headers=headers)
    assert session.json()["price_ore"] == 1095_00
    listed = {
        b["patient_id"] for b in (await client.get("/api/v1/bookings", headers=headers)).json()
    }
    assert listed == {str(parent.id), str(child.id)}


async def test_cannot_book_for_someone_who_is_not_your_child(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    committed: Callable[..., Any],
) -> None:
    await on_duty(day, 8, 9)
    stranger = await committed(factories.patient)
    slot = (await _slots(client, "doctor", day))[0]
    response = await client.post(
        "/api/v1/bookings",
        json={"slot_id": slot["id"], "patient_id": str(stranger.id)},
        headers=await _patient(login),
    )
    assert response.status_code == 404


async def test_reschedule_moves_the_booking_or_changes_nothing(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date
) -> None:
    await on_duty(day, 8, 9)
    headers, rival = await _patient(login), await _patient(login)
    slots = await _slots(client, "doctor", day)
    booking = (
        await client.post("/api/v1/bookings", json={"slot_id": slots[0]["id"]}, headers=headers)
    ).json()
    await client.post("/api/v1/bookings", json={"slot_id": slots[1]["id"]}, headers=rival)

    blocked = await client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"slot_id": slots[1]["id"]},
        headers=headers,
    )
    assert blocked.status_code == 409
    # The failed move changed nothing: the original booking still stands.
    still = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=headers)).json()
    assert still["status"] == "booked"

    moved = await client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"slot_id": slots[2]["id"]},
        headers=headers,
    )
    assert moved.status_code == 200
    assert moved.json()["replaces_id"] == booking["id"]
    assert moved.json()["starts_at"] == slots[2]["starts_at"].replace("+00:00", "Z")
    old = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=headers)).json()
    assert old["status"] == "cancelled"


async def test_reschedule_to_another_kind_of_clinician_is_refused(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date
) -> None:
    await on_duty(day, 8, 9)
    await on_duty(day, 8, 12, kind=ClinicianKind.PSYCHOLOGIST)
    headers = await _patient(login)
    doctor_slot = (await _slots(client, "doctor", day))[0]
    psych_slot = (await _slots(client, "psychologist", day))[0]
    booking = (
        await client.post("/api/v1/bookings", json={"slot_id": doctor_slot["id"]}, headers=headers)
    ).json()
    response = await client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"slot_id": psych_slot["id"]},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "service_mismatch"
