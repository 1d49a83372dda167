"""What every feature's actions share: who is talking, calling the API, polite errors."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import ApiError, get_api_client

OSLO = ZoneInfo("Europe/Oslo")
PATIENT_PREFIX = "patient-"

# Intents that must never be read as an answer to a form's question.
NOT_AN_ANSWER = frozenset({"emergency", "urgent_care", "stop", "human_handoff"})

LOGIN_NEEDED = (
    "For that I need to know who you are. Please log in with BankID in the app first, "
    "then ask me again."
)
UNREACHABLE = (
    "Sorry, I can't reach our booking system right now. Please try again in a few minutes, "
    "or contact support@kry.no if it keeps happening."
)


def request_id_in(latest_message: Any, slots: Any) -> Optional[str]:
    """The gateway's request id, from a tracker's parts (as rasa-sdk or as raw JSON)."""
    # action_session_start runs before the message is in the tracker: Rasa hands that
    # message's metadata over in the session_started_metadata slot instead.
    for metadata in (
        latest_message.get("metadata") if isinstance(latest_message, dict) else None,
        slots.get("session_started_metadata") if isinstance(slots, dict) else None,
    ):
        value = metadata.get("request_id") if isinstance(metadata, dict) else None
        if isinstance(value, str):
            return value
    return None


def request_id_of(tracker: Tracker) -> Optional[str]:
    return request_id_in(tracker.latest_message, tracker.slots)


def is_logged_in(tracker: Tracker) -> bool:
    """The gateway names a logged-in patient's conversation after their verified login."""
    return str(tracker.sender_id).startswith(PATIENT_PREFIX)


def latest_intent(tracker: Tracker) -> str:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or "")


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "").strip()


def chosen(tracker: Tracker) -> Optional[str]:
    """The value of a button the patient pressed (payload `/choose{"choice": ...}`)."""
    if latest_intent(tracker) != "choose":
        return None
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "choice" and entity.get("value") is not None:
            return str(entity["value"])
    return None


def is_answer(tracker: Tracker) -> bool:
    """False for messages that interrupt a form (an emergency, stop, asking for a human)."""
    return latest_intent(tracker) not in NOT_AN_ANSWER


def answers(tracker: Tracker, slot: str) -> bool:
    """Whether the latest message answers ``slot``: it was just asked, and no interruption."""
    return tracker.get_slot("requested_slot") == slot and is_answer(tracker)


def yes_no(tracker: Tracker, slot: str) -> Dict[Text, Any]:
    """A yes or no answer to ``slot``, when ``slot`` is the question just asked."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    intent = latest_intent(tracker)
    if intent in ("affirm", "deny"):
        return {slot: intent == "affirm"}
    return {}


def choice_button(title: str, value: str) -> Dict[str, str]:
    return {"title": title, "payload": f'/choose{{"choice": "{value}"}}'}


YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def nok(ore: int) -> str:
    """375 kr, 1 095 kr: how Norwegian prices are written."""
    kroner, rest = divmod(int(ore), 100)
    text = f"{kroner:,}".replace(",", " ")
    return f"{text},{rest:02d} kr" if rest else f"{text} kr"


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant from the API; Python 3.10 does not read a trailing 'Z' itself."""
    return dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)


def local(instant: str | dt.datetime) -> dt.datetime:
    value = parse_instant(instant) if isinstance(instant, str) else instant
    return value.astimezone(OSLO)


def when_text(instant: str | dt.datetime, *, today: Optional[dt.date] = None) -> str:
    """'today at 17:30', 'tomorrow at 09:00', 'Fri 28 Nov at 10:15' in Oslo time."""
    moment = local(instant)
    today = today or dt.datetime.now(OSLO).date()
    clock = moment.strftime("%H:%M")
    if moment.date() == today:
        return f"today at {clock}"
    if moment.date() == today + dt.timedelta(days=1):
        return f"tomorrow at {clock}"
    return f"{moment:%a %d %b} at {clock}"


def idempotency_key(tracker: Tracker, purpose: str) -> str:
    """Stable for one patient turn, so a retried action never pays twice."""
    seed = f"{tracker.sender_id}|{purpose}|{tracker.latest_message.get('message_id') or ''}"
    seed += f"|{len(tracker.events)}"
    return f"bot-{hashlib.sha256(seed.encode()).hexdigest()[:40]}"


async def api_call(
    tracker: Tracker,
    method: str,
    path: str,
    *,
    json: Optional[Dict[str, Any]] = None,
    params: Optional[Dict[str, str]] = None,
    idempotency_key: Optional[str] = None,
) -> Any:
    """Call the API for the patient of this conversation (anonymous when not logged in)."""
    return await get_api_client().call(
        method,
        path,
        conversation_id=tracker.sender_id,
        request_id=request_id_of(tracker),
        json=json,
        params=params,
        idempotency_key=idempotency_key,
    )


def polite(error: ApiError) -> str:
    """The patient-facing sentence for an API refusal."""
    if error.status is None or error.status >= 500:
        return UNREACHABLE
    if error.status == 401:
        return LOGIN_NEEDED
    if error.status == 404:
        return "I couldn't find that. It may have been changed or cancelled in the meantime."
    # 409 and 422 carry a sentence written for patients, naming the clinic's rule.
    return error.message


def stop_form(slots: List[Text]) -> List[Dict[Text, Any]]:
    """Events that end the active form and forget its answers."""
    return [ActiveLoop(None), SlotSet("requested_slot", None)] + [
        SlotSet(name, None) for name in slots
    ]


def say(dispatcher: CollectingDispatcher, text: str, **kwargs: Any) -> None:
    dispatcher.utter_message(text=text, **kwargs)
