"""Outbound texts: notifications through the Twilio REST client, only to verified numbers
that did not say STOP, and Twilio's signed delivery reports recorded."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.core.db import create_sessionmaker
from api.notifications.models import Notification
from api.notifications.service import notify_once
from api.policy.rules import get_policy
from api.prescriptions.jobs import notify_renewal_outcomes
from api.scheduling.jobs import notify_consults_started, send_reminders
from api.sms.models import (
    OutboundStatus,
    SmsDeliveryReport,
    SmsOptOut,
    SmsOutboundMessage,
)
from api.sms.sender import SmsSendFailed
from tests.api import factories
from tests.api.conftest import Clock, OnDuty
from tests.api.factories import oslo
from tests.api.sms.conftest import (
    FROM_NUMBER,
    KEYS,
    STATUS_URL,
    Phone,
    TwilioApi,
    message_sid,
    sign,
)

Login = Callable[..., Any]
FORM = {"content-type": "application/x-www-form-urlencoded"}


async def _patient(client: httpx.AsyncClient, login: Login) -> tuple[uuid.UUID, dict[str, str]]:
    headers = await login(factories.national_id())
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    return uuid.UUID(me["id"]), headers


async def _link(
    client: httpx.AsyncClient, headers: dict[str, str], phone: Phone, twilio_api: TwilioApi
) -> None:
    """The patient proves the number is theirs by texting back the code."""
    response = await client.post(
        "/api/v1/sms/verifications", json={"phone_number": phone.number}, headers=headers
    )
    assert response.status_code == 202, response.text
    found = re.search(r"\d{6}", twilio_api.bodies[-1])
    assert found
    await phone.text(found.group(0))


async def _notify(app: FastAPI, engine: AsyncEngine, now: dt.datetime, **fields: Any) -> uuid.UUID:
    subject = uuid.uuid4()
    async with create_sessionmaker(engine)() as session:
        sent = await notify_once(
            session=session,
            notifier=app.state.notifier,
            subject_id=subject,
            now=now,
            **{"kind": "consult_starting", "body": "Your consult starts now.", **fields},
        )
        await session.commit()
    assert sent
    return subject


async def _outbound(engine: AsyncEngine, **where: Any) -> list[SmsOutboundMessage]:
    async with AsyncSession(engine) as session:
        query = select(SmsOutboundMessage).order_by(SmsOutboundMessage.created_at)
        for name, value in where.items():
            query = query.where(getattr(SmsOutboundMessage, name) == value)
        return list(await session.scalars(query))


async def _status(
    client: httpx.AsyncClient, fields: dict[str, str], *, signed: bool = True
) -> httpx.Response:
    headers = {**FORM, "X-Twilio-Signature": sign(STATUS_URL, fields) if signed else "bad"}
    return await client.post(
        "/api/v1/sms/twilio/status", content=urlencode(fields), headers=headers
    )


async def test_a_reminder_from_the_scheduler_is_texted_and_its_delivery_tracked(
    app: FastAPI,
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    phone: Phone,
    twilio_api: TwilioApi,
    engine: AsyncEngine,
) -> None:
    await on_duty(day, 8, 9)
    patient_id, headers = await _patient(client, login)
    await _link(client, headers, phone, twilio_api)
    slot = (
        await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    ).json()[0]
    booked = await client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=headers)
    assert booked.status_code == 201, booked.text

    async with create_sessionmaker(engine)() as session:
        await send_reminders(
            session=session,
            notifier=app.state.notifier,
            now=oslo(day - dt.timedelta(days=1), 9, 0),
            policy=get_policy(),
        )
        await session.commit()
    [reminder] = [m for m in twilio_api.sent if m["To"] == phone.number and "Reminder" in m["Body"]]
    assert reminder["From"] == FROM_NUMBER
    assert reminder["StatusCallback"] == STATUS_URL
    assert f"on {day:%d.%m} at 08:00" in reminder["Body"]

    [row] = await _outbound(engine, patient_id=patient_id, purpose="reminder_1440m")
    assert row.status is OutboundStatus.QUEUED
    assert row.notification_id is not None and row.message_sid

    # Twilio reports back, out of order and twice; the latest state wins, each report kept.
    for status in ("sent", "delivered", "sent", "delivered"):
        fields = {
            "MessageSid": row.message_sid,
            "MessageStatus": status,
            "AccountSid": "AC" + "1" * 32,
        }
        assert (await _status(client, fields)).status_code == 204
    [row] = await _outbound(engine, patient_id=patient_id, purpose="reminder_1440m")
    assert row.status is OutboundStatus.DELIVERED
    async with AsyncSession(engine) as session:
        reports = list(
            await session.scalars(
                select(SmsDeliveryReport.status).where(
                    SmsDeliveryReport.message_sid == row.message_sid
                )
            )
        )
    assert sorted(reports) == [OutboundStatus.DELIVERED, OutboundStatus.SENT]


async def test_no_verified_number_no_text_and_the_refusal_is_recorded(
    app: FastAPI,
    client: httpx.AsyncClient,
    login: Login,
    twilio_api: TwilioApi,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    patient_id, _ = await _patient(client, login)
    subject = await _notify(app, engine, clock(), patient_id=patient_id)
    assert twilio_api.sent == []
    [row] = await _outbound(engine, patient_id=patient_id)
    assert (row.status, row.reason, row.purpose) == (
        OutboundStatus.REFUSED,
        "no_verified_number",
        "consult_starting",
    )
    async with AsyncSession(engine) as session:
        notification = await session.scalar(
            select(Notification).where(Notification.subject_id == subject)
        )
    assert notification is not None and notification.channel == "sms"
    assert row.notification_id == notification.id


async def test_a_number_that_said_stop_is_not_texted(
    app: FastAPI,
    client: httpx.AsyncClient,
    login: Login,
    phone: Phone,
    twilio_api: TwilioApi,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    patient_id, headers = await _patient(client, login)
    await _link(client, headers, phone, twilio_api)
    await phone.text("STOP")
    before = len(twilio_api.sent)
    await _notify(app, engine, clock(), patient_id=patient_id)
    assert len(twilio_api.sent) == before
    [row] = await _outbound(engine, patient_id=patient_id, purpose="consult_starting")
    assert (row.status, row.reason) == (OutboundStatus.REFUSED, "opted_out")


async def test_staff_alerts_are_not_texted(
    app: FastAPI, twilio_api: TwilioApi, engine: AsyncEngine, clock: Clock
) -> None:
    subject = await _notify(app, engine, clock(), audience="clinicians", kind="renewal_overdue")
    assert twilio_api.sent == []
    async with AsyncSession(engine) as session:
        notification_id = await session.scalar(
            select(Notification.id).where(Notification.subject_id == subject)
        )
    [row] = await _outbound(engine, notification_id=notification_id)
    assert row.reason == "not_a_patient"


async def test_twilio_down_makes_the_job_try_again_later(
    app: FastAPI,
    client: httpx.AsyncClient,
    login: Login,
    phone: Phone,
    twilio_api: TwilioApi,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    patient_id, headers = await _patient(client, login)
    await _link(client, headers, phone, twilio_api)
    twilio_api.answers.append((503, {"message": "try later", "status": 503}))
    subject = uuid.uuid4()
    async with create_sessionmaker(engine)() as session:
        with pytest.raises(SmsSendFailed):
            await notify_once(
                session=session,
                notifier=app.state.notifier,
                kind="renewal_outcome",
                subject_id=subject,
                patient_id=patient_id,
                body="Your renewal was approved.",
                now=clock(),
            )
        await session.rollback()  # as the job's unit of work does
    async with create_sessionmaker(engine)() as session:
        assert await notify_once(
            session=session,
            notifier=app.state.notifier,
            kind="renewal_outcome",
            subject_id=subject,
            patient_id=patient_id,
            body="Your renewal was approved.",
            now=clock(),
        )
        await session.commit()
    assert twilio_api.bodies[-2:] == ["Your renewal was approved."] * 2
    [row] = await _outbound(engine, patient_id=patient_id, purpose="renewal_outcome")
    assert row.status is OutboundStatus.QUEUED


async def test_a_stop_twilio_reports_at_send_time_is_learnt(
    app: FastAPI,
    client: httpx.AsyncClient,
    login: Login,
    phone: Phone,
    twilio_api: TwilioApi,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    patient_id, headers = await _patient(client, login)
    await _link(client, headers, phone, twilio_api)
    twilio_api.answers.append((400, {"code": 21610, "message": "unsubscribed", "status": 400}))
    await _notify(app, engine, clock(), patient_id=patient_id)
    [row] = await _outbound(engine, patient_id=patient_id, purpose="consult_starting")
    assert (row.status, row.reason) == (OutboundStatus.REFUSED, "opted_out")
    async with AsyncSession(engine) as session:
        assert await session.get(SmsOptOut, KEYS.number_hash(phone.number)) is not None


async def test_a_delivery_report_of_a_stop_is_learnt(
    app: FastAPI,
    client: httpx.AsyncClient,
    login: Login,
    phone: Phone,
    twilio_api: TwilioApi,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    patient_id, headers = await _patient(client, login)
    await _link(client, headers, phone, twilio_api)
    await _notify(app, engine, clock(), patient_id=patient_id)
    [row] = await _outbound(engine, patient_id=patient_id, purpose="consult_starting")
    assert row.message_sid
    fields = {"MessageSid": row.message_sid, "MessageStatus": "failed", "ErrorCode": "21610"}
    assert (await _status(client, fields)).status_code == 204
    [row] = await _outbound(engine, patient_id=patient_id, purpose="consult_starting")
    assert (row.status, row.reason) == (OutboundStatus.FAILED, "twilio_21610")
    async with AsyncSession(engine) as session:
        assert await session.get(SmsOptOut, KEYS.number_hash(phone.number)) is not None


async def test_reports_for_messages_we_never_held_are_kept(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sid = message_sid()
    fields = {"MessageSid": sid, "MessageStatus": "delivered", "ErrorCode": ""}
    assert (await _status(client, fields)).status_code == 204
    async with AsyncSession(engine) as session:
        [report] = await session.scalars(
            select(SmsDeliveryReport).where(SmsDeliveryReport.message_sid == sid)
        )
    assert report.status is OutboundStatus.DELIVERED and report.error_code is None


async def test_an_unsigned_report_is_refused(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sid = message_sid()
    response = await _status(
        client, {"MessageSid": sid, "MessageStatus": "delivered"}, signed=False
    )
    assert response.status_code == 403
    async with AsyncSession(engine) as session:
        assert (
            list(
                await session.scalars(
                    select(SmsDeliveryReport).where(SmsDeliveryReport.message_sid == sid)
                )
            )
            == []
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"MessageStatus": "delivered"},
        {"MessageSid": "SM" + "0" * 32},
        {"MessageSid": "SM" + "0" * 32, "MessageStatus": "exploded"},
        {"MessageSid": "SM" + "0" * 32, "MessageStatus": "refused"},
        {"MessageSid": "SM" + "0" * 32, "MessageStatus": "sent", "ErrorCode": "abc"},
    ],
)
async def test_malformed_reports_are_refused_clearly(
    client: httpx.AsyncClient, fields: dict[str, str]
) -> None:
    response = await _status(client, fields)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


async def _doctor(engine: AsyncEngine, login: Login) -> dict[str, str]:
    async with create_sessionmaker(engine)() as session:
        doctor = await factories.clinician(session)
        await session.commit()
    headers: dict[str, str] = await login(doctor.national_id, role="clinician")
    return headers


async def test_your_consult_starts_now_is_texted_with_the_video_link(
    app: FastAPI,
    client: httpx.AsyncClient,
    login: Login,
    on_duty: OnDuty,
    day: dt.date,
    phone: Phone,
    twilio_api: TwilioApi,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    doctor = await on_duty(day, 8, 9)
    _, headers = await _patient(client, login)
    await _link(client, headers, phone, twilio_api)
    slot = (
        await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    ).json()[0]
    booking = (
        await client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=headers)
    ).json()
    clock.now = oslo(day, 8, 2)
    doctor_headers = await login(doctor.national_id, role="clinician")
    started = await client.post(
        f"/api/v1/clinician/appointments/{booking['id']}/start", headers=doctor_headers
    )
    assert started.status_code == 200, started.text

    for minutes in (0, 1):  # the job runs every minute: the text goes once
        async with create_sessionmaker(engine)() as session:
            await notify_consults_started(
                session=session,
                notifier=app.state.notifier,
                now=clock() + dt.timedelta(minutes=minutes),
                public_url="https://clinic.example/",
            )
            await session.commit()
    texts = [m["Body"] for m in twilio_api.sent if m["To"] == phone.number]
    assert texts[-1] == (
        f"Your video consult is starting now. Join here: https://clinic.example/video/{booking['id']}"
    )
    assert sum("starting now" in text for text in texts) == 1


@pytest.mark.parametrize(
    ("decision", "text"),
    [
        ("approve", "Your prescription renewal is approved."),
        ("refuse", "The doctor could not renew your prescription; you get your money back."),
        ("consult", "The doctor would like to talk with you in a video consult"),
    ],
)
async def test_the_renewal_outcome_is_texted_without_the_medicine(
    app: FastAPI,
    client: httpx.AsyncClient,
    login: Login,
    committed: Callable[..., Any],
    phone: Phone,
    twilio_api: TwilioApi,
    engine: AsyncEngine,
    clock: Clock,
    decision: str,
    text: str,
) -> None:
    patient = await committed(factories.patient)
    month_ago = clock().date() - dt.timedelta(days=30)
    await committed(factories.dispensed, patient, "sertraline", month_ago)
    headers = await login(patient.national_id)
    await _link(client, headers, phone, twilio_api)
    renewal = await client.post(
        "/api/v1/renewals",
        json={"medication": "Zoloft", "consent_prescription_list": True},
        headers=headers,
    )
    assert renewal.status_code == 201, renewal.text
    decided = await client.post(
        f"/api/v1/clinician/renewals/{renewal.json()['id']}/decision",
        json={"decision": decision, "reason": None if decision == "approve" else "Let us talk"},
        headers=await _doctor(engine, login),
    )
    assert decided.status_code == 200, decided.text

    for _ in range(2):
        async with create_sessionmaker(engine)() as session:
            await notify_renewal_outcomes(session=session, notifier=app.state.notifier, now=clock())
            await session.commit()
    [outcome] = [m["Body"] for m in twilio_api.sent if m["To"] == phone.number][1:]
    assert outcome.startswith(text)
    assert "sertraline" not in outcome.lower() and "zoloft" not in outcome.lower()
