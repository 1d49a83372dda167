"""The drop-in queue through the HTTP API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx

from tests.api import factories
from tests.api.conftest import Clock, OnDuty
from tests.api.factories import oslo

Login = Callable[..., Any]


async def test_join_position_wait_and_leave(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, clock: Clock
) -> None:
    await on_duty(day, 8, 16)
    await on_duty(day, 8, 16)
    clock.now = oslo(day, 10)
    patients = [await login(factories.national_id()) for _ in range(5)]
    places = []
    for headers in patients:
        joined = await client.post("/api/v1/queue", json={}, headers=headers)
        assert joined.status_code == 201, joined.text
        places.append(joined.json())
        clock.now += dt.timedelta(seconds=1)
    assert [p["position"] for p in places] == [1, 2, 3, 4, 5]
    assert {p["clinicians_on_duty"] for p in places} == {2}
    # Two doctors, 15-minute consults (no history yet): 1-2 now, 3-4 after 15, 5 after 30.
    assert [p["estimated_wait_minutes"] for p in places] == [0, 0, 15, 15, 30]

    left = await client.post(
        f"/api/v1/bookings/{places[0]['appointment_id']}/cancel", headers=patients[0]
    )
    assert left.status_code == 200
    me = (await client.get("/api/v1/queue/me", headers=patients[4])).json()
    assert me["position"] == 4
    gone = await client.get("/api/v1/queue/me", headers=patients[0])
    assert gone.status_code == 404


async def test_one_place_per_patient(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, clock: Clock
) -> None:
    await on_duty(day, 8, 16)
    clock.now = oslo(day, 9)
    headers = await login(factories.national_id())
    assert (await client.post("/api/v1/queue", json={}, headers=headers)).status_code == 201
    again = await client.post("/api/v1/queue", json={}, headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "already_in_queue"


async def test_queue_is_closed_at_night(
    client: httpx.AsyncClient, login: Login, day: dt.date, clock: Clock
) -> None:
    headers = await login(factories.national_id())
    for hour, minute in ((6, 59), (22, 0), (23, 30)):
        clock.now = oslo(day, hour, minute)
        response = await client.post("/api/v1/queue", json={}, headers=headers)
        assert response.status_code == 422
        assert response.json()["code"] == "queue_closed"
    clock.now = oslo(day, 7, 0)
    assert (await client.post("/api/v1/queue", json={}, headers=headers)).status_code == 201


async def test_no_doctor_on_duty_means_no_estimate(
    client: httpx.AsyncClient, login: Login, day: dt.date, clock: Clock
) -> None:
    clock.now = oslo(day, 7, 5)
    joined = await client.post(
        "/api/v1/queue", json={}, headers=await login(factories.national_id())
    )
    assert joined.json()["clinicians_on_duty"] == 0
    assert joined.json()["estimated_wait_minutes"] is None


async def test_doctor_takes_the_longest_waiting_and_history_shapes_the_estimate(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, clock: Clock
) -> None:
    doctor = await on_duty(day, 8, 16)
    doctor_headers = await login(doctor.national_id, role="clinician")
    clock.now = oslo(day, 9)
    first, second, third = [await login(factories.national_id()) for _ in range(3)]
    for headers in (first, second, third):
        await client.post("/api/v1/queue", json={}, headers=headers)
        clock.now += dt.timedelta(seconds=1)
    taken = (await client.post("/api/v1/clinician/queue/next", headers=doctor_headers)).json()
    first_me = (await client.get("/api/v1/auth/me", headers=first)).json()
    assert taken["appointment"]["patient_id"] == first_me["id"]
    assert taken["appointment"]["status"] == "booked"
    # A 30-minute consult: the estimate for the others now uses it.
    clock.now += dt.timedelta(minutes=30)
    done = await client.post(
        f"/api/v1/clinician/appointments/{taken['appointment']['id']}/complete",
        headers=doctor_headers,
    )
    assert done.json()["status"] == "fulfilled"
    me = (await client.get("/api/v1/queue/me", headers=third)).json()
    assert me["position"] == 2
    assert me["estimated_wait_minutes"] >= 30
    # Patients cannot take from the queue; an empty queue gives null.
    assert (await client.post("/api/v1/clinician/queue/next", headers=first)).status_code == 403
    await client.post("/api/v1/clinician/queue/next", headers=doctor_headers)
    await client.post("/api/v1/clinician/queue/next", headers=doctor_headers)
    empty = await client.post("/api/v1/clinician/queue/next", headers=doctor_headers)
    assert empty.json() == {"appointment": None}


async def test_completing_someone_elses_consult_is_404(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, clock: Clock
) -> None:
    doctor, other = await on_duty(day, 8, 16), await on_duty(day, 8, 16)
    clock.now = oslo(day, 9)
    await client.post("/api/v1/queue", json={}, headers=await login(factories.national_id()))
    taken = (
        await client.post(
            "/api/v1/clinician/queue/next",
            headers=await login(doctor.national_id, role="clinician"),
        )
    ).json()
    response = await client.post(
        f"/api/v1/clinician/appointments/{taken['appointment']['id']}/complete",
        headers=await login(other.national_id, role="clinician"),
    )
    assert response.status_code == 404
