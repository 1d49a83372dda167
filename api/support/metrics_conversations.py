"""One sender's tracker events read as conversations: the first half of the deflection figures.

A **conversation** is one Rasa session of one sender in which the patient wrote at least once.
Rasa marks a new session with `action_session_start` / `session_started` (after
`session_expiration_time`, 60 minutes in domain/core.yml) or a `restart`; more than 60 minutes
without any event also starts a new one, for trackers written without sessions. A session in
which the patient never wrote (a page that only read its history) is not a conversation. A
patient message is a `user` event with text, other than Rasa's own (`EXTERNAL: ` intents the
system triggers, `/session_start`). A conversation has the channel of its first patient
message (`metadata.channel == "sms"` from the SMS gateway, chat otherwise).

What one conversation's own events say is read here: whether the assistant handed over
(`action_handoff_to_support`, `action_default_fallback`, or support's `pause`), its clinical
escalation (`action_emergency` 113, `action_urgent_care` legevakt; the more serious one),
whether a form or the two-stage fallback still waited for the patient at its end, the FAQ
topic of each `utter_faq` answer (the ResponseSelector's `faq/<topic>` of the message before
it), and the messages it could not answer (`nlu_fallback`, or the message
`action_default_fallback` followed), never those typed into a form or to support. What
follows from tickets and from the sender's next conversation is judged in `metrics`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from api.chat.tracker_store import StoredEvent

SESSION_GAP = dt.timedelta(minutes=60)
UNANSWERED_TEXT_CHARS = 500

# The assistant's names (config.yml, data/rules/*.yml, actions/); tests check they exist.
SESSION_START_ACTION = "action_session_start"
SESSION_START_EVENTS = frozenset({"session_started", "restart"})
HANDOFF_ACTION = "action_handoff_to_support"
DEFAULT_FALLBACK_ACTION = "action_default_fallback"
FALLBACK_LOOP = "action_two_stage_fallback"
FALLBACK_INTENT = "nlu_fallback"
FAQ_INTENT = "faq"
FAQ_ACTION = "utter_faq"
PAUSE_EVENT = "pause"
RESUME_EVENT = "resume"
# Messages the system sends for itself (reminders through Rasa's trigger_intent).
EXTERNAL_PREFIX = "EXTERNAL: "
UNKNOWN_TOPIC = "unknown"


class Channel(StrEnum):
    CHAT = "chat"
    SMS = "sms"


class Escalation(StrEnum):
    """Clinical escalations, most serious first."""

    EMERGENCY = "emergency"  # 113
    URGENT_CARE = "urgent_care"  # legevakt


ESCALATION_ACTIONS = {
    "action_emergency": Escalation.EMERGENCY,
    "action_urgent_care": Escalation.URGENT_CARE,
}
_SERIOUSNESS = list(Escalation)


class UnansweredReason(StrEnum):
    NOT_UNDERSTOOD = "not_understood"  # classified nlu_fallback
    NO_NEXT_STEP = "no_next_step"  # understood, but no rule or story knew what to do


@dataclass(frozen=True, slots=True)
class UnansweredMessage:
    at: dt.datetime
    channel: Channel
    reason: UnansweredReason
    text: str


@dataclass(frozen=True, slots=True)
class Conversation:
    """One conversation as its own events tell it (tickets and later ones judged apart)."""

    sender_id: str
    channel: Channel
    first_event_at: dt.datetime
    started_at: dt.datetime  # the patient's first message
    ended_at: dt.datetime  # its last event
    handoff_seen: bool
    escalation: Escalation | None
    # A form or the two-stage fallback was still waiting for the patient at the end.
    waiting: bool
    faq_topics: tuple[str, ...]
    unanswered: tuple[UnansweredMessage, ...]


def _is_session_start(event: StoredEvent) -> bool:
    if event.kind == "action":
        return event.data.get("name") == SESSION_START_ACTION
    return event.kind in SESSION_START_EVENTS


def _patient_text(event: StoredEvent) -> str | None:
    """The text of a message the patient sent; None for anything else."""
    if event.kind != "user":
        return None
    text = event.data.get("text")
    if not isinstance(text, str) or not text.strip() or text.startswith(EXTERNAL_PREFIX):
        return None
    return None if text.strip() == "/session_start" else text


def split_sessions(events: Sequence[StoredEvent]) -> list[list[StoredEvent]]:
    """One sender's events cut into sessions that hold at least one patient message."""
    sessions: list[list[StoredEvent]] = []
    current: list[StoredEvent] = []
    has_message = False
    last_at: dt.datetime | None = None
    for event in events:
        at = event.at
        gap = at is not None and last_at is not None and at - last_at > SESSION_GAP
        if has_message and (gap or _is_session_start(event)):
            sessions.append(current)
            current, has_message = [], False
        current.append(event)
        has_message = has_message or _patient_text(event) is not None
        last_at = at or last_at
    if has_message:
        sessions.append(current)
    return sessions


def _parse_data(event: StoredEvent) -> dict[str, Any]:
    parse = event.data.get("parse_data")
    return parse if isinstance(parse, dict) else {}


def _intent(event: StoredEvent) -> str | None:
    intent = _parse_data(event).get("intent")
    name = intent.get("name") if isinstance(intent, dict) else None
    return name if isinstance(name, str) else None


