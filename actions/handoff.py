"""Handing a conversation to support, and the fallback that offers likely topics first."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError, get_api_client
from actions.common import request_id_of, say

logger = logging.getLogger(__name__)

TRANSCRIPT_LINES = 40

# A question that leads to each topic, for the buttons of the two-stage fallback.
# Pressing one sends the question itself, so the classifier answers it as usual.
TOPIC_QUESTIONS: Dict[str, tuple[str, str]] = {
    "faq/opening_hours": ("Opening hours", "What are your opening hours?"),
    "faq/prices": ("Prices", "How much does a consult cost?"),
    "faq/insurance": ("Insurance", "Is it free with my insurance?"),
    "faq/prescriptions": ("Prescriptions", "Can I get a prescription from you?"),
    "faq/never_prescribed": ("What you don't prescribe", "Which medicines do you not prescribe?"),
    "faq/renewal_info": ("Renewals", "How does a prescription renewal work?"),
    "faq/school_certificate": ("School certificates", "Can I get a school absence certificate?"),
    "faq/other_certificates": ("Other certificates", "Which other certificates do you write?"),
    "faq/sick_leave": ("Sick leave", "Can you give me sick leave?"),
    "faq/cancel_doctor": ("Cancelling", "How late can I cancel a doctor's appointment?"),
    "faq/refunds": ("Refunds", "When do I get my money back?"),
    "faq/late_or_missed": ("Being late", "What if I'm late for my consult?"),
    "faq/receipt": ("Receipts", "How do I get a receipt?"),
    "faq/security": ("Security", "Is the video consult safe?"),
    "faq/recording": ("Recording", "Are consults recorded?"),
    "faq/data_storage": ("Your data", "Where is my data stored?"),
    "faq/erasure": ("Deleting data", "How do I get my data deleted?"),
    "faq/complaints": ("Complaints", "Where do I send a complaint?"),
    "faq/devices": ("Devices", "What phone or app version do I need?"),
    "faq/login": ("Logging in", "How do I log in?"),
    "faq/video_troubleshooting": ("Video problems", "The video isn't working, what do I do?"),
    "book_consult": ("Book a consult", "I want to book a doctor"),
    "cancel_booking": ("Cancel a booking", "I want to cancel my appointment"),
    "reschedule_booking": ("Change a booking", "I want to move my appointment"),
    "request_renewal": ("Renew a prescription", "I want to renew my prescription"),
    "request_certificate": ("Get a certificate", "I need a certificate"),
    "start_symptom_check": ("Check my symptoms", "I want to check my symptoms"),
    "booking_status": ("My bookings", "When is my appointment?"),
    "renewal_status": ("My renewal", "Where is my renewal?"),
    "queue_position": ("My place in the queue", "How long is the queue for me?"),
}
MAX_TOPICS = 3


def likely_topics(parse: Dict[str, Any]) -> List[str]:
    """The likeliest known topics for a message, best first, from the NLU parse data."""
    ranked: List[tuple[float, str]] = []
    for intent in parse.get("intent_ranking") or []:
        name = str(intent.get("name"))
        if name == "faq":
            # One selector for every retrieval intent answers under "default" (config.yml).
            selectors = parse.get("response_selector") or {}
            selector = selectors.get("faq") or selectors.get("default") or {}
            for response in selector.get("ranking") or []:
                key = str(response.get("intent_response_key"))
                ranked.append(
                    (float(intent.get("confidence", 0)) * float(response.get("confidence", 0)), key)
                )
        else:
            ranked.append((float(intent.get("confidence", 0)), name))
    seen: List[str] = []
    for _, name in sorted(ranked, key=lambda pair: -pair[0]):
        if name in TOPIC_QUESTIONS and name not in seen:
            seen.append(name)
    return seen[:MAX_TOPICS]


class ActionAskAffirmation(Action):
    """First stage of the fallback: offer the likeliest topics as buttons."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        topics = likely_topics(tracker.latest_message)
        buttons = [
            {"title": TOPIC_QUESTIONS[t][0], "payload": TOPIC_QUESTIONS[t][1]} for t in topics
        ]
        # Rasa's two-stage fallback reads out_of_scope as "none of these": it then asks
        # the patient to rephrase, and hands over if that fails too.
        buttons.append({"title": "Something else", "payload": "/out_of_scope"})
        say(
            dispatcher,
            "Sorry, I'm not sure I understood. Did you mean one of these?",
            buttons=buttons,
        )
        return []


