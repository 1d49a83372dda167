"""The privacy page in headless Chromium: log in, see who read the data, download a copy and
open it, ask for erasure (and change one's mind first), then read the written confirmation
once the scheduled job has run, with the conversation gone from Rasa's tracker store.

The API runs alone here (the assistant is down), on a fixed clock, with a tracker store of
this module's own.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from playwright.sync_api import Page, expect

from api.audit import service as audit
from api.audit.models import ActorRole, AuditOutcome, Purpose
from api.chat.tracker_store import TrackerStore
from api.core.db import create_engine, create_sessionmaker
from api.core.settings import (
    ActionServerSettings,
    DatabaseSettings,
    Environment,
    RasaSettings,
    SchedulerSettings,
    Settings,
)
from api.main import create_app
from api.notifications.notifier import RecordingNotifier
from api.policy.rules import get_policy
from api.privacy.service import erase_requested
from tests.api import factories
from tests.api.privacy import seed
from tests.web.conftest import CLOSED_URL, OSLO, in_a_thread, run_in_fresh_loop
from tools.chat_page import ChatPage
from tools.stack import migrate
from tools.system import free_port

QUESTION = "Hvor lang tid tar det å fornye resepten min?"


@dataclass
class PrivacyServer:
    url: str
    database_url: str
    tracker_url: str
    now: dt.datetime


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivacyServer]:
    folder = tmp_path_factory.mktemp("privacy")
    database_url = f"sqlite:///{folder / 'telehealth.db'}"
    tracker_url = f"sqlite:///{folder / 'rasa_tracker.db'}"
    in_a_thread(lambda: migrate(database_url))
    run_in_fresh_loop(lambda: _tracker_schema(tracker_url))
    today = dt.datetime.now(OSLO).date()
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=OSLO).astimezone(dt.UTC)
    settings = Settings(
        env=Environment.DEVELOPMENT,
        database=DatabaseSettings(DATABASE_URL=database_url),
        rasa=RasaSettings(url=CLOSED_URL, timeout_seconds=2),
        actions=ActionServerSettings(url=CLOSED_URL),
        scheduler=SchedulerSettings(enabled=False),
        RASA_TRACKER_URL=tracker_url,
    )
    app = create_app(settings, clock=lambda: noon)
    running = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    try:
        yield PrivacyServer(
            f"http://127.0.0.1:{running.config.port}", database_url, tracker_url, noon
        )
    finally:
        running.should_exit = True
        thread.join(timeout=15)


async def _tracker_schema(url: str) -> None:
    store = TrackerStore(url)
    try:
        await store.create_schema()
    finally:
        await store.aclose()


def _seed(server: PrivacyServer) -> seed.Record:
    """A patient with a full record, a conversation, and a doctor who read their answers."""

    async def _make() -> seed.Record:
        engine = create_engine(DatabaseSettings(DATABASE_URL=server.database_url))
        store = TrackerStore(server.tracker_url)
        try:
            async with create_sessionmaker(engine)() as session:
                doctor = await factories.clinician(session)
                agent = await factories.support_agent(session)
                made = await seed.record(
                    session, now=server.now, clinician=doctor, agent_id=agent.id
                )
                attempt = audit.Attempt(
                    actor=audit.Actor(ActorRole.CLINICIAN, doctor.id),
                    action="symptom_check.read",
                    subject_type="appointment",
                    subject_id=made.appointment_id,
                    patient_id=made.patient.id,
                    purpose=Purpose.TREATMENT,
                    at=server.now - dt.timedelta(hours=2),
                )
                await audit.record(
                    session=session, attempts=[attempt], outcome=AuditOutcome.GRANTED
                )
                await session.commit()
            start = server.now - dt.timedelta(hours=1)
            await seed.converse(store, made.conversation_id, start, QUESTION, "Within 2 hours.")
            return made
        finally:
            await store.aclose()
            await engine.dispose()

    return run_in_fresh_loop(_make)


def _run_erasure_job(server: PrivacyServer) -> int:
    async def _run() -> int:
        engine = create_engine(DatabaseSettings(DATABASE_URL=server.database_url))
        store = TrackerStore(server.tracker_url)
        try:
            async with create_sessionmaker(engine)() as session:
                done = await erase_requested(
                    session=session,
                    notifier=RecordingNotifier(),
                    now=server.now,
                    policy=get_policy(),
                    tracker_store=store,
                    keys=seed.KEYS,
                )
                await session.commit()
                return done
        finally:
            await store.aclose()
            await engine.dispose()

    return run_in_fresh_loop(_run)


def _events_of(server: PrivacyServer, conversation_id: str) -> int:
    async def _count() -> int:
        store = TrackerStore(server.tracker_url)
        try:
            return await store.count_of(conversation_id)
        finally:
            await store.aclose()

    return run_in_fresh_loop(_count)


def _open_page(page: Page, server: PrivacyServer) -> None:
    page.goto(f"{server.url}/privacy")
    page.locator("body[data-ready]").wait_for()


def _log_in(page: Page, national_id: str, given_name: str) -> None:
    page.get_by_label("National identity number").fill(national_id)
    page.get_by_label("First name").fill(given_name)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Logged in as {given_name}")).to_be_visible()


def _fits_width(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def test_copy_who_read_and_erasure(server: PrivacyServer, phone: Page, tmp_path: Path) -> None:
    record = _seed(server)
    _open_page(phone, server)
    expect(phone).to_have_title("Your privacy")
    expect(phone.get_by_role("heading", name="Log in")).to_be_visible()
    # A wrong number is explained, and nothing opens.
    phone.get_by_label("National identity number").fill("15076500564")
    phone.get_by_role("button", name="Log in").click()
    expect(phone.locator("#login-error")).to_contain_text("check digits")
    expect(phone.get_by_label("National identity number")).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#workspace")).to_be_hidden()
    _log_in(phone, record.patient.national_id, "Åse")

    # Who read: the doctor who read the symptom check before the consult.
    log = phone.get_by_role("list", name="Who read your data")
    expect(log.get_by_role("listitem")).to_have_count(1)
    expect(log).to_contain_text("Lege Legesen (clinician)")
    expect(log).to_contain_text("Symptom check: read")
    expect(log).to_contain_text("treating clinician")
    assert _fits_width(phone)

    # A copy: downloaded, opened, and the patient's own data is in it.
    with phone.expect_download() as downloading:
        phone.get_by_role("button", name="Download a copy of my data").click()
    download = downloading.value
    local_day = server.now.astimezone(ZoneInfo("Europe/Oslo")).date()
    assert download.suggested_filename == f"my-data-{local_day:%Y-%m-%d}.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as zipped:
        assert "README.txt" in zipped.namelist()
        profile = json.loads(zipped.read("profile.json"))
        conversation = json.loads(zipped.read("conversation.json"))
        checks = json.loads(zipped.read("symptom_checks.json"))
    assert profile["patient"]["national_id"] == record.patient.national_id
    assert conversation["messages"][0]["text"] == QUESTION
    assert checks[0]["answers"]["chief_complaint"] == seed.SYMPTOM
    expect(phone.locator("#copy-status")).to_contain_text("Your copy is downloaded")
    # Making the copy read the medical record, and the list says so.
    expect(log.get_by_role("listitem")).to_have_count(5)
    expect(log).to_contain_text("Symptom check: put in a copy of your data")
    expect(log).to_contain_text("You (patient)")

    # Erasure: a confirm step first; "No" changes nothing.
    erasures = phone.get_by_role("list", name="Your erasure requests")
    expect(phone.locator("#erasure-status")).to_have_text("You have not asked for erasure.")
    phone.get_by_role("button", name="Erase my non-medical data…").click()
    expect(phone.get_by_text("Are you sure? This cannot be undone")).to_be_visible()
    expect(phone.get_by_role("button", name="No, keep it")).to_be_focused()
    phone.get_by_role("button", name="No, keep it").click()
    expect(phone.get_by_role("button", name="Erase my non-medical data…")).to_be_focused()
    chat = ChatPage(phone, server.url)  # the same login, read the same way
    headers = {"Authorization": f"Bearer {chat.access_token()}"}
    listed = httpx.get(f"{server.url}/api/v1/privacy/erasure-requests", headers=headers)
    assert listed.json() == []

    phone.get_by_role("button", name="Erase my non-medical data…").click()
    phone.get_by_role("button", name="Yes, erase my data").click()
    expect(phone.locator("#erasure-status")).to_contain_text("is registered")
    expect(erasures.get_by_role("listitem")).to_have_count(1)
    expect(erasures).to_contain_text("Waiting: done by")
    expect(phone.get_by_role("button", name="Erase my non-medical data…")).to_be_disabled()
    assert _fits_width(phone)

    # The scheduled job runs; the page shows the written confirmation.
    assert _events_of(server, record.conversation_id) > 0
    assert _run_erasure_job(server) == 1
    assert _events_of(server, record.conversation_id) == 0
    phone.reload()
    phone.locator("body[data-ready]").wait_for()
    expect(phone.get_by_text("Logged in as Åse")).to_be_visible()
    expect(erasures).to_contain_text("Done")
    expect(erasures).to_contain_text("we erased your phone number, your e-mail address")
    expect(erasures).to_contain_text("your conversations with the assistant")
    expect(erasures).to_contain_text("kept for as long as the law requires")
    expect(phone.get_by_role("button", name="Erase my non-medical data…")).to_be_enabled()

    phone.get_by_role("button", name="Log out").click()
    expect(phone.get_by_role("heading", name="Log in")).to_be_visible()
    expect(phone.locator("#notice")).to_have_text("You are logged out.")


def test_the_chat_pages_login_carries_over(server: PrivacyServer, desktop: Page) -> None:
    chat = ChatPage(desktop, server.url)
    chat.open()
    chat.log_in(factories.national_id(), "Nils")
    expect(desktop.get_by_text("Logged in as Nils")).to_be_visible()
    _open_page(desktop, server)
    expect(desktop.get_by_text("Logged in as Nils")).to_be_visible()
    expect(desktop.get_by_role("heading", name="Log in")).to_be_hidden()
    expect(desktop.locator("#log-status")).to_have_text("Nobody has read your medical data.")
    # An expired or forged login is noticed and the form comes back.
    desktop.evaluate(
        "() => sessionStorage.setItem('clinic.session', JSON.stringify("
        "{access_token: 'forged', expires_at: '2999-01-01T00:00:00Z'}))"
    )
    desktop.reload()
    desktop.locator("body[data-ready]").wait_for()
    expect(desktop.get_by_role("heading", name="Log in")).to_be_visible()
    expect(desktop.locator("#notice")).to_have_text("Your login has expired.")
