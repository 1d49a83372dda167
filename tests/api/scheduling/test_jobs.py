"""Appointment jobs: reminders once each, no-shows, closing the drop-in queue."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.core.db import create_sessionmaker
from api.notifications.models import Notification
from api.notifications.notifier import RecordingNotifier
from api.policy.rules import get_policy
from api.scheduling import consults
from api.scheduling.jobs import (
    close_drop_in_queue,
    mark_no_shows,
    refund_late_doctors,
    send_reminders,
)
from tests.api import factories
from tests.api.conftest import Clock, OnDuty
from tests.api.factories import oslo

Login = Callable[..., Any]


async def _run(engine: AsyncEngine, job: Callable[..., Any], **kwargs: Any) -> int:
    async with create_sessionmaker(engine)() as session:
        done = int(await job(session=session, policy=get_policy(), **kwargs))
        await session.commit()
    return done


async def _book(client: httpx.AsyncClient, headers: dict[str, str], day: dt.date) -> dict[str, Any]:
    slot = (
        await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    ).json()[0]
    return dict(
        (
            await client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=headers)
        ).json()
    )


async def _texts(engine: AsyncEngine, subject: str) -> list[tuple[str, str | None]]:
    import uuid

    async with create_sessionmaker(engine)() as session:
        rows = await session.scalars(
            select(Notification)
            .where(Notification.subject_id == uuid.UUID(subject))
            .order_by(Notification.created_at)
        )
        return [(row.kind, row.body) for row in rows]


async def test_reminders_go_out_once_at_24_hours_and_1_hour(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    await on_duty(day, 8, 9)
    clock.now = oslo(day - dt.timedelta(days=3), 12)
    booking = await _book(client, await login(factories.national_id()), day)
    notifier = RecordingNotifier()

    await _run(
        engine, send_reminders, notifier=notifier, now=oslo(day - dt.timedelta(days=1), 7, 59)
    )
    assert await _texts(engine, booking["id"]) == []
    await _run(
        engine, send_reminders, notifier=notifier, now=oslo(day - dt.timedelta(days=1), 8, 0)
    )
    await _run(
        engine, send_reminders, notifier=notifier, now=oslo(day - dt.timedelta(days=1), 9, 0)
    )
    texts = await _texts(engine, booking["id"])
    assert [kind for kind, _ in texts] == ["reminder_1440m"]
    body = texts[0][1] or ""
    assert f"on {day:%d.%m} at 08:00" in body
    assert f"until {day:%d.%m} 07:00" in body

    await _run(engine, send_reminders, notifier=notifier, now=oslo(day, 7, 1))
    await _run(engine, send_reminders, notifier=notifier, now=oslo(day, 7, 30))
    kinds = [kind for kind, _ in await _texts(engine, booking["id"])]
    assert kinds == ["reminder_1440m", "reminder_60m"]


async def test_cancelled_bookings_get_no_reminder(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    await on_duty(day, 8, 9)
    headers = await login(factories.national_id())
    booking = await _book(client, headers, day)
    await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=headers)
    await _run(engine, send_reminders, notifier=RecordingNotifier(), now=oslo(day, 7, 30))
    assert await _texts(engine, booking["id"]) == []


async def test_no_show_after_the_grace_period(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, engine: AsyncEngine
) -> None:
    await on_duty(day, 8, 9)
    headers = await login(factories.national_id())
    booking = await _book(client, headers, day)  # 08:00-08:15

    async def status() -> str:
        row = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=headers)).json()
        return str(row["status"])

    # The store is shared with other tests: judge this booking, not the job's count.
    await _run(engine, mark_no_shows, now=oslo(day, 8, 30))
    assert await status() == "booked"
    await _run(engine, mark_no_shows, now=oslo(day, 8, 31))
    assert await status() == "noshow"


async def test_queue_places_left_at_closing_are_refunded(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    await on_duty(day, 8, 16)
    clock.now = oslo(day, 21, 50)
    headers = await login(factories.national_id())
    place = (await client.post("/api/v1/queue", json={}, headers=headers)).json()
    path = f"/api/v1/bookings/{place['appointment_id']}"
    await _run(engine, close_drop_in_queue, now=oslo(day, 21, 55))
    assert (await client.get(path, headers=headers)).json()["status"] == "waitlist"
    await _run(engine, close_drop_in_queue, now=oslo(day, 22, 0))
    await _run(engine, close_drop_in_queue, now=oslo(day, 22, 5))
    clock.now = oslo(day, 22, 10)
    row = (await client.get(path, headers=headers)).json()
    assert row["status"] == "cancelled"
    receipt = (await client.get(f"/api/v1/orders/{row['order']['id']}", headers=headers)).json()
    assert receipt["refunded_ore"] == 375_00


async def test_a_waiting_patient_is_refunded_once_the_doctor_is_30_minutes_late(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
) -> None:
    await on_duty(day, 8, 9)
    clock.now = oslo(day - dt.timedelta(days=2), 12)
    headers = await login(factories.national_id())
    booking = await _book(client, headers, day)
    waiting = await _book(client, headers, day)
    async with create_sessionmaker(engine)() as session:
        # The second patient entered the waiting room; the first never came.
        await consults.arrive(session=session, appointment_id=uuid.UUID(waiting["id"]))
        await session.commit()

    async def refunded() -> dict[str, int]:
        return {
            b["id"]: (
                await client.get(f"/api/v1/orders/{b['order']['id']}", headers=headers)
            ).json()["refunded_ore"]
            for b in (booking, waiting)
        }

    # The store is shared with other tests: judge these bookings, not the job's count.
    await _run(engine, refund_late_doctors, now=oslo(day, 8, 45))
    assert await refunded() == {booking["id"]: 0, waiting["id"]: 0}
    await _run(engine, refund_late_doctors, now=oslo(day, 8, 46))
    assert await refunded() == {booking["id"]: 0, waiting["id"]: 375_00}
    # Once: a later run refunds nothing more.
    await _run(engine, refund_late_doctors, now=oslo(day, 9))
    assert await refunded() == {booking["id"]: 0, waiting["id"]: 375_00}
