"""`make screenshots`: the chat page's main states at phone and desktop widths, as PNGs.

Starts the whole system as `make run` does (on free ports, with a throwaway store), walks
one patient through the page in Debian's headless Chromium, and writes var/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from api.core.settings import REPO_ROOT
from api.identity.national_id import make_national_id
from tools.chat_page import DESKTOP, PHONE, BrowserMissing, ChatPage, launch_chromium
from tools.stack import say
from tools.system import RunningSystem

OUT_DIR = REPO_ROOT / "var" / "screenshots"
WIDTHS = (("phone", PHONE), ("desktop", DESKTOP))


def _patient_number() -> str:
    for individual in range(100, 500):
        number = make_national_id(dt.date(1986, 4, 12), individual)
        if number:
            return number
    raise RuntimeError("no valid national identity number")


class Camera:
    """Numbered screenshots of the current state, at each width."""

    def __init__(self, page: Page, out_dir: Path) -> None:
        self.page = page
        self.out_dir = out_dir
        self.taken: list[Path] = []

    def shoot(self, state: str) -> None:
        # Receipts load after their card: wait for them, then show the newest messages.
        self.page.wait_for_function("() => !document.querySelector('[aria-busy=\"true\"]')")
        for label, size in WIDTHS:
            self.page.set_viewport_size(size)
            self.page.evaluate(
                "() => { const log = document.getElementById('transcript');"
                " if (log) log.scrollTop = log.scrollHeight; }"
            )
            path = self.out_dir / f"{len(self.taken) // 2 + 1:02d}-{state}-{label}.png"
            self.page.screenshot(path=str(path))
            self.taken.append(path)
        self.page.set_viewport_size(PHONE)


def walk_through(chat: ChatPage, camera: Camera) -> None:
    """Logged out, logging in, a FAQ answer, slot buttons, the booking, the cancellation."""
    chat.open()
    camera.shoot("logged-out")
    chat.page.get_by_role("button", name="Log in").click()
    chat.page.wait_for_url("**/authorize?**")
    camera.shoot("login-form")
    chat.page.go_back()
    chat.wait_ready()
    chat.log_in(_patient_number(), "Ingrid")
    chat.say("how much does a video consult with a doctor cost?")
    camera.shoot("faq-answer")
    chat.say("I want to book a doctor")
    chat.press("A specific time")
    chat.say("tomorrow at 10")
    camera.shoot("slot-buttons")
    chat.press(chat.choices()[0])
    chat.press("Yes")
    camera.shoot("booking-card")
    chat.say("cancel my appointment")
    chat.press("Yes")
    camera.shoot("cancellation")


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as var_dir:
        system = RunningSystem(var_dir=Path(var_dir))
        say("starting the system (the model is trained first if its inputs changed) ...")
        try:
            system.start()
        except RuntimeError as exc:
            say(f"the system did not start: {exc}")
            return 1
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    page = browser.new_page(viewport=PHONE)
                    camera = Camera(page, OUT_DIR)
                    walk_through(ChatPage(page, system.api), camera)
                finally:
                    browser.close()
        except BrowserMissing as exc:
            say(str(exc))
            return 2
        finally:
            system.stop()
    for path in camera.taken:
        say(f"  {path.relative_to(REPO_ROOT)}")
    say(f"{len(camera.taken)} screenshots in {OUT_DIR.relative_to(REPO_ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