def faq_topic(parse_data: Mapping[str, Any]) -> str | None:
    """The FAQ topic of a message: the ResponseSelector's `faq/<topic>`, as Rasa looks it up."""
    intent = parse_data.get("intent")
    intent = intent if isinstance(intent, dict) else {}
    key = intent.get("full_retrieval_intent_name")
    if not key:
        # One selector for every retrieval intent answers under "default" (config.yml).
        selector = parse_data.get("response_selector")
        selector = selector if isinstance(selector, dict) else {}
        chosen = selector.get(FAQ_INTENT) or selector.get("default") or {}
        response = chosen.get("response") if isinstance(chosen, dict) else None
        key = response.get("intent_response_key") if isinstance(response, dict) else None
    if isinstance(key, str) and key.startswith(f"{FAQ_INTENT}/") and len(key) > 4:
        return key.removeprefix(f"{FAQ_INTENT}/")
    return None


_DIGIT_RUN = re.compile(r"\d(?:[ .\-]?\d){4,}")


def masked(text: str) -> str:
    """Identity and phone numbers (any run of five digits or more) made unreadable."""
    shown = _DIGIT_RUN.sub(lambda match: re.sub(r"\d", "#", match.group()), text)
    return shown[:UNANSWERED_TEXT_CHARS]


def _channel(event: StoredEvent) -> Channel:
    metadata = event.data.get("metadata")
    sms = isinstance(metadata, dict) and metadata.get("channel") == Channel.SMS.value
    return Channel.SMS if sms else Channel.CHAT


@dataclass(slots=True)
class _Reading:
    """What walking one session's events has found so far."""

    channel: Channel | None = None
    started_at: dt.datetime | None = None
    handoff_seen: bool = False
    escalation: Escalation | None = None
    active_loop: str | None = None
    paused: bool = False
    faq_topics: list[str] = field(default_factory=list)
    unanswered: list[UnansweredMessage] = field(default_factory=list)
    # The latest patient message, and whether it may be listed (not a form's answer).
    last_message: StoredEvent | None = None
    last_listable: bool = False

    def listable(self) -> bool:
        # A form's answers are not questions; while support holds it, messages are theirs.
        in_form = self.active_loop is not None and self.active_loop != FALLBACK_LOOP
        return not in_form and not self.paused

    def note_unanswered(self, event: StoredEvent, reason: UnansweredReason) -> None:
        text = _patient_text(event)
        if event.at is None or text is None or text.startswith("/") or self.channel is None:
            return
        self.unanswered.append(UnansweredMessage(event.at, self.channel, reason, masked(text)))

    def message(self, event: StoredEvent) -> None:
        if self.started_at is None:
            self.started_at, self.channel = event.at, _channel(event)
        self.last_message, self.last_listable = event, self.listable()
        if self.last_listable and _intent(event) == FALLBACK_INTENT:
            self.note_unanswered(event, UnansweredReason.NOT_UNDERSTOOD)
            self.last_listable = False  # listed once, even if the default fallback follows

    def action(self, name: str) -> None:
        if name in (HANDOFF_ACTION, DEFAULT_FALLBACK_ACTION):
            self.handoff_seen = True
        if name == DEFAULT_FALLBACK_ACTION and self.last_message and self.last_listable:
            self.note_unanswered(self.last_message, UnansweredReason.NO_NEXT_STEP)
            self.last_listable = False
        escalation = ESCALATION_ACTIONS.get(name)
        if escalation is not None and (
            self.escalation is None
            or _SERIOUSNESS.index(escalation) < _SERIOUSNESS.index(self.escalation)
        ):
            self.escalation = escalation
        if name == FAQ_ACTION and self.last_message is not None:
            self.faq_topics.append(faq_topic(_parse_data(self.last_message)) or UNKNOWN_TOPIC)


def read_conversation(sender_id: str, session: Sequence[StoredEvent]) -> Conversation | None:
    """A session's figures as its events tell them; None without a timed patient message."""
    reading = _Reading()
    for event in session:
        if _patient_text(event) is not None and event.at is not None:
            reading.message(event)
        elif event.kind == "action" and isinstance(event.data.get("name"), str):
            reading.action(event.data["name"])
        elif event.kind == "active_loop":
            name = event.data.get("name")
            reading.active_loop = name if isinstance(name, str) and name else None
        elif event.kind in (PAUSE_EVENT, RESUME_EVENT):
            reading.paused = event.kind == PAUSE_EVENT
            reading.handoff_seen = True
    times = [at for event in session if (at := event.at) is not None]
    if reading.started_at is None or reading.channel is None or not times:
        return None
    return Conversation(
        sender_id=sender_id,
        channel=reading.channel,
        first_event_at=times[0],
        started_at=reading.started_at,
        ended_at=max(times),
        handoff_seen=reading.handoff_seen,
        escalation=reading.escalation,
        waiting=reading.active_loop is not None,
        faq_topics=tuple(reading.faq_topics),
        unanswered=tuple(reading.unanswered),
    )


def conversations_of(sender_id: str, events: Sequence[StoredEvent]) -> list[Conversation]:
    """A sender's conversations, oldest first."""
    found = (read_conversation(sender_id, s) for s in split_sessions(events))
    return [c for c in found if c is not None]
