"""The scheduled erasure job, run the way the scheduler runs it: non-medical data gone (the
conversations from Rasa's tracker store for real), the medical record and other patients'
data untouched, and a written confirmation of what was erased and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api import jobs
from api.certificates.models import CertificateRequest
from api.chat.tracker_store import TrackerStore
from api.core.db import create_sessionmaker
from api.handoffs.models import SupportReply, SupportTicket
from api.journal.models import JournalNote
from api.notifications.models import Notification
from api.notifications.notifier import RecordingNotifier
from api.patients.models import Patient
from api.payments.models import LedgerEntry, Order
from api.policy.rules import get_policy
from api.prescriptions.models import Dispensation, RenewalRequest
from api.privacy import erasure
from api.privacy.service import erase_requested
from api.scheduling.models import Appointment
from api.sms.models import SmsChoiceMemory, SmsInboundMessage, SmsPhoneLink, SmsVerification
from api.triage.models import SymptomCheck
from tests.api.conftest import Clock
from tests.api.privacy import seed
from tests.api.privacy.conftest import Seeded

Login = Callable[..., Any]
ERASURES = "/api/v1/privacy/erasure-requests"


@pytest.fixture
def run_job(app: FastAPI, monkeypatch: pytest.MonkeyPatch, clock: Clock) -> Callable[..., Any]:
    """Run the erasure job as the scheduler does, with this app's resources."""
    context = jobs.JobContext(
        sessionmaker=app.state.sessionmaker,
        notifier=RecordingNotifier(),
        provider=app.state.payment_provider,
        policy=app.state.policy,
        clock=clock,
        public_url="http://testserver",
        tracker_store=app.state.tracker_store,
        number_keys=seed.KEYS,
    )
    monkeypatch.setattr(jobs, "_context", context)
    return jobs.erasure


async def _talk(tracker: TrackerStore, record: seed.Record, start: dt.datetime) -> None:
    await seed.converse(tracker, record.conversation_id, start, "Jeg vil bestille time", "OK!")
    await seed.converse(tracker, record.sms_conversation_id, start, "Åpningstider?", "07-22")


async def test_the_job_erases_non_medical_data_and_keeps_the_medical_record(
    client: httpx.AsyncClient,
    login: Login,
    seeded: Seeded,
    tracker: TrackerStore,
    clock: Clock,
    engine: AsyncEngine,
    run_job: Callable[..., Any],
) -> None:
    mine, theirs = await seeded(), await seeded()
    start = clock() - dt.timedelta(days=2)
    await _talk(tracker, mine, start)
    await _talk(tracker, theirs, start)
    theirs_before = {
        cid: await tracker.count_of(cid)
        for cid in (theirs.conversation_id, theirs.sms_conversation_id)
    }
    assert all(theirs_before.values())
    assert await tracker.count_of(mine.conversation_id) > 0
    headers = await login(mine.patient.national_id)
    requested = await client.post(ERASURES, headers=headers)
    assert requested.status_code == 201

    clock.now += dt.timedelta(hours=1)
    assert await run_job() == 1
    assert await run_job() == 0  # done once; the next run finds nothing open

    # The conversations are really gone from Rasa's store; the other patient's are not.
    assert await tracker.count_of(mine.conversation_id) == 0
    assert await tracker.count_of(mine.sms_conversation_id) == 0
    assert await tracker.events_of(mine.conversation_id) == []
    for cid, count in theirs_before.items():
        assert await tracker.count_of(cid) == count

    async with create_sessionmaker(engine)() as session:
        patient = await session.get(Patient, mine.patient.id)
        assert patient is not None
        assert (patient.phone, patient.email) == (None, None)
        assert patient.national_id == mine.patient.national_id
        notification = await session.get(Notification, mine.notification_id)
        assert notification is not None and notification.body is None
        assert await session.get(SmsPhoneLink, mine.patient.id) is None
        numbers = await session.scalars(
            select(SmsVerification.phone_number).where(
                SmsVerification.patient_id == mine.patient.id
            )
        )
        assert list(numbers) == [None]
        assert await session.get(SmsChoiceMemory, mine.sms_conversation_id) is None
        replies = await session.scalars(
            select(SmsInboundMessage.reply).where(
                SmsInboundMessage.conversation_id == mine.sms_conversation_id
            )
        )
        assert list(replies) == [None]
        ticket = await session.get(SupportTicket, mine.ticket_id)
        assert ticket is not None and ticket.transcript == []
        reply = await session.get(SupportReply, mine.reply_id)
        assert reply is not None and reply.text == erasure.ERASED_REPLY

        # The medical record, and the accounts, are kept whole.
        check = await session.get(SymptomCheck, mine.check_id)
        assert check is not None and check.answers["chief_complaint"] == seed.SYMPTOM
        note = await session.get(JournalNote, mine.appointment_id)
        assert note is not None and note.text == seed.NOTE_TEXT
        assert await session.get(RenewalRequest, mine.renewal_id) is not None
        assert await session.get(CertificateRequest, mine.certificate_id) is not None
        assert await session.get(Appointment, mine.appointment_id) is not None
        assert await session.get(Order, mine.order_id) is not None
        ledger = await session.scalars(
            select(LedgerEntry.amount_ore).where(LedgerEntry.order_id == mine.order_id)
        )
        assert list(ledger) == [37500]
        kept = await session.scalars(
            select(Dispensation.substance).where(Dispensation.patient_id == mine.patient.id)
        )
        assert list(kept) == ["levothyroxine"]

        # The other patient keeps everything.
        other = await session.get(Patient, theirs.patient.id)
        assert other is not None and other.phone == theirs.phone and other.email
        their_ticket = await session.get(SupportTicket, theirs.ticket_id)
        assert their_ticket is not None and their_ticket.transcript
        assert await session.get(SmsPhoneLink, theirs.patient.id) is not None
        assert await session.get(SmsChoiceMemory, theirs.sms_conversation_id) is not None

        confirmations = list(
            await session.scalars(
                select(Notification).where(
                    Notification.patient_id == mine.patient.id,
                    Notification.kind == "erasure_confirmation",
                )
            )
        )

    [listed] = (await client.get(ERASURES, headers=headers)).json()
    assert listed["completed_at"] is not None
    confirmation = listed["confirmation"]
    local = get_policy().local(clock())
    assert f"On {local:%d.%m.%Y} at {local:%H:%M}" in confirmation
    for words in erasure.WORDS.values():
        assert words in confirmation
    assert "medical records" in confirmation
    # The confirmation is a message of its own, and kept as written.
    assert [n.body for n in confirmations] == [confirmation]


