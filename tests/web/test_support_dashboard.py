"""The support dashboard in headless Chromium, on the worked example's conversations.

The API runs alone in this process with a tracker store of its own, seeded with the
conversations of tests/api/support_metrics/scenario.py on the three days before today, and
the figures on the page are the ones counted by hand there.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from playwright.sync_api import Page, expect

from api.chat.tracker_store import TrackerStore
from api.core.db import create_engine, create_sessionmaker
from api.core.settings import (
    DEV_SERVICE_TOKEN,
    ActionServerSettings,
    DatabaseSettings,
    Environment,
    RasaSettings,
    SchedulerSettings,
    Settings,
)
from api.main import create_app
from tests.api import factories
from tests.api.conftest import Clock
from tests.api.support_metrics import scenario
from tests.web.conftest import CLOSED_URL, OSLO, in_a_thread, run_in_fresh_loop
from tools.stack import migrate
from tools.system import free_port

SERVICE = {"Authorization": f"Bearer {DEV_SERVICE_TOKEN}"}


@dataclass
class Dashboard:
    url: str
    day1: dt.date
    agent_number: str

    @property
    def day2(self) -> dt.date:
        return self.day1 + dt.timedelta(days=1)

    def address(self, **params: str) -> str:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return f"{self.url}/support/dashboard" + (f"?{query}" if query else "")


async def _seed_tracker(url: str, seeded: scenario.Scenario) -> None:
    store = TrackerStore(url)
    try:
        await store.create_schema()
        for talk in seeded.talks:
            await store.seed(talk.sender_id, talk.events)
    finally:
        await store.aclose()


async def _support_agent(database_url: str) -> str:
    engine = create_engine(DatabaseSettings(DATABASE_URL=database_url))
    try:
        async with create_sessionmaker(engine)() as session:
            agent = await factories.support_agent(session)
            await session.commit()
            return agent.national_id
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("dashboard")
    database_url = f"sqlite:///{folder / 'telehealth.db'}"
    tracker_url = f"sqlite:///{folder / 'rasa_tracker.db'}"
    in_a_thread(lambda: migrate(database_url))
    today = dt.datetime.now(OSLO).date()
    noon = scenario.oslo(today, 12)
    clock = Clock(noon)
    settings = Settings(
        env=Environment.DEVELOPMENT,
        database=DatabaseSettings(DATABASE_URL=database_url),
        rasa=RasaSettings(url=CLOSED_URL, timeout_seconds=2),
        actions=ActionServerSettings(url=CLOSED_URL),
        scheduler=SchedulerSettings(enabled=False),
        RASA_TRACKER_URL=tracker_url,
    )
    app = create_app(settings, clock=clock)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{server.config.port}"
    try:
        # Day 3 of the example (its last follow-up) is yesterday; every wait has ended.
        seeded = scenario.build(today - dt.timedelta(days=3), prefix=uuid.uuid4().hex[:8])
        run_in_fresh_loop(lambda: _seed_tracker(tracker_url, seeded))
        for ticket in seeded.tickets:
            clock.now = ticket.at
            body = {
                "conversation_id": ticket.conversation_id,
                "reason": ticket.reason,
                "channel": ticket.channel,
            }
            opened = httpx.post(f"{url}/api/v1/internal/handoffs", json=body, headers=SERVICE)
            assert opened.status_code == 201, opened.text
        clock.now = noon
        agent_number = run_in_fresh_loop(lambda: _support_agent(database_url))
        yield Dashboard(url, seeded.day1, agent_number)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def logged_in(dashboard: Dashboard, page: Page, **params: str) -> None:
    page.goto(dashboard.address(**params))
    page.get_by_label("National identity number").fill(dashboard.agent_number)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Sara Support")).to_be_visible()


def row(page: Page, key: str) -> dict[str, str]:
    cells = page.locator(f'#days-table tr[data-day="{key}"] td')
    return {
        str(cells.nth(i).get_attribute("data-figure")): cells.nth(i).inner_text()
        for i in range(cells.count())
    }


def bars(page: Page, series: str) -> list[tuple[str, float, float]]:
    """(day, value, drawn height) of each bar of one series, left to right."""
    found = page.locator(f'#plot rect[data-series="{series}"]')
    return [
        (
            str(found.nth(i).get_attribute("data-category")),
            float(found.nth(i).get_attribute("data-value") or "nan"),
            float(found.nth(i).get_attribute("height") or "nan"),
        )
        for i in range(found.count())
    ]


def test_the_figures_table_and_plot_of_two_days(dashboard: Dashboard, desktop: Page) -> None:
    page = desktop
    day1, day2 = dashboard.day1.isoformat(), dashboard.day2.isoformat()
    logged_in(dashboard, page, **{"from": day1, "to": day2})
    expect(page.locator("#days-table tbody tr")).to_have_count(2)
    # Counted by hand in the scenario: 6 conversations on each day.
    assert row(page, day1) == {
        "conversations": "6",
        "chat": "4",
        "sms": "2",
        "contained": "4 (67%)",
        "handed_off": "2 (33%)",
        "abandoned": "1 (17%)",
        "recontacted": "2 (33%)",
        "emergency": "1",
        "urgent_care": "0",
        "faq_answers": "4",
        "unanswered": "2",
    }
    assert row(page, day2) == {
        "conversations": "6",
        "chat": "4",
        "sms": "2",
        "contained": "5 (83%)",
        "handed_off": "1 (17%)",
        "abandoned": "0 (0%)",
        "recontacted": "1 (17%)",
        "emergency": "0",
        "urgent_care": "1",
        "faq_answers": "2",
        "unanswered": "2",
    }
    total = row(page, "total")
    assert (total["conversations"], total["contained"], total["handed_off"]) == (
        "12",
        "9 (75%)",
        "3 (25%)",
    )
    assert (total["abandoned"], total["recontacted"]) == ("1 (8%)", "3 (25%)")

    # The plot: one bar per day and series, as tall as its figure.
    conversations, contained = bars(page, "conversations"), bars(page, "contained")
    assert [(d, v) for d, v, _ in conversations] == [(day1, 6), (day2, 6)]
    assert [(d, v) for d, v, _ in contained] == [(day1, 4), (day2, 5)]
    tallest = conversations[0][2]
    assert tallest > 0 and conversations[1][2] == pytest.approx(tallest)
    assert contained[0][2] == pytest.approx(tallest * 4 / 6, rel=0.01)
    assert contained[1][2] == pytest.approx(tallest * 5 / 6, rel=0.01)
    expect(page.locator("#plot rect[data-series]")).to_have_count(4)

    topics = page.locator("#topics-table tbody tr")
    expect(topics).to_have_count(5)
    expect(topics.first).to_have_attribute("data-topic", "opening_hours")
    expect(topics.first.locator("td")).to_have_text("2")
    expect(page.locator('#topics-table tr[data-topic="cancel_doctor"] td')).to_have_text("1")

    unanswered = page.locator("#unanswered-list li")
    expect(unanswered).to_have_count(4)
    expect(unanswered.first).to_contain_text("my boss says I need a paper from you")
    expect(unanswered.first).to_have_attribute("data-reason", "no_next_step")
    expect(unanswered.last).to_contain_text(scenario.FAX_SHOWN)
    expect(page.get_by_text("22 33 44 55")).to_have_count(0)
    # The symptom answer typed into a form stays the clinician's.
    expect(page.get_by_text("rash on my arm")).to_have_count(0)
    expect(page.locator("#definitions dt")).to_have_count(8)


def test_one_channel_and_a_new_range(dashboard: Dashboard, desktop: Page) -> None:
    page = desktop
    day1, day2 = dashboard.day1.isoformat(), dashboard.day2.isoformat()
    logged_in(dashboard, page)
    page.get_by_label("From", exact=True).fill(day1)
    page.get_by_label("To", exact=True).fill(day2)
    page.get_by_label("Channel", exact=True).select_option("sms")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#figures-status")).to_contain_text("SMS")
    # B E G B2 only.
    assert row(page, "total")["conversations"] == "4"
    assert row(page, day1)["handed_off"] == "2 (100%)"
    assert [v for _, v, _ in bars(page, "conversations")] == [2, 2]
    assert [v for _, v, _ in bars(page, "contained")] == [0, 2]
    expect(page.locator("#unanswered-list li")).to_have_count(3)
    assert "channel=sms" in page.url and f"from={day1}" in page.url


def test_a_backwards_range_is_explained(dashboard: Dashboard, desktop: Page) -> None:
    page = desktop
    logged_in(dashboard, page)
    page.get_by_label("From", exact=True).fill(dashboard.day2.isoformat())
    page.get_by_label("To", exact=True).fill(dashboard.day1.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#range-error")).to_contain_text("'to' must not be before 'from'")


def test_only_support_staff_log_in(dashboard: Dashboard, desktop: Page) -> None:
    page = desktop
    page.goto(dashboard.address())
    page.get_by_label("National identity number").fill(factories.national_id())
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("no active support account")
    expect(page.locator("#workspace")).to_be_hidden()
