"""The video consult in two browsers: the patient's page and the clinician's console.

Both run in Chromium with its fake camera (a test pattern) and microphone (a beep); media
goes over 127.0.0.1 through the rooms' server of the API in this process (the page
server, on its fixed clock).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api import factories
from tests.web.conftest import PageServer, new_page
from tools.chat_page import DESKTOP, PHONE, ChatPage
from video.ice import restrict_to_loopback

# The pages put their room on `window.__room` only when a test asks for it.
EXPOSE_ROOM = "window.__exposeRoomForTests = true;"
# What this side's peer connection has received: decoded video frames, audio packets.
READ_INBOUND = """async () => {
  const pc = window.__room?.pc;
  if (!pc) return null;
  const seen = { frames: 0, packets: 0 };
  (await pc.getStats()).forEach((report) => {
    if (report.type !== "inbound-rtp") return;
    if (report.kind === "video") seen.frames += report.framesDecoded ?? 0;
    if (report.kind === "audio") seen.packets += report.packetsReceived ?? 0;
  });
  return seen;
}"""
MEDIA_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module", autouse=True)
def loopback_only() -> None:
    # The app does this too (VIDEO_LOOPBACK_ONLY); said here so the test does not depend on it.
    restrict_to_loopback()


def _video_page(browser: Browser, viewport: object) -> Iterator[Page]:
    for page in new_page(browser, viewport):
        page.add_init_script(EXPOSE_ROOM)
        yield page


@pytest.fixture
def patient_phone(media_browser: Browser) -> Iterator[Page]:
    yield from _video_page(media_browser, PHONE)


@pytest.fixture
def clinician_desktop(media_browser: Browser) -> Iterator[Page]:
    yield from _video_page(media_browser, DESKTOP)


def patient_logged_in(page_server: PageServer, page: Page) -> dict[str, str]:
    """Log in on the chat page (the video page reads that login); the API headers."""
    chat = ChatPage(page, page_server.url)
    chat.open()
    chat.log_in(factories.national_id(), "Kari")
    return {"Authorization": f"Bearer {chat.access_token()}"}


def clinician_logged_in(page_server: PageServer, page: Page, national_id: str) -> None:
    page.goto(f"{page_server.url}/console")
    page.get_by_label("National identity number").fill(national_id)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Lege Legesen")).to_be_visible()


def inbound(page: Page) -> dict[str, int]:
    seen = page.evaluate(READ_INBOUND)
    assert seen is not None, "the page has no peer connection"
    return dict(seen)


def first_media(page: Page) -> dict[str, int]:
    """The first reading in which both video frames and audio packets have arrived."""
    # Polled from here: the pages' policy forbids eval, which string predicates would need.
    deadline = time.monotonic() + MEDIA_TIMEOUT_MS / 1000
    while (seen := inbound(page))["frames"] == 0 or seen["packets"] == 0:
        assert time.monotonic() < deadline, f"no media arrived: {seen}"
        page.wait_for_timeout(200)
    return seen


def media_flows_both_ways(patient: Page, clinician: Page) -> None:
    """Each side decodes more of the other's video, and receives more of their sound."""
    before = {"patient": first_media(patient), "clinician": first_media(clinician)}
    patient.wait_for_timeout(2_000)
    after = {"patient": inbound(patient), "clinician": inbound(clinician)}
    for side in before:
        assert after[side]["frames"] > before[side]["frames"], (side, before, after)
        assert after[side]["packets"] > before[side]["packets"], (side, before, after)


def drop_socket(page: Page) -> str:
    """Cut the room's socket as a network would; returns the participant key it had."""
    key: str = page.evaluate("() => window.__room.key")
    page.evaluate("() => window.__room.connection.socket.close()")
    return key


def wait_back_in(page: Page, old_key: str) -> None:
    """Until the page is in the room on a new connection (a function: the CSP forbids eval)."""
    page.wait_for_function(
        "(old) => window.__room.key !== old && window.__room.pc?.connectionState === 'connected'",
        arg=old_key,
    )


