"""GET /api/v1/support/tickets and /tickets/{id}: support staff only, garbage refused, and a
ticket shows the conversation, bookings and payments, never anything clinical."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from api.core.db import create_sessionmaker
from api.handoffs.models import SupportTicket, TicketStatus
from api.journal.models import JournalNote
from api.payments.models import LedgerEntry, LedgerKind, Order
from api.prescriptions.models import RenewalRequest, RenewalStatus
from api.triage.models import SymptomCheck, TriageLevel
from tests.api import factories
from tests.api.conftest import Clock, OnDuty
from tests.api.support.conftest import SERVICE, Agent, ChatPatient, SubstituteRasa, ticket_of

Login = Callable[..., Any]
NewAgent = Callable[[], Any]
ROUTES = [
    ("GET", "/api/v1/support/tickets/{id}"),
    ("POST", "/api/v1/support/tickets/{id}/take"),
    ("POST", "/api/v1/support/tickets/{id}/reply"),
    ("POST", "/api/v1/support/tickets/{id}/hand-back"),
    ("POST", "/api/v1/support/tickets/{id}/close"),
]


async def _handoff(
    client: httpx.AsyncClient, conversation: str, reason: str = "asked_for_human", **extra: Any
) -> None:
    body = {"conversation_id": conversation, "reason": reason, **extra}
    response = await client.post("/api/v1/internal/handoffs", json=body, headers=SERVICE)
    assert response.status_code in (200, 201), response.text


async def test_only_support_staff_see_the_inbox(
    client: httpx.AsyncClient, login: Login, on_duty: OnDuty, day: dt.date, agent: Agent
) -> None:
    conversation = f"anon-{uuid.uuid4().hex}"
    await _handoff(client, conversation)
    ticket = await ticket_of(client, agent, conversation)
    doctor = await on_duty(day)
    others = {
        "anonymous": ({}, 401),
        "patient": (await login(factories.national_id()), 403),
        "clinician": (await login(doctor.national_id, role="clinician"), 403),
        "action server": (SERVICE, 401),
    }
    for who, (headers, status) in others.items():
        listed = await client.get("/api/v1/support/tickets", headers=headers)
        assert listed.status_code == status, who
        for method, path in ROUTES:
            response = await client.request(
                method, path.format(id=ticket), json={"text": "hi"}, headers=headers
            )
            assert response.status_code == status, (who, path)


@pytest.mark.parametrize(
    ("method", "path", "body", "headers"),
    [
        ("GET", "/api/v1/support/tickets?status=pending", None, {}),
        ("GET", "/api/v1/support/tickets?status=", None, {}),
        ("GET", "/api/v1/support/tickets/not-a-uuid", None, {}),
        ("POST", "/api/v1/support/tickets/12345/take", None, {}),
        ("POST", "/api/v1/support/tickets/{id}/reply", {}, {}),
        ("POST", "/api/v1/support/tickets/{id}/reply", {"text": ""}, {}),
        ("POST", "/api/v1/support/tickets/{id}/reply", {"text": "  \n "}, {}),
        ("POST", "/api/v1/support/tickets/{id}/reply", {"text": "a\x00b"}, {}),
        ("POST", "/api/v1/support/tickets/{id}/reply", {"text": "x" * 1601}, {}),
        ("POST", "/api/v1/support/tickets/{id}/reply", {"text": 42}, {}),
        ("POST", "/api/v1/support/tickets/{id}/reply", {"text": "hi", "to": "+4791234567"}, {}),
        ("POST", "/api/v1/support/tickets/{id}/reply", ["hi"], {}),
        ("POST", "/api/v1/support/tickets/{id}/reply", {"text": "hi"}, {"Idempotency-Key": "x"}),
    ],
)
async def test_garbage_is_refused(
    client: httpx.AsyncClient,
    rasa: SubstituteRasa,
    agent: Agent,
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str],
) -> None:
    conversation = f"anon-{uuid.uuid4().hex}"
    await _handoff(client, conversation)
    ticket = await ticket_of(client, agent, conversation)
    await client.post(f"/api/v1/support/tickets/{ticket}/take", headers=agent.headers)
    appended = len(rasa.appended)
    response = await client.request(
        method, path.format(id=ticket), json=body, headers={**agent.headers, **headers}
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"
    assert len(rasa.appended) == appended  # nothing reached the patient


async def test_an_unknown_ticket_is_404(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent
) -> None:
    for method, path in ROUTES:
        response = await client.request(
            method, path.format(id=uuid.uuid4()), json={"text": "hi"}, headers=agent.headers
        )
        assert response.status_code == 404, path
        assert response.json()["code"] == "ticket_not_found"
    assert rasa.appended == []


async def test_the_list_shows_reason_channel_patient_age_and_holder(
    client: httpx.AsyncClient,
    rasa: SubstituteRasa,
    agent: Agent,
    patient: ChatPatient,
    clock: Clock,
) -> None:
    anonymous = f"anon-{uuid.uuid4().hex}"
    await _handoff(client, anonymous, "not_understood")
    clock.now += dt.timedelta(minutes=7)
    await _handoff(client, patient.conversation_id, "complaint", channel="sms")
    clock.now += dt.timedelta(minutes=5)
    listed = (await client.get("/api/v1/support/tickets", headers=agent.headers)).json()
    mine = {t["conversation_id"]: t for t in listed}
    first, second = mine[anonymous], mine[patient.conversation_id]
    assert (first["reason"], first["channel"], first["patient"]) == ("not_understood", "chat", None)
    assert first["age_minutes"] == 12 and second["age_minutes"] == 5
    assert (second["reason"], second["channel"]) == ("complaint", "sms")
    assert second["patient"] == {"id": str(patient.id), "name": "Ingrid Hansen"}
    assert second["held_by"] is None and second["status"] == "open"
    # The longest waiting first (no ticket is flagged here).
    order = [t["conversation_id"] for t in listed]
    assert order.index(anonymous) < order.index(patient.conversation_id)

    await client.post(f"/api/v1/support/tickets/{second['id']}/take", headers=agent.headers)
    held = (await client.get("/api/v1/support/tickets?status=held", headers=agent.headers)).json()
    assert [t["id"] for t in held if t["id"] == second["id"]] == [second["id"]]
    assert {t["status"] for t in held} == {"held"}
    opened = (await client.get("/api/v1/support/tickets?status=open", headers=agent.headers)).json()
    assert second["id"] not in [t["id"] for t in opened]
    assert {t["status"] for t in opened} == {"open"}


async def _paid_consult(
    client: httpx.AsyncClient,
    patient: ChatPatient,
    on_duty: OnDuty,
    day: dt.date,
) -> dict[str, Any]:
    await on_duty(day, 8, 9)
    slot = (
        await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    ).json()[0]
    booking = await client.post(
        "/api/v1/bookings", json={"slot_id": slot["id"]}, headers=patient.headers
    )
    assert booking.status_code == 201, booking.text
    body: dict[str, Any] = booking.json()
    return body


async def _clinical_records(
    engine: AsyncEngine, patient: ChatPatient, appointment_id: uuid.UUID, now: dt.datetime
) -> None:
    """A symptom check, a journal note and a paid renewal: all the clinicians' alone."""
    async with create_sessionmaker(engine)() as session:
        doctor = await factories.clinician(session)
        session.add(
            SymptomCheck(
                patient_id=patient.id,
                appointment_id=appointment_id,
                answers={"chief_complaint": "SYMPTOM-SECRET-chest tightness", "severity": 7},
                level=TriageLevel.VIDEO_CONSULT,
                reasons=["REASON-SECRET"],
                red_flags=[],
            )
        )
        session.add(
            JournalNote(
                appointment_id=appointment_id,
                clinician_id=doctor.id,
                text="NOTE-SECRET: suspected asthma",
                created_at=now,
                updated_at=now,
            )
        )
        order = Order(
            number=f"R-{uuid.uuid4().hex[:10]}",
            payer_id=patient.id,
            patient_id=patient.id,
            description="Prescription renewal: SUBSTANCE-SECRET-sertraline",
            list_price_ore=349_00,
            insurance_cover_ore=0,
            total_ore=349_00,
            idempotency_key=f"renewal-{uuid.uuid4().hex}",
            created_at=now,
        )
        session.add(order)
        await session.flush()
        session.add(
            LedgerEntry(
                order_id=order.id,
                kind=LedgerKind.CHARGE,
                amount_ore=349_00,
                idempotency_key=f"charge:{order.id}",
                reason="payment",
                created_at=now,
            )
        )
        session.add(
            RenewalRequest(
                patient_id=patient.id,
                requested_by_id=patient.id,
                substance="SUBSTANCE-SECRET-sertraline",
                atc="N06AB06",
                medication_text="MEDICATION-SECRET Zoloft 50 mg",
                supply_days=90,
                consent_at=now,
                status=RenewalStatus.REQUESTED,
                due_at=now + dt.timedelta(days=1),
                order_id=order.id,
            )
        )
        await session.commit()


