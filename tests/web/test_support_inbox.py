"""The support inbox in the browser, with the real assistant behind it.

The system runs as `make run` starts it (API + Rasa + action server, tests/e2e's fixture).
A patient asks the assistant for a person on the chat page; support logs in on /support,
opens the handed-over conversation, takes it (Rasa is paused: the patient's next message
gets no answer), replies (the patient's page shows it, marked as support's, and so does a
reload), refunds the patient's consult for technical failure with the inbox's button, and
hands the conversation back (the assistant answers again).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.core.db import create_engine, create_sessionmaker
from api.core.settings import DatabaseSettings
from api.policy.rules import Service, get_policy
from tests.api import factories
from tests.web.conftest import run_in_fresh_loop
from tools.chat_page import ANSWER_TIMEOUT_MS, ChatPage
from tools.system import RunningSystem

pytestmark = pytest.mark.e2e

REPLY = "Hi Ingrid, this is Sara from support. What went wrong with your consult?"
# The chat page polls for news every few seconds while support is involved.
POLL_MS = 20_000


def _support_agent(system: RunningSystem) -> str:
    """A support agent in the running system's store; returns their identity number."""
    url = system.database_url or f"sqlite:///{system.var_dir / 'telehealth.db'}"

    async def _make() -> str:
        engine = create_engine(DatabaseSettings(DATABASE_URL=url))
        try:
            async with create_sessionmaker(engine)() as session:
                agent = await factories.support_agent(session)
                await session.commit()
                return agent.national_id
        finally:
            await engine.dispose()

    return run_in_fresh_loop(_make)


def _book_a_consult(system: RunningSystem, chat: ChatPage) -> None:
    """A paid consult tomorrow (the development seed puts doctors on duty all week)."""
    tomorrow = dt.datetime.now(ZoneInfo("Europe/Oslo")).date() + dt.timedelta(days=1)
    slots = httpx.get(
        f"{system.api}/api/v1/slots",
        params={"service": "doctor", "date": tomorrow.isoformat()},
        timeout=10,
    ).json()
    assert slots, "no free slot tomorrow"
    booked = httpx.post(
        f"{system.api}/api/v1/bookings",
        json={"slot_id": slots[0]["id"]},
        headers={"Authorization": f"Bearer {chat.access_token()}"},
        timeout=10,
    )
    assert booked.status_code == 201, booked.text


def _log_in_to_the_inbox(page: Page, system: RunningSystem, national_id: str) -> None:
    page.goto(f"{system.api}/support")
    page.locator("body[data-ready]").wait_for()
    page.get_by_label("National identity number").fill(national_id)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Sara Support")).to_be_visible()


def _say_to_nobody(chat: ChatPage, text: str) -> None:
    """Send a message that nobody answers at once (the assistant is paused)."""
    chat.message_box.fill(text)
    chat.message_box.press("Enter")
    chat.page.locator("#composer:not([aria-busy])").wait_for(timeout=ANSWER_TIMEOUT_MS)
    expect(chat.page.locator("#transcript .message.pending")).to_have_count(0)


def test_support_takes_the_conversation_replies_and_hands_it_back(
    system: RunningSystem, phone: Page, desktop: Page
) -> None:
    agent = _support_agent(system)
    chat = ChatPage(phone, system.api)
    chat.open()
    chat.log_in(factories.national_id(birth_date=dt.date(1990, 4, 2)), "Ingrid")
    _book_a_consult(system, chat)
    answer = chat.say("talk to a human")
    assert "passed our conversation to the support team" in answer, answer
    banner = phone.locator("#support-status")
    expect(banner).to_contain_text("passed to our support team", timeout=POLL_MS)

    # Support finds the conversation in the inbox and takes it over.
    inbox = desktop
    _log_in_to_the_inbox(inbox, system, agent)
    ticket = inbox.locator("#ticket-list [data-ticket]").filter(has_text="Ingrid")
    expect(ticket).to_contain_text("Asked for a person")
    ticket.get_by_role("button", name="Open").click()
    transcript = inbox.locator("#staff-transcript")
    expect(transcript).to_contain_text("talk to a human")
    expect(transcript).to_contain_text("passed our conversation to the support team")
    inbox.get_by_role("button", name="Take the conversation").click()
    expect(inbox.locator("#ticket-facts")).to_contain_text("Held by you")
    expect(banner).to_contain_text("A member of our support team is with you", timeout=POLL_MS)

    # The assistant is paused: the patient's message reaches support, and nobody else answers.
    _say_to_nobody(chat, "my video consult kept freezing, can I get my money back?")
    assert chat.answer() == ""
    expect(transcript).to_contain_text("can I get my money back?", timeout=POLL_MS)

    inbox.get_by_label("Reply to the patient").fill(REPLY)
    inbox.get_by_role("button", name="Send reply").click()
    expect(inbox.locator("#reply-status")).to_contain_text("Shown in the patient's chat")
    expect(transcript).to_contain_text(REPLY)

    # The patient's page shows the reply as support's, once, and still after a reload.
    from_support = phone.locator("#transcript .message.from-support")
    expect(from_support).to_have_count(1, timeout=POLL_MS)
    expect(from_support).to_contain_text(REPLY)
    expect(from_support.locator(".sender-label")).to_have_text("Sara, support team")
    chat.reload()
    expect(from_support).to_have_count(1)
    expect(from_support).to_contain_text(REPLY)
    expect(banner).to_contain_text("A member of our support team is with you", timeout=POLL_MS)

    # The consult failed for technical reasons: support refunds it, once.
    price = get_policy().rules_for(Service.DOCTOR_CONSULT).price_ore // 100
    booking = inbox.locator("#booking-list [data-booking]")
    expect(booking).to_contain_text(f"{price} kr")
    booking.get_by_role("button", name="Refund: technical failure").click()
    expect(booking.locator(".outcome")).to_contain_text(f"Refunded {price} kr (technical failure)")
    expect(inbox.locator("#payment-list")).to_contain_text("Technical failure")

    # Handed back: the banner goes, and the assistant answers again.
    inbox.get_by_role("button", name="Hand back to the assistant").click()
    expect(inbox.locator("#ticket-status")).to_contain_text("Handed back")
    expect(banner).not_to_contain_text("A member of our support team", timeout=POLL_MS)
    opens = get_policy().opening_hours["doctor"].opens.strftime("%H:%M")
    answer = chat.say("when are you open?")
    assert opens in answer, answer
    expect(from_support).to_have_count(1)