class ActionAskRephrase(Action):
    """Second stage: the patient rejected the offered topics; ask for other words."""

    def name(self) -> Text:
        return "action_default_ask_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        say(
            dispatcher,
            "Could you put it another way? A few words about what you need is enough, for "
            "example 'book a doctor' or 'price of a renewal'.",
        )
        return []


# Forms whose answers are clinical: symptom answers, renewal and certificate details are
# the clinicians' alone, so support's copy of the conversation leaves those turns out
# (api/support/transcript.py does the same with the conversation store).
CLINICAL_FORMS = frozenset({"symptom_check_form", "renewal_form", "certificate_form"})
WITHHELD = "(Symptom, prescription or certificate details withheld: for clinicians only.)"


def _turns(events: List[Dict[str, Any]]) -> List[List[Dict[str, Any]]]:
    """Events split at each patient message: a turn is a message and what followed it."""
    turns: List[List[Dict[str, Any]]] = [[]]
    for event in events:
        if event.get("event") == "user" and turns[-1]:
            turns.append([])
        turns[-1].append(event)
    return [turn for turn in turns if turn]


def transcript(tracker: Tracker, limit: int = TRANSCRIPT_LINES) -> List[Dict[str, Any]]:
    """The recent conversation as support will read it (patient and assistant lines), the
    turns of a clinical form (the message that started it, each answer, what the assistant
    said back) replaced by one line saying they were withheld."""
    lines: List[Dict[str, Any]] = []
    active: Optional[str] = None
    for turn in _turns(list(tracker.events)):
        clinical = active in CLINICAL_FORMS
        for event in turn:
            if event.get("event") == "active_loop":
                active = event.get("name")
                clinical = clinical or active in CLINICAL_FORMS
        if clinical:
            if not lines or lines[-1]["text"] != WITHHELD:
                at = _iso(turn[0].get("timestamp"))
                lines.append({"sender": "assistant", "text": WITHHELD, "at": at})
            continue
        for event in turn:
            kind = event.get("event")
            text = event.get("text")
            if kind not in ("user", "bot") or not isinstance(text, str) or not text.strip():
                continue
            lines.append(
                {
                    "sender": "patient" if kind == "user" else "assistant",
                    "text": text[:4000],
                    "at": _iso(event.get("timestamp")),
                }
            )
    return lines[-limit:]


def _iso(timestamp: Any) -> Optional[str]:
    if not isinstance(timestamp, (int, float)):
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat()


async def open_ticket(tracker: Tracker, reason: str) -> bool:
    """Open (or add to) the support ticket for this conversation; False if that failed."""
    metadata = tracker.latest_message.get("metadata") or {}
    channel = "sms" if isinstance(metadata, dict) and metadata.get("channel") == "sms" else "chat"
    try:
        await get_api_client().call(
            "POST",
            "/api/v1/internal/handoffs",
            request_id=request_id_of(tracker),
            json={
                "conversation_id": tracker.sender_id,
                "reason": reason,
                "channel": channel,
                "transcript": transcript(tracker),
            },
        )
    except ApiError as exc:
        logger.warning("handoff failed: %s (%s)", exc.code, exc.status)
        return False
    return True


HANDED_OVER = (
    "I've passed our conversation to the support team, with what we've said so far. "
    "Someone will answer you here, usually within opening hours. You can also write to "
    "support@kry.no."
)
HANDOFF_FAILED = (
    "I couldn't reach the support team just now. Please write to support@kry.no and "
    "they'll help you."
)


class ActionHandoffToSupport(Action):
    """The patient asked for a person."""

    def name(self) -> Text:
        return "action_handoff_to_support"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        done = await open_ticket(tracker, "asked_for_human")
        say(dispatcher, HANDED_OVER if done else HANDOFF_FAILED)
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionDefaultFallback(Action):
    """Second stage failed too: hand over instead of guessing again."""

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        done = await open_ticket(tracker, "not_understood")
        text = (
            "Sorry, I still didn't understand. " + HANDED_OVER
            if done
            else "Sorry, I still didn't understand. " + HANDOFF_FAILED
        )
        say(dispatcher, text)
        # Reverting keeps the unanswered message out of the next predictions.
        return [UserUtteranceReverted()]
