"""Orders, receipts, the ledger and refunds, on both databases."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.core.db import create_sessionmaker
from api.payments.models import LedgerEntry, LedgerKind, RefundSettlement
from api.payments.provider import DevelopmentPaymentProvider
from api.payments.service import settle_refunds
from tests.api import factories
from tests.api.conftest import Clock, OnDuty
from tests.api.factories import oslo

Login = Callable[..., Any]


async def _first_slot(client: httpx.AsyncClient, day: dt.date, index: int = 0) -> str:
    slots = (
        await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    ).json()
    return str(slots[index]["id"])


async def _ledger(engine: AsyncEngine, order_id: str) -> list[tuple[LedgerKind, int]]:
    async with create_sessionmaker(engine)() as session:
        rows = await session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.order_id == uuid.UUID(order_id))
            .order_by(LedgerEntry.created_at, LedgerEntry.kind)
        )
        return [(row.kind, row.amount_ore) for row in rows]


async def test_booking_pays_and_the_confirmation_is_the_receipt(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, engine: AsyncEngine
) -> None:
    await on_duty(day, 8, 9)
    headers = await login(factories.national_id())
    booking = (
        await client.post(
            "/api/v1/bookings", json={"slot_id": await _first_slot(client, day)}, headers=headers
        )
    ).json()
    order = booking["order"]
    assert order["total_ore"] == 375_00
    receipt = (await client.get(f"/api/v1/orders/{order['id']}", headers=headers)).json()
    assert receipt["number"] == order["number"]
    assert receipt["description"].startswith("Video consult with a doctor, ")
    assert receipt["description"].endswith(f"{day:%d.%m.%Y} 08:00")
    assert (receipt["list_price_ore"], receipt["insurance_cover_ore"], receipt["total_ore"]) == (
        375_00,
        0,
        375_00,
    )
    assert receipt["vat_ore"] == 0
    assert "VAT" in receipt["vat_note"]
    assert await _ledger(engine, order["id"]) == [(LedgerKind.CHARGE, 375_00)]


async def test_insured_booking_records_the_cover_and_charges_nothing(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    engine: AsyncEngine,
    committed: Callable[..., Any],
) -> None:
    await on_duty(day, 8, 9)
    patient = await committed(factories.patient)
    await committed(factories.insurance, patient)
    headers = await login(patient.national_id)
    booking = (
        await client.post(
            "/api/v1/bookings", json={"slot_id": await _first_slot(client, day)}, headers=headers
        )
    ).json()
    receipt = (await client.get(f"/api/v1/orders/{booking['order']['id']}", headers=headers)).json()
    assert (receipt["insurance_cover_ore"], receipt["total_ore"]) == (375_00, 0)
    assert await _ledger(engine, booking["order"]["id"]) == [(LedgerKind.INSURANCE_COVER, 375_00)]


async def test_a_retried_booking_is_never_charged_twice(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, engine: AsyncEngine
) -> None:
    await on_duty(day, 8, 9)
    headers = {**await login(factories.national_id()), "Idempotency-Key": "retry-me-12345"}
    slot_id = await _first_slot(client, day)
    first = await client.post("/api/v1/bookings", json={"slot_id": slot_id}, headers=headers)
    second = await client.post("/api/v1/bookings", json={"slot_id": slot_id}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert await _ledger(engine, first.json()["order"]["id"]) == [(LedgerKind.CHARGE, 375_00)]
    other_slot = await _first_slot(client, day)
    reused = await client.post("/api/v1/bookings", json={"slot_id": other_slot}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("key", ["short", "has spaces in it", "x" * 101, "semi;colons;here"])
async def test_bad_idempotency_keys_are_refused(
    client: httpx.AsyncClient, login: Login, key: str
) -> None:
    headers = {**await login(factories.national_id()), "Idempotency-Key": key}
    response = await client.post(
        "/api/v1/bookings", json={"slot_id": str(uuid.uuid4())}, headers=headers
    )
    assert response.status_code == 422


async def test_cancel_in_time_refunds_once_and_settles_once(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    await on_duty(day, 8, 9)
    headers = await login(factories.national_id())
    booking = (
        await client.post(
            "/api/v1/bookings", json={"slot_id": await _first_slot(client, day)}, headers=headers
        )
    ).json()
    await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=headers)
    await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=headers)
    order_id = booking["order"]["id"]
    assert await _ledger(engine, order_id) == [
        (LedgerKind.CHARGE, 375_00),
        (LedgerKind.REFUND, 375_00),
    ]
    receipt = (await client.get(f"/api/v1/orders/{order_id}", headers=headers)).json()
    assert receipt["refunded_ore"] == 375_00

    provider = DevelopmentPaymentProvider()
    async with create_sessionmaker(engine)() as session:
        assert await settle_refunds(session=session, provider=provider, now=clock()) >= 1
        await session.commit()
    async with create_sessionmaker(engine)() as session:
        assert await settle_refunds(session=session, provider=provider, now=clock()) == 0
        settled = await session.scalar(
            select(func.count(RefundSettlement.id))
            .join(LedgerEntry, LedgerEntry.id == RefundSettlement.ledger_entry_id)
            .where(LedgerEntry.order_id == uuid.UUID(order_id))
        )
    assert settled == 1


async def test_late_cancellation_keeps_the_money(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    await on_duty(day, 8, 9)
    headers = await login(factories.national_id())
    booking = (
        await client.post(
            "/api/v1/bookings", json={"slot_id": await _first_slot(client, day)}, headers=headers
        )
    ).json()
    clock.now = oslo(day, 7, 30)
    late = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=headers)
    assert late.status_code == 422
    assert await _ledger(engine, booking["order"]["id"]) == [(LedgerKind.CHARGE, 375_00)]


async def test_reschedule_refunds_the_old_order_and_charges_the_new(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, engine: AsyncEngine
) -> None:
    await on_duty(day, 8, 9)
    headers = await login(factories.national_id())
    booking = (
        await client.post(
            "/api/v1/bookings", json={"slot_id": await _first_slot(client, day)}, headers=headers
        )
    ).json()
    moved = (
        await client.post(
            f"/api/v1/bookings/{booking['id']}/reschedule",
            json={"slot_id": await _first_slot(client, day, 1)},
            headers=headers,
        )
    ).json()
    assert await _ledger(engine, booking["order"]["id"]) == [
        (LedgerKind.CHARGE, 375_00),
        (LedgerKind.REFUND, 375_00),
    ]
    assert await _ledger(engine, moved["order"]["id"]) == [(LedgerKind.CHARGE, 375_00)]


async def test_leaving_the_queue_refunds(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    await on_duty(day, 8, 16)
    clock.now = oslo(day, 9)
    headers = await login(factories.national_id())
    place = (await client.post("/api/v1/queue", json={}, headers=headers)).json()
    mine = (await client.get(f"/api/v1/bookings/{place['appointment_id']}", headers=headers)).json()
    await client.post(f"/api/v1/bookings/{place['appointment_id']}/cancel", headers=headers)
    assert await _ledger(engine, mine["order"]["id"]) == [
        (LedgerKind.CHARGE, 375_00),
        (LedgerKind.REFUND, 375_00),
    ]


async def test_receipts_of_others_are_404(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date
) -> None:
    await on_duty(day, 8, 9)
    owner = await login(factories.national_id())
    booking = (
        await client.post(
            "/api/v1/bookings", json={"slot_id": await _first_slot(client, day)}, headers=owner
        )
    ).json()
    stranger = await login(factories.national_id())
    response = await client.get(f"/api/v1/orders/{booking['order']['id']}", headers=stranger)
    assert response.status_code == 404
    assert (await client.get(f"/api/v1/orders/{booking['order']['id']}")).status_code == 401


@pytest.mark.parametrize(
    "statement",
    ["UPDATE ledger_entries SET amount_ore = 1", "DELETE FROM ledger_entries"],
)
async def test_the_ledger_is_append_only_in_the_database(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    engine: AsyncEngine,
    statement: str,
) -> None:
    await on_duty(day, 8, 9)
    headers = await login(factories.national_id())
    await client.post(
        "/api/v1/bookings", json={"slot_id": await _first_slot(client, day)}, headers=headers
    )
    async with engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            await connection.execute(text(statement))
        await connection.rollback()


async def test_a_key_is_one_purchase_across_kinds(
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    committed: Callable[..., Any],
) -> None:
    await on_duty(day, 8, 16)
    clock.now = oslo(day, 8)
    patient = await committed(factories.patient)
    await committed(factories.dispensed, patient, "metformin", day - dt.timedelta(days=10))
    headers = {**await login(patient.national_id), "Idempotency-Key": "one-purchase-only"}
    booking = await client.post(
        "/api/v1/bookings", json={"slot_id": await _first_slot(client, day, 4)}, headers=headers
    )
    assert booking.status_code == 201
    queue = await client.post("/api/v1/queue", json={}, headers=headers)
    assert (queue.status_code, queue.json()["code"]) == (422, "idempotency_key_reused")
    renewal = await client.post(
        "/api/v1/renewals",
        json={"medication": "metformin", "consent_prescription_list": True},
        headers=headers,
    )
    assert (renewal.status_code, renewal.json()["code"]) == (422, "idempotency_key_reused")


async def test_a_retried_queue_join_returns_the_same_place(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, clock: Clock
) -> None:
    await on_duty(day, 8, 16)
    clock.now = oslo(day, 9)
    headers = {**await login(factories.national_id()), "Idempotency-Key": "join-once-please"}
    first = await client.post("/api/v1/queue", json={}, headers=headers)
    second = await client.post("/api/v1/queue", json={}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["appointment_id"] == second.json()["appointment_id"]
