"""The patient chat page driven in Debian's Chromium with Playwright (tests, screenshots).

Playwright's own browser download is never used: the browser is Debian's `chromium`
package (`make browser` installs it), launched headless by its path.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, Playwright, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
# The video consult: Chromium's fake camera (a test pattern) and microphone (a beep), its
# permission prompt answered yes, and peer connections allowed over 127.0.0.1 (the rooms'
# server gathers loopback candidates only in development and tests).
MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
]
PHONE: ViewportSize = {"width": 375, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
# Time for one assistant answer: Rasa, the action server and the API each take a turn.
ANSWER_TIMEOUT_MS = 60_000


class BrowserMissing(RuntimeError):
    """Debian's Chromium is not installed."""


def launch_chromium(playwright: Playwright, *, media: bool = False) -> Browser:
    """Headless Debian Chromium; a clear error, not a download, when it is missing.

    ``media``: with a fake camera and microphone, for the video consult.
    """
    if not CHROMIUM.exists():
        raise BrowserMissing(
            f"{CHROMIUM} is missing: run `make browser` (it installs Debian's chromium "
            "package with apt-get; Playwright's own browser download is not used)"
        )
    args = CHROMIUM_ARGS + (MEDIA_ARGS if media else [])
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)


class ChatPage:
    """What a patient does on the page, in the page's own words (labels and button names)."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")

    def open(self) -> None:
        self.page.goto(f"{self.base_url}/")
        self.wait_ready()

    def wait_ready(self) -> None:
        self.page.locator("body[data-ready]").wait_for()

    def reload(self) -> None:
        self.page.reload()
        self.wait_ready()

    @property
    def message_box(self) -> Locator:
        return self.page.get_by_label("Your message")

    @property
    def error(self) -> Locator:
        return self.page.locator("#composer-error")

    @property
    def notice(self) -> Locator:
        return self.page.locator("#notice")

    @property
    def status_panel(self) -> Locator:
        return self.page.get_by_role("region", name="Your consult")

    def log_in(self, national_id: str, given_name: str) -> None:
        """Through the login button and the identity provider's form, back to the page."""
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url("**/authorize?**")
        self.page.get_by_label("National identity number").fill(national_id)
        self.page.get_by_label("First name").fill(given_name)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url(f"{self.base_url}/")
        self.wait_ready()

    def access_token(self) -> str:
        token = self.page.evaluate(
            "() => JSON.parse(sessionStorage.getItem('clinic.session') ?? 'null')?.access_token"
        )
        assert isinstance(token, str), "not logged in"
        return token

    def _messages(self) -> Locator:
        return self.page.locator("#transcript .message")

    def _wait_for_answer(self, before: int) -> None:
        self.page.locator("#composer:not([aria-busy])").wait_for(timeout=ANSWER_TIMEOUT_MS)
        self.page.wait_for_function(
            "n => document.querySelectorAll('#transcript .message').length > n",
            arg=before + 1,
            timeout=ANSWER_TIMEOUT_MS,
        )

    def say(self, text: str) -> str:
        """Type and send a message; returns the assistant's answer."""
        before = self._messages().count()
        self.message_box.fill(text)
        self.message_box.press("Enter")
        self._wait_for_answer(before)
        return self.answer()

    def press(self, title: str) -> str:
        """Press one of the answer buttons of the latest question; returns the answer."""
        before = self._messages().count()
        self.choice(title).click()
        self._wait_for_answer(before)
        return self.answer()

    def choice(self, title: str) -> Locator:
        return self.page.locator("#transcript button.choice:not([disabled])").filter(has_text=title)

    def choices(self) -> list[str]:
        """Titles of the answer buttons that can still be pressed."""
        return self.page.locator("#transcript button.choice:not([disabled])").all_inner_texts()

    def answer(self) -> str:
        """The assistant's messages after the patient's last one."""
        texts: list[str] = self.page.evaluate(
            """() => {
                const all = [...document.querySelectorAll('#transcript .message')];
                const last = all.map(m => m.classList.contains('from-patient')).lastIndexOf(true);
                return all.slice(last + 1).map(m => m.querySelector('.bubble')?.innerText ?? '');
            }"""
        )
        return "\n".join(t for t in texts if t)

    def patient_lines(self) -> list[str]:
        return self.page.locator("#transcript .from-patient .bubble").all_inner_texts()

    def card(self, kind: str) -> Locator:
        """The latest card of a kind: booking, queue, cancellation, renewal, certificate."""
        return self.page.locator(f"#transcript .card-{kind}").last

    def fits_width(self) -> bool:
        """Nothing sticks out sideways (no horizontal scrolling on a phone)."""
        return bool(
            self.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        )


def fact(card: Locator, term: str) -> Locator:
    """The value a card gives for a term ("Paid", "Refund", "When"...)."""
    return card.locator(f"xpath=.//dt[normalize-space()='{term}']/following-sibling::dd[1]")
