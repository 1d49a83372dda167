"""Privacy requests in the conversation: a copy of the patient's data, erasure of the rest.

The privacy answers offer two buttons; erasure asks for a yes first (button or typed). The
API does the work for the conversation's patient (its id is their verified login); the copy
itself is downloaded on the privacy page, by the patient alone, since a chat or a text
message is no place for a file of health data.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.common import (
    LOGIN_NEEDED,
    api_call,
    choice_button,
    chosen,
    is_logged_in,
    latest_intent,
    local,
    polite,
    say,
    when_text,
)

PENDING = "privacy_pending"
# Button values (payload /choose{"choice": ...}), as domain/faq.yml's answers send them.
EXPORT = "privacy_export"
ERASURE = "privacy_erasure"
ERASE_CONFIRMED = "privacy_erasure_confirmed"
KEEP = "privacy_keep"

ERASURE_QUESTION = (
    "Erasing removes what is not part of your medical record: your contact details, the "
    "texts of our messages to you, and your conversations with me and with our support "
    "staff. Your medical records are kept, as the law requires. This cannot be undone. "
    "Shall I ask for your data to be erased?"
)
ERASURE_BUTTONS = [
    choice_button("Yes, erase my data", ERASE_CONFIRMED),
    choice_button("No, keep it", KEEP),
]
KEPT = "OK, nothing will be erased. Is there anything else I can help you with?"
NOTHING_OPEN = (
    "OK! Is there anything else I can help you with? You can ask a question, or say for "
    "example 'book a doctor'."
)


def wanted(tracker: Tracker) -> Optional[str]:
    """What the patient asks for: EXPORT, ERASURE, ERASE_CONFIRMED, KEEP, or None."""
    awaiting = tracker.get_slot(PENDING) == ERASURE
    intent = latest_intent(tracker)
    if intent == "affirm":
        return ERASE_CONFIRMED if awaiting else None
    if intent == "deny":
        return KEEP if awaiting else None
    value = chosen(tracker)
    if value == ERASE_CONFIRMED and not awaiting:
        # A "yes" button from a question no longer open: ask again rather than erase.
        return ERASURE
    if value == KEEP and not awaiting:
        return None
    return value if value in (EXPORT, ERASURE, ERASE_CONFIRMED, KEEP) else None


def export_text(body: Dict[str, Any]) -> str:
    """Where and until when the patient downloads the copy the API prepared."""
    return (
        "Your copy is ready. It holds health data, so only you can download it, logged in, "
        f"on the privacy page: {body.get('page_url', 'the privacy page')}. It can be "
        f"downloaded until {when_text(str(body['expires_at']))}."
    )


def erasure_text(body: Dict[str, Any]) -> str:
    """The registered request: by when it is done, and the confirmation to come."""
    due = local(str(body["due_at"]))
    return (
        "Your request is registered. Your non-medical data will be erased by "
        f"{due:%d.%m.%Y} at the latest, and you will get a written confirmation of what "
        "was erased and when. You can follow it on the privacy page."
    )


class ActionPrivacyRequest(Action):
    """A copy of the data, or erasure after a yes; anonymous patients are asked to log in."""

    def name(self) -> Text:
        return "action_privacy_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        request = wanted(tracker)
        if request is None:
            say(dispatcher, NOTHING_OPEN)
            return [SlotSet(PENDING, None)]
        if request == KEEP:
            say(dispatcher, KEPT)
            return [SlotSet(PENDING, None)]
        if not is_logged_in(tracker):
            say(dispatcher, LOGIN_NEEDED)
            return [SlotSet(PENDING, None)]
        if request == ERASURE:
            say(dispatcher, ERASURE_QUESTION, buttons=ERASURE_BUTTONS)
            return [SlotSet(PENDING, ERASURE)]
        try:
            if request == EXPORT:
                body = await api_call(tracker, "POST", "/api/v1/privacy/exports")
                text = export_text(body)
            else:
                # One open request per patient: a retry answers 409 with the API's words.
                body = await api_call(tracker, "POST", "/api/v1/privacy/erasure-requests")
                text = erasure_text(body)
        except ApiError as exc:
            text = polite(exc)
        except (KeyError, TypeError, ValueError):
            text = polite(ApiError(None, "bad_response", "Unexpected answer from the API."))
        say(dispatcher, text)
        return [SlotSet(PENDING, None)]