async def test_a_ticket_shows_bookings_and_payments_but_nothing_clinical(
    client: httpx.AsyncClient,
    rasa: SubstituteRasa,
    agent: Agent,
    patient: ChatPatient,
    on_duty: OnDuty,
    day: dt.date,
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    booking = await _paid_consult(client, patient, on_duty, day)
    await _clinical_records(engine, patient, uuid.UUID(booking["id"]), clock.now)
    await patient.say("my consult failed")
    await _handoff(client, patient.conversation_id, "technical_problem")
    ticket = await ticket_of(client, agent, patient.conversation_id)

    response = await client.get(f"/api/v1/support/tickets/{ticket}", headers=agent.headers)
    assert response.status_code == 200
    detail = response.json()
    [consult] = detail["bookings"]
    assert consult["id"] == booking["id"] and consult["service"] == "doctor_consult"
    assert consult["order_number"] == booking["order"]["number"]
    assert consult["paid_ore"] == 375_00 and consult["refunded_ore"] == 0
    assert consult["refundable"] is True and consult["clinician"] == "Lege Legesen"
    by_what = {p["what"]: p for p in detail["payments"]}
    assert set(by_what) == {"Video consult with a doctor", "Prescription renewal"}
    assert by_what["Prescription renewal"]["paid_ore"] == 349_00
    raw = json.dumps(detail)
    for secret in ("SECRET", "chest tightness", "asthma", "sertraline", "Zoloft", "N06AB06"):
        assert secret not in raw, secret


async def test_the_technical_failure_refund_is_granted_once(
    client: httpx.AsyncClient,
    rasa: SubstituteRasa,
    agent: Agent,
    patient: ChatPatient,
    on_duty: OnDuty,
    day: dt.date,
) -> None:
    booking = await _paid_consult(client, patient, on_duty, day)
    await _handoff(client, patient.conversation_id, "technical_problem")
    ticket = await ticket_of(client, agent, patient.conversation_id)
    path = f"/api/v1/support/appointments/{booking['id']}/refund"
    refunds = [await client.post(path, headers=agent.headers) for _ in range(2)]
    assert [r.status_code for r in refunds] == [200, 200]
    assert refunds[0].json() == refunds[1].json()
    assert refunds[0].json()["reason"] == "technical_failure"
    detail = (await client.get(f"/api/v1/support/tickets/{ticket}", headers=agent.headers)).json()
    [consult] = detail["bookings"]
    assert consult["refunded_ore"] == 375_00 and consult["refundable"] is False
    [payment] = detail["payments"]
    assert [e["kind"] for e in payment["entries"]] == ["charge", "refund"]
    assert payment["entries"][1]["reason"] == "technical_failure"


async def test_clinical_parts_of_the_conversation_are_withheld(
    client: httpx.AsyncClient, app: FastAPI, rasa: SubstituteRasa, agent: Agent
) -> None:
    conversation = f"patient-{uuid.uuid4().hex}"
    t = 1_900_000_000.0
    await app.state.tracker_store.seed(
        conversation,
        [
            {"event": "user", "text": "what does a consult cost?", "timestamp": t},
            {"event": "bot", "text": "375 kr.", "timestamp": t + 1},
            {"event": "user", "text": "I have chest pain when running", "timestamp": t + 2},
            {"event": "active_loop", "name": "symptom_check_form", "timestamp": t + 3},
            {"event": "bot", "text": "How long has it lasted?", "timestamp": t + 4},
            {"event": "user", "text": "three weeks", "timestamp": t + 5},
            {"event": "active_loop", "name": None, "timestamp": t + 6},
            {"event": "bot", "text": "Please book a doctor: chest pain.", "timestamp": t + 7},
            {"event": "user", "text": "renew my sertraline", "timestamp": t + 8},
            {"event": "active_loop", "name": "renewal_form", "timestamp": t + 9},
            {"event": "bot", "text": "Sertraline 50 mg, right?", "timestamp": t + 10},
            {"event": "user", "text": "I want a human", "timestamp": t + 11},
            {"event": "active_loop", "name": None, "timestamp": t + 12},
            {"event": "bot", "text": "I've passed our conversation on.", "timestamp": t + 13},
            {"event": "user", "text": "thanks", "timestamp": t + 14},
            {"event": "active_loop", "name": "booking_form", "timestamp": t + 15},
            {
                "event": "bot",
                "text": "Which day?",
                "data": {"buttons": [{"title": "Today", "payload": "/today"}]},
                "timestamp": t + 16,
            },
        ],
    )
    await _handoff(client, conversation)
    ticket = await ticket_of(client, agent, conversation)
    detail = (await client.get(f"/api/v1/support/tickets/{ticket}", headers=agent.headers)).json()
    lines = [(line["sender"], line["text"]) for line in detail["transcript"]]
    assert lines == [
        ("patient", "what does a consult cost?"),
        ("assistant", "375 kr."),
        ("withheld", "Symptom check: the answers are for clinicians only."),
        ("withheld", "Prescription renewal: the details are for clinicians only."),
        ("patient", "thanks"),
        ("assistant", "Which day?"),
    ]
    assert detail["transcript"][-1]["choices"] == ["Today"]
    assert "sertraline" not in json.dumps(detail).lower()


async def test_without_the_conversation_the_handoffs_copy_is_shown(
    client: httpx.AsyncClient, agent: Agent, engine: AsyncEngine
) -> None:
    conversation = f"anon-{uuid.uuid4().hex}"
    lines = [
        {"sender": "patient", "text": "the app crashes", "at": "2031-01-06T10:00:00+00:00"},
        {"sender": "assistant", "text": "Sorry, did you mean one of these?"},
    ]
    await _handoff(client, conversation, "not_understood", transcript=lines)
    ticket = await ticket_of(client, agent, conversation)
    detail = (await client.get(f"/api/v1/support/tickets/{ticket}", headers=agent.headers)).json()
    assert detail["transcript_source"] == "handoff"
    assert [(x["sender"], x["text"]) for x in detail["transcript"]] == [
        ("patient", "the app crashes"),
        ("assistant", "Sorry, did you mean one of these?"),
    ]
    assert detail["bookings"] == [] and detail["payments"] == []
    async with create_sessionmaker(engine)() as session:
        row = await session.get(SupportTicket, uuid.UUID(ticket))
        assert row is not None and row.status is TicketStatus.OPEN