async def test_without_the_tracker_store_conversations_are_not_claimed(
    client: httpx.AsyncClient,
    login: Login,
    seeded: Seeded,
    tracker: TrackerStore,
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    mine = await seeded()
    await _talk(tracker, mine, clock() - dt.timedelta(days=1))
    headers = await login(mine.patient.national_id)
    assert (await client.post(ERASURES, headers=headers)).status_code == 201
    async with create_sessionmaker(engine)() as session:
        done = await erase_requested(
            session=session, notifier=RecordingNotifier(), now=clock(), policy=get_policy()
        )
        await session.commit()
    assert done >= 1
    [listed] = (await client.get(ERASURES, headers=headers)).json()
    assert erasure.WORDS["conversations"] not in listed["confirmation"]
    assert erasure.WORDS["phone"] in listed["confirmation"]
    assert await tracker.count_of(mine.conversation_id) > 0


async def test_a_conversation_support_holds_stays_paused_after_erasure(
    seeded: Seeded, tracker: TrackerStore, clock: Clock
) -> None:
    held, handed_back = await seeded(), await seeded()
    start = clock() - dt.timedelta(hours=1)
    for record, switches in ((held, ["resume", "pause"]), (handed_back, ["pause", "resume"])):
        await _talk(tracker, record, start)
        at = (start + dt.timedelta(minutes=5)).timestamp()
        await tracker.seed(
            record.conversation_id, [{"event": name, "timestamp": at} for name in switches]
        )
    target = erasure.Target(
        patient=held.patient, conversation_ids=(held.conversation_id, held.sms_conversation_id)
    )
    await erasure.erase_outside_the_store(tracker_store=tracker, target=target)
    # Only the pause in force is left: no words, and the bot stays silent for the agent.
    left = await tracker.events_of(held.conversation_id)
    assert [event.data for event in left] == [
        {"event": "pause", "timestamp": (start + dt.timedelta(minutes=5)).timestamp()}
    ]
    assert await tracker.count_of(held.sms_conversation_id) == 0

    # Once handed back, nothing needs keeping.
    target = erasure.Target(
        patient=handed_back.patient, conversation_ids=(handed_back.conversation_id,)
    )
    await erasure.erase_outside_the_store(tracker_store=tracker, target=target)
    assert await tracker.count_of(handed_back.conversation_id) == 0


def test_the_confirmation_names_each_category_and_fits_its_column() -> None:
    policy = get_policy()
    now = dt.datetime(2031, 7, 1, 10, 5, tzinfo=dt.UTC)  # 12:05 in Oslo (summer time)
    every = list(erasure.WORDS)
    text = erasure.confirmation(categories=every, now=now, policy=policy)
    assert text.startswith("On 01.07.2031 at 12:05 we erased your phone number, ")
    assert ", the texts of messages we sent you, " in text
    assert " and the transcripts of your conversations with our support staff." in text
    assert "kept for as long as the law requires" in text
    assert len(text) <= 1000  # erasure_requests.confirmation
    assert sorted(erasure.ERASERS) == sorted(erasure.WORDS)
    # Every category the policy may list can be erased and named.
    assert set(policy.privacy.non_medical_data) <= set(erasure.ERASERS)
    nothing = erasure.confirmation(categories=[], now=now, policy=policy)
    assert "no non-medical data" in nothing


async def test_erasure_is_asked_for_by_the_patient_or_the_assistant_only(
    app: FastAPI, client: httpx.AsyncClient, login: Login, seeded: Seeded
) -> None:
    from tests.api import factories
    from tests.api.audit import records

    mine = await seeded()
    async with create_sessionmaker(app.state.engine)() as session:
        agent = await factories.support_agent(session)
        await session.commit()
    staff = await login(agent.national_id, role="support")
    assert (await client.post(ERASURES, headers=staff)).status_code == 403
    via_chat = await client.post(ERASURES, headers=records.assistant(app, mine.patient.id))
    assert via_chat.status_code == 201
    again = await client.post(ERASURES, headers=records.assistant(app, mine.patient.id))
    assert again.status_code == 409 and again.json()["code"] == "erasure_already_requested"
    garbage = await client.post(
        ERASURES, headers={"Authorization": "Bearer not-a-token\x7f"}, content=b"\xff"
    )
    assert garbage.status_code == 401
