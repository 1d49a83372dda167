"""Browser fixtures: Debian's headless Chromium, and the API serving the page.

Two kinds of server: the real system (API + Rasa + action server, as `make run` starts it)
for conversations, and the API alone in this process, on a fixed clock, for what the page
does by itself (login, refusals, keyboard, queue updates).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

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
from tests.e2e.conftest import system  # noqa: F401 (the real system, for the conversation test)
from tools.chat_page import DESKTOP, PHONE, BrowserMissing, ChatPage, launch_chromium
from tools.stack import migrate
from tools.system import free_port

T = TypeVar("T")
OSLO = ZoneInfo("Europe/Oslo")
CLOSED_URL = "http://127.0.0.1:9"  # nothing listens: the assistant is down on purpose


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # One per process: a second sync_playwright() inside the first one's loop fails.
    with sync_playwright() as running:
        yield running


def _launch(playwright: Playwright, *, media: bool = False) -> Browser:
    try:
        return launch_chromium(playwright, media=media)
    except BrowserMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = _launch(playwright)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def media_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with a fake camera and microphone, for the video consult."""
    chromium = _launch(playwright, media=True)
    yield chromium
    chromium.close()


def new_page(browser: Browser, viewport: Any) -> Iterator[Page]:
    """A page in a context of its own (its own storage), closed after the test."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    # A script error on the page fails the test that caused it.
    assert not errors, errors


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    yield from new_page(browser, PHONE)


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    yield from new_page(browser, DESKTOP)


def in_a_thread(work: Callable[[], T]) -> T:
    """Run ``work`` in a thread of its own: Playwright's sync API keeps an event loop running
    in this one, so anything that calls asyncio.run (migrations, seeding) goes elsewhere."""
    result: list[T] = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join()
    assert result, "the work failed (see the thread's exception above)"
    return result[0]


def run_in_fresh_loop(make: Callable[[], Awaitable[T]]) -> T:
    async def _run() -> T:
        return await make()

    return in_a_thread(lambda: asyncio.run(_run()))


@dataclass
class PageServer:
    """The API alone (the assistant is down), on a clock fixed at noon in Oslo today."""

    url: str
    database_url: str
    now: dt.datetime

    def chat_page(self, page: Page) -> ChatPage:
        return ChatPage(page, self.url)


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'telehealth.db'}"
    in_a_thread(lambda: migrate(database_url))
    today = dt.datetime.now(OSLO).date()
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=OSLO).astimezone(dt.UTC)
    settings = Settings(
        env=Environment.DEVELOPMENT,
        database=DatabaseSettings(DATABASE_URL=database_url),
        rasa=RasaSettings(url=CLOSED_URL, timeout_seconds=2),
        actions=ActionServerSettings(url=CLOSED_URL),
        scheduler=SchedulerSettings(enabled=False),
    )
    app = create_app(settings, clock=lambda: noon)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    try:
        yield PageServer(f"http://127.0.0.1:{server.config.port}", database_url, noon)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def on_duty(page_server: PageServer) -> Callable[[], str]:
    """Put a doctor on duty today; returns the doctor's national identity number."""
    from tests.api import factories

    async def _make() -> str:
        engine = create_engine(DatabaseSettings(DATABASE_URL=page_server.database_url))
        try:
            async with create_sessionmaker(engine)() as session:
                doctor = await factories.clinician(session)
                await factories.shift(
                    session, doctor, page_server.now.astimezone(OSLO).date(), 7, 22
                )
                await session.commit()
                return doctor.national_id
        finally:
            await engine.dispose()

    return lambda: run_in_fresh_loop(_make)
