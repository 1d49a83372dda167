"""What the page does on its own, in headless Chromium, with the assistant down.

Login through the development identity provider, refusals shown in the API's words,
keyboard use, a phone-width layout, queue position updates and "Join video".
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.api import factories
from tests.web.conftest import PageServer
from tools.chat_page import ChatPage


def logged_in(page_server: PageServer, page: Page, given_name: str = "Kari") -> ChatPage:
    chat = page_server.chat_page(page)
    chat.open()
    chat.log_in(factories.national_id(), given_name)
    expect(page.get_by_text(f"Logged in as {given_name}")).to_be_visible()
    return chat


def test_the_logged_out_page_fits_a_phone(page_server: PageServer, phone: Page) -> None:
    chat = page_server.chat_page(phone)
    chat.open()
    expect(phone).to_have_title("Chat with the clinic")
    expect(phone.get_by_role("button", name="Log in")).to_be_visible()
    expect(phone.get_by_role("button", name="Log out")).to_be_hidden()
    expect(chat.message_box).to_be_visible()
    expect(phone.get_by_role("button", name="Send")).to_be_visible()
    expect(phone.get_by_role("log", name="Conversation")).to_be_attached()
    expect(phone.get_by_text("In an emergency, call 113.")).to_be_visible()
    assert chat.fits_width()


def test_logging_in_and_out(page_server: PageServer, phone: Page) -> None:
    chat = page_server.chat_page(phone)
    chat.open()
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url("**/api/v1/auth/dev/authorize?**")
    # The provider's form explains a wrong number and keeps the login going.
    phone.get_by_label("National identity number").fill("15076500564")
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_role("alert")).to_contain_text("check digits")
    expect(phone.get_by_label("National identity number")).to_have_attribute("aria-invalid", "true")
    phone.get_by_label("National identity number").fill(factories.national_id())
    phone.get_by_label("First name").fill("Kari")
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url(f"{page_server.url}/")
    chat.wait_ready()
    expect(phone.get_by_text("Logged in as Kari")).to_be_visible()
    # The code is gone from the address bar, and the message box has the focus.
    assert phone.url == f"{page_server.url}/"
    expect(chat.message_box).to_be_focused()

    token = chat.access_token()
    me = httpx.get(
        f"{page_server.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert me.json()["given_name"] == "Kari"

    chat.reload()
    expect(phone.get_by_text("Logged in as Kari")).to_be_visible()

    phone.get_by_role("button", name="Log out").click()
    expect(phone.get_by_role("button", name="Log in")).to_be_focused()
    expect(chat.notice).to_have_text("You are logged out.")
    chat.reload()
    expect(phone.get_by_role("button", name="Log in")).to_be_visible()


def test_a_cancelled_or_forged_login_changes_nothing(page_server: PageServer, phone: Page) -> None:
    chat = page_server.chat_page(phone)
    chat.open()
    phone.get_by_role("button", name="Log in").click()
    phone.get_by_role("link", name="Cancel").click()
    chat.wait_ready()
    expect(chat.notice).to_have_text("You cancelled the login.")
    expect(phone.get_by_role("button", name="Log in")).to_be_visible()

    # A return this tab did not start (someone else's code, a replayed link) is refused.
    phone.goto(f"{page_server.url}/?code=abc&state=not-mine")
    chat.wait_ready()
    expect(chat.notice).to_contain_text("could not be finished")
    assert phone.url == f"{page_server.url}/"
    expect(phone.get_by_role("button", name="Log in")).to_be_visible()


def test_refused_messages_show_the_apis_reason(page_server: PageServer, phone: Page) -> None:
    chat = logged_in(page_server, phone)

    chat.message_box.press("Enter")
    expect(chat.error).to_have_text(
        "Not sent: Some of what was sent is missing or not valid. "
        "(String should have at least 1 character)"
    )
    expect(chat.message_box).to_have_attribute("aria-invalid", "true")

    long_text = "a" * 5000
    chat.message_box.fill(long_text)
    phone.get_by_role("button", name="Send").click()
    expect(chat.error).to_contain_text("at most 2000 characters")
    # Nothing is lost: the text stays for shortening, and no half-sent bubble is left.
    expect(chat.message_box).to_have_value(long_text)
    expect(phone.locator("#transcript .message")).to_have_count(0)
    assert chat.fits_width()

    chat.message_box.fill("hei")
    chat.message_box.press("Enter")
    expect(chat.error).to_have_text(
        "Not sent: The assistant is not answering right now. Your message was not sent: "
        "please try again in a minute, or contact support. In an emergency, call 113."
    )
    # ...and the text stays in the box to be sent again.
    expect(chat.message_box).to_have_value("hei")
    # The earlier conversation cannot be read either; the page says so.
    chat.reload()
    expect(chat.notice).to_contain_text("cannot be shown right now")


def test_the_page_works_from_the_keyboard(page_server: PageServer, desktop: Page) -> None:
    chat = page_server.chat_page(desktop)
    chat.open()
    desktop.keyboard.press("Tab")
    expect(desktop.get_by_role("button", name="Log in")).to_be_focused()
    desktop.keyboard.press("Tab")
    expect(chat.message_box).to_be_focused()
    desktop.keyboard.type("first line")
    desktop.keyboard.press("Shift+Enter")
    desktop.keyboard.type("second line")
    expect(chat.message_box).to_have_value("first line\nsecond line")
    desktop.keyboard.press("Tab")
    expect(desktop.get_by_role("button", name="Send")).to_be_focused()
    # Enter on the button sends (and the assistant being down is reported, not hidden).
    desktop.keyboard.press("Enter")
    expect(chat.error).to_contain_text("The assistant is not answering right now")
    expect(chat.message_box).to_be_focused()

    # The login form is a labelled form that works from the keyboard too.
    desktop.get_by_role("button", name="Log in").focus()
    desktop.keyboard.press("Enter")
    desktop.wait_for_url("**/authorize?**")
    expect(desktop.get_by_label("National identity number")).to_be_focused()
    desktop.keyboard.type(factories.national_id())
    desktop.keyboard.press("Enter")
    chat.wait_ready()
    expect(desktop.get_by_text("Logged in as Patient")).to_be_visible()


def test_queue_position_then_join_video(
    page_server: PageServer, phone: Page, on_duty: Callable[[], str]
) -> None:
    doctor_number = on_duty()
    phone.clock.install()
    chat = logged_in(page_server, phone, given_name="Ola")
    expect(chat.status_panel).to_be_hidden()

    patient = {"Authorization": f"Bearer {chat.access_token()}"}
    joined = httpx.post(f"{page_server.url}/api/v1/queue", json={}, headers=patient)
    assert joined.status_code == 201, joined.text
    # The page polls the queue route; jump its clock past one polling interval.
    phone.clock.run_for(11_000)
    expect(chat.status_panel).to_be_visible()
    expect(phone.locator("#queue-status")).to_contain_text(
        "You are number 1 in the drop-in queue. Estimated wait: about 0 minutes."
    )

    doctor = httpx.post(
        f"{page_server.url}/api/v1/auth/dev-login",
        json={"national_id": doctor_number, "role": "clinician"},
    ).json()["access_token"]
    taken = httpx.post(
        f"{page_server.url}/api/v1/clinician/queue/next",
        headers={"Authorization": f"Bearer {doctor}"},
    )
    appointment = taken.json()["appointment"]
    assert appointment["status"] == "booked" and appointment["started_at"]

    phone.clock.run_for(11_000)
    join = phone.get_by_role("link", name="Join video consult")
    expect(join).to_be_visible()
    expect(join).to_have_attribute("href", f"/video/{appointment['id']}")
    expect(phone.locator("#queue-status")).to_be_hidden()
    assert chat.fits_width()

    join.click()
    # The room itself is driven with a camera in test_video_consult.py.
    expect(phone).to_have_url(f"{page_server.url}/video/{appointment['id']}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Video consult")
