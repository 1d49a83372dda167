"""Refunds after the consult: a late doctor by the rules, technical failure via support."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.core.db import create_sessionmaker
from tests.api import factories
from tests.api.conftest import Clock, OnDuty
from tests.api.factories import oslo

Login = Callable[..., Any]


async def _booked_and_started(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    *,
    booked_at: dt.datetime,
    late_minutes: int | None,
) -> tuple[dict[str, str], dict[str, Any]]:
    doctor = await on_duty(day, 8, 9)
    clock.now = booked_at
    headers = await login(factories.national_id())
    slot = (
        await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    ).json()[0]
    booking = (
        await client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=headers)
    ).json()
    if late_minutes is not None:
        clock.now = oslo(day, 8) + dt.timedelta(minutes=late_minutes)
        doctor_headers = await login(doctor.national_id, role="clinician")
        started = await client.post(
            f"/api/v1/clinician/appointments/{booking['id']}/start", headers=doctor_headers
        )
        assert started.status_code == 200, started.text
        await client.post(
            f"/api/v1/clinician/appointments/{booking['id']}/complete", headers=doctor_headers
        )
    return headers, booking


async def _ask(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    booking: dict[str, Any],
    reason: str = "doctor_late",
) -> httpx.Response:
    return await client.post(
        f"/api/v1/bookings/{booking['id']}/refund-request",
        json={"reason": reason},
        headers=headers,
    )


@pytest.mark.parametrize(("late", "refunded"), [(30, False), (31, True)])
async def test_doctor_more_than_30_minutes_late(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    late: int,
    refunded: bool,
) -> None:
    headers, booking = await _booked_and_started(
        client,
        login,
        on_duty,
        day,
        clock,
        booked_at=oslo(day - dt.timedelta(days=2), 12),
        late_minutes=late,
    )
    response = await _ask(client, headers, booking)
    if refunded:
        assert response.status_code == 200, response.text
        assert response.json()["amount_ore"] == 375_00
        assert response.json()["settles_within_business_days"] == 7
        # Asking again is answered with the same refund, never a second one.
        again = await _ask(client, headers, booking)
        assert again.json() == response.json()
        receipt = (
            await client.get(f"/api/v1/orders/{booking['order']['id']}", headers=headers)
        ).json()
        assert receipt["refunded_ore"] == 375_00
    else:
        assert response.status_code == 422
        assert response.json()["code"] == "doctor_not_late_enough"


@pytest.mark.parametrize(("hours_ahead", "refunded"), [(24, True), (23, False)])
async def test_only_when_booked_at_least_a_day_ahead(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    hours_ahead: int,
    refunded: bool,
) -> None:
    headers, booking = await _booked_and_started(
        client,
        login,
        on_duty,
        day,
        clock,
        booked_at=oslo(day, 8) - dt.timedelta(hours=hours_ahead),
        late_minutes=45,
    )
    response = await _ask(client, headers, booking)
    if refunded:
        assert response.status_code == 200
    else:
        assert response.json()["code"] == "booked_too_late_for_refund"


async def test_no_refund_for_drop_in_lateness(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, clock: Clock
) -> None:
    doctor = await on_duty(day, 8, 16)
    clock.now = oslo(day, 9)
    headers = await login(factories.national_id())
    place = (await client.post("/api/v1/queue", json={}, headers=headers)).json()
    clock.now = oslo(day, 11)
    await client.post(
        "/api/v1/clinician/queue/next", headers=await login(doctor.national_id, role="clinician")
    )
    response = await _ask(client, headers, {"id": place["appointment_id"]})
    assert response.json()["code"] == "drop_in_not_refunded"


async def test_no_refund_for_an_absent_patient(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    from api.policy.rules import get_policy
    from api.scheduling.jobs import mark_no_shows

    headers, booking = await _booked_and_started(
        client,
        login,
        on_duty,
        day,
        clock,
        booked_at=oslo(day - dt.timedelta(days=2), 12),
        late_minutes=None,
    )
    async with create_sessionmaker(engine)() as session:
        await mark_no_shows(session=session, now=oslo(day, 9), policy=get_policy())
        await session.commit()
    response = await _ask(client, headers, booking)
    assert response.json()["code"] == "no_refund_patient_absent"


async def test_technical_failure_goes_through_support(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    committed: Callable[..., Any],
) -> None:
    headers, booking = await _booked_and_started(
        client,
        login,
        on_duty,
        day,
        clock,
        booked_at=oslo(day - dt.timedelta(days=2), 12),
        late_minutes=0,
    )
    patient_asks = await _ask(client, headers, booking, "technical_failure")
    assert patient_asks.status_code == 422
    assert patient_asks.json()["code"] == "through_support"
    path = f"/api/v1/support/appointments/{booking['id']}/refund"
    assert (await client.post(path, headers=headers)).status_code == 403
    agent = await committed(factories.support_agent)
    support = await login(agent.national_id, role="support")
    refunded = await client.post(path, headers=support)
    assert refunded.status_code == 200
    assert refunded.json()["reason"] == "technical_failure"
    assert (await client.post(path, headers=support)).json() == refunded.json()
    # Once refunded for one reason, nothing is left to refund for another.
    late = await _ask(client, headers, booking)
    assert late.status_code in (409, 422)


async def test_insured_consults_have_nothing_to_refund(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    committed: Callable[..., Any],
) -> None:
    await on_duty(day, 8, 9)
    patient = await committed(factories.patient)
    await committed(factories.insurance, patient)
    agent = await committed(factories.support_agent)
    headers = await login(patient.national_id)
    slot = (
        await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    ).json()[0]
    booking = (
        await client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=headers)
    ).json()
    response = await client.post(
        f"/api/v1/support/appointments/{booking['id']}/refund",
        headers=await login(agent.national_id, role="support"),
    )
    assert response.json()["code"] == "nothing_paid"


async def test_clinicians_see_only_their_own_consults(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date
) -> None:
    mine, other = await on_duty(day, 8, 9), await on_duty(day, 8, 9)
    headers = await login(factories.national_id())
    slots = (
        await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    ).json()
    booked = {}
    for slot in slots[:8]:
        row = (
            await client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=headers)
        ).json()
        booked[row["id"]] = row["clinician"]["id"]
    listed = (
        await client.get(
            "/api/v1/clinician/appointments",
            params={"date": day.isoformat()},
            headers=await login(mine.national_id, role="clinician"),
        )
    ).json()
    assert {row["id"] for row in listed} == {k for k, v in booked.items() if v == str(mine.id)}
    assert listed and all(row["clinician"]["id"] == str(mine.id) for row in listed)
    start_other = await client.post(
        f"/api/v1/clinician/appointments/{listed[0]['id']}/start",
        headers=await login(other.national_id, role="clinician"),
    )
    assert start_other.status_code == 404