def test_a_consult_from_the_waiting_room_to_its_end(
    page_server: PageServer,
    on_duty: Callable[[], str],
    patient_phone: Page,
    clinician_desktop: Page,
) -> None:
    url = page_server.url
    doctor_number = on_duty()
    patient = patient_logged_in(page_server, patient_phone)
    queued = httpx.post(f"{url}/api/v1/queue", json={}, headers=patient)
    assert queued.status_code == 201, queued.text
    appointment_id = queued.json()["appointment_id"]
    check = httpx.post(
        f"{url}/api/v1/symptom-checks",
        json={"chief_complaint": "Sore throat", "severity": 4, "fever": False, "age_years": 40},
        headers=patient,
    )
    assert check.status_code == 200, check.text
    attached = httpx.post(
        f"{url}/api/v1/symptom-checks/{check.json()['id']}/attach",
        json={"appointment_id": appointment_id},
        headers=patient,
    )
    assert attached.status_code == 200, attached.text

    # The doctor takes the patient from the drop-in queue and opens the room.
    console = clinician_desktop
    clinician_logged_in(page_server, console, doctor_number)
    console.get_by_role("button", name="Take next drop-in patient").click()
    consult = console.locator(f'[data-appointment="{appointment_id}"]')
    expect(consult).to_contain_text("Symptom check:")
    expect(consult).to_contain_text("Sore throat")
    consult.get_by_role("button", name="Start video").click()
    presence = console.locator("#presence")
    expect(presence).to_have_text("The patient has not joined yet.")

    # The patient enters the waiting room: their own picture and a device check.
    patient_phone.goto(f"{url}/video/{appointment_id}")
    status = patient_phone.locator("#room-status")
    expect(status).to_have_text("Waiting for your clinician to let you in.")
    expect(patient_phone.locator("[data-check=camera]")).to_have_text(re.compile(r"^OK"))
    expect(patient_phone.locator("[data-check=microphone]")).to_have_text("OK")
    expect(patient_phone.locator("[data-check=connection]")).to_have_text("OK")
    expect(patient_phone.locator("#remote-tile")).to_be_hidden()

    expect(presence).to_have_text("The patient is in the waiting room.")
    # The chat says where the patient is: the waiting room, then the consult.
    chat = patient_phone.context.new_page()
    login = patient_phone.evaluate("() => sessionStorage.getItem('clinic.session')")
    chat.add_init_script(f"sessionStorage.setItem('clinic.session', {login!r});")
    chat.goto(f"{url}/")
    video_status = chat.locator("#video-status")
    expect(video_status).to_contain_text("You are in the waiting room.")
    expect(video_status.get_by_role("link")).to_have_attribute("href", f"/video/{appointment_id}")

    admit = console.get_by_role("button", name="Admit")
    expect(admit).to_be_enabled()
    admit.click()
    expect(status).to_have_text("You are in the consult with your clinician.")
    expect(presence).to_have_text("The patient is in the consult.")
    expect(admit).to_be_disabled()
    chat.reload()
    expect(video_status).to_contain_text("You are in your video consult.")
    chat.close()

    media_flows_both_ways(patient_phone, console)
    assert patient_phone.evaluate("() => document.documentElement.scrollWidth <= innerWidth")

    # The patient's connection drops: the page joins again by itself, once...
    old_key = drop_socket(patient_phone)
    expect(status).to_have_text("You are in the consult with your clinician.")
    wait_back_in(patient_phone, old_key)
    expect(presence).to_have_text("The patient is in the consult.")
    # ...and when that is used up, the patient presses Reconnect.
    patient_phone.evaluate("() => { window.__room.autoRetries = 0; }")
    old_key = drop_socket(patient_phone)
    expect(status).to_have_text(
        "The connection to the consult was lost. Press Reconnect to join again."
    )
    expect(presence).to_have_text(re.compile("The patient's connection dropped"))
    expect(admit).to_be_disabled()
    patient_phone.get_by_role("button", name="Reconnect").click()
    expect(status).to_have_text("You are in the consult with your clinician.")
    wait_back_in(patient_phone, old_key)
    expect(presence).to_have_text("The patient is in the consult.")

    # The same patient opens the consult in a second window: it takes over, and the first
    # steps back (no automatic rejoin, or the two would take turns for ever).
    second = patient_phone.context.new_page()
    login = patient_phone.evaluate("() => sessionStorage.getItem('clinic.session')")
    old_key = patient_phone.evaluate("() => window.__room.key")
    second.add_init_script(f"sessionStorage.setItem('clinic.session', {login!r});")
    second.goto(patient_phone.url)
    in_consult = "You are in the consult with your clinician."
    stepped_back = re.compile("^You joined this consult in another window or on another device")
    expect(second.locator("#room-status")).to_have_text(in_consult)
    expect(status).to_have_text(stepped_back)
    expect(patient_phone.get_by_role("button", name="Reconnect")).to_be_visible()
    # Reconnect takes the room back for the first window.
    patient_phone.get_by_role("button", name="Reconnect").click()
    expect(status).to_have_text(in_consult)
    expect(second.locator("#room-status")).to_have_text(stepped_back)
    second.close()
    wait_back_in(patient_phone, old_key)
    expect(presence).to_have_text("The patient is in the consult.")
    media_flows_both_ways(patient_phone, console)

    console.get_by_label("Journal note").fill("Sore throat for three days, no fever.")
    console.get_by_role("button", name="Save note").click()
    expect(console.locator("#note-status")).to_have_text("The note is saved.")

    console.get_by_role("button", name="End consult").click()
    expect(presence).to_have_text("The consult has ended.")
    expect(status).to_have_text("The consult has ended. Thank you for using the clinic.")
    expect(console.get_by_role("button", name="End consult")).to_be_disabled()


def test_another_patients_consult_is_refused(
    page_server: PageServer, on_duty: Callable[[], str], patient_phone: Page
) -> None:
    url = page_server.url
    on_duty()
    owner = httpx.post(
        f"{url}/api/v1/auth/dev-login", json={"national_id": factories.national_id()}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {owner}"}
    queued = httpx.post(f"{url}/api/v1/queue", json={}, headers=headers)
    assert queued.status_code == 201, queued.text
    appointment_id = queued.json()["appointment_id"]

    patient_logged_in(page_server, patient_phone)
    patient_phone.goto(f"{url}/video/{appointment_id}")
    expect(patient_phone.locator("#room-status")).to_have_text("You cannot join this consult.")
    expect(patient_phone.get_by_role("alert")).to_have_text("No such consult.")
    # Refused before the camera is asked for.
    expect(patient_phone.locator("#local-tile")).to_be_hidden()
    expect(patient_phone.get_by_role("link", name="Back to the chat")).to_be_visible()

    left = httpx.post(f"{url}/api/v1/bookings/{appointment_id}/cancel", headers=headers)
    assert left.status_code == 200, left.text
