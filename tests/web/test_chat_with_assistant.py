"""A patient's visit to the chat page, with the real assistant behind it.

The system runs as `make run` starts it (API + Rasa + action server, tests/e2e's fixture);
Chromium drives the page: log in, ask a question, book with the buttons, reload, cancel.
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.policy.rules import Service, get_policy
from tests.api import factories
from tools.chat_page import ChatPage, fact
from tools.system import RunningSystem

pytestmark = pytest.mark.e2e
POLICY = get_policy()
PRICE = POLICY.rules_for(Service.DOCTOR_CONSULT).price_ore // 100


def bookings(system: RunningSystem, chat: ChatPage) -> list[dict[str, object]]:
    response = httpx.get(
        f"{system.api}/api/v1/bookings",
        headers={"Authorization": f"Bearer {chat.access_token()}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, object]] = response.json()
    return rows


def test_ask_book_reload_and_cancel(system: RunningSystem, phone: Page) -> None:
    chat = ChatPage(phone, system.api)
    chat.open()
    chat.log_in(factories.national_id(birth_date=dt.date(1988, 3, 9)), "Ingrid")
    expect(phone.get_by_text("Logged in as Ingrid")).to_be_visible()

    # A question from the FAQ, answered with the price from the clinic's policy.
    answer = chat.say("how much does a video consult with a doctor cost?")
    assert f"NOK {PRICE}" in answer, answer

    # Booking with the buttons: a doctor, a specific time, the first free slot, yes.
    chat.say("I want to book a doctor")
    assert "A specific time" in chat.choices(), chat.answer()
    chat.press("A specific time")
    assert "Which day" in chat.answer(), chat.answer()
    answer = chat.say("tomorrow at 10")
    assert "Which time suits you?" in answer, answer
    slot = chat.choices()[0]
    answer = chat.press(slot)
    assert f"{PRICE} kr" in answer and "Shall I go ahead?" in answer, answer
    # Focus moved to the new answer's first button: Enter presses "Yes".
    expect(chat.choice("Yes")).to_be_focused()
    before = phone.locator("#transcript .message").count()
    phone.keyboard.press("Enter")
    phone.wait_for_function(
        "n => document.querySelectorAll('#transcript .message').length > n + 1", arg=before
    )
    assert chat.answer().startswith("Booked:"), chat.answer()

    card = chat.card("booking")
    expect(card).to_contain_text("Booked: video consult with a doctor")
    expect(card).to_contain_text("Change or cancel until")
    expect(fact(card, "Paid")).to_have_text(f"{PRICE} kr")
    [booked] = [b for b in bookings(system, chat) if b["status"] == "booked"]
    order = booked["order"]
    assert isinstance(order, dict)
    expect(card).to_contain_text(str(order["number"]))
    # Old questions' buttons no longer work.
    assert chat.choices() == []

    # A reload shows the same conversation, read back from the assistant's tracker store.
    chat.reload()
    lines = chat.patient_lines()
    assert lines[:4] == [
        "how much does a video consult with a doctor cost?",
        "I want to book a doctor",
        "A specific time",  # the button's title, not its payload
        "tomorrow at 10",
    ], lines
    assert lines[4:] == [slot, "Yes"], lines
    expect(chat.card("booking")).to_contain_text(str(order["number"]))
    assert chat.choices() == []
    assert chat.fits_width()

    # Cancelling: the refund comes from the receipt.
    answer = chat.say("cancel my appointment")
    assert "comes back to you" in answer, answer
    chat.press("Yes")
    assert "cancelled" in chat.answer(), chat.answer()
    cancelled = chat.card("cancellation")
    expect(cancelled).to_contain_text("Cancelled")
    expect(cancelled).to_contain_text(str(order["number"]))
    days = POLICY.refunds.settlement_business_days.max
    expect(fact(cancelled, "Refund")).to_have_text(
        f"{PRICE} kr, back in your account within {days} business days"
    )
    statuses = {b["id"]: b["status"] for b in bookings(system, chat)}
    assert statuses[booked["id"]] == "cancelled"
    expect(chat.status_panel).to_be_hidden()
