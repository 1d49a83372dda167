"""Deflection figures: what the assistant answered, handed over, or could not answer.

Pure functions over Rasa's tracker events (as `api.chat.tracker_store` reads them) and the
times support tickets were opened or added to; `metrics_service` loads both. Each rule is
written once: in words in `DEFINITIONS` (the API returns them and the dashboard shows them),
in code in `metrics_conversations` (what a conversation is, and what its own events say)
and below (what its tickets and the sender's next conversation say, and the counting).

Every figure of a conversation counts on the Europe/Oslo day of its first patient message,
even when the conversation runs past midnight.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from api.chat.tracker_store import StoredEvent
from api.policy.rules import ClinicPolicy
from api.support.metrics_conversations import (
    Channel,
    Conversation,
    Escalation,
    UnansweredMessage,
    conversations_of,
)

ABANDONED_AFTER = dt.timedelta(minutes=30)
RECONTACT_WITHIN = dt.timedelta(hours=24)
# A ticket is opened while the handoff action runs; the margin covers clocks of two hosts.
TICKET_MARGIN = dt.timedelta(minutes=2)

DEFINITIONS: dict[str, str] = {
    "conversations": (
        "One assistant session in which the patient wrote at least once; a new one starts "
        "when Rasa starts a session or after 60 minutes of silence. Counted on the Oslo day "
        "and channel of its first message, like every figure below."
    ),
    "handed_off": (
        "A person took part: the assistant handed over (the patient asked for a person, or "
        "the fallback gave up), support paused the assistant, or a support ticket for the "
        "conversation was opened or added to while it lasted."
    ),
    "contained": (
        "Ended without a person: every conversation not handed off, clinical escalations "
        "and abandoned conversations included."
    ),
    "escalations": (
        "The assistant sent the patient to 113 (emergency) or legevakt (urgent care): a "
        "correct outcome, never a failure. Contained unless a person also took part, never "
        "abandoned; once per conversation, as the more serious of the two."
    ),
    "abandoned": (
        "Contained and not escalated, but it ended while the assistant waited for an answer "
        "(a form's question, or the fallback's 'did you mean'), and no message came for 30 "
        "minutes or more."
    ),
    "recontacted": (
        "The same sender started another conversation within 24 hours of this one's last "
        "message; counted on the earlier conversation."
    ),
    "faq_answers": (
        "Answers from the FAQ (utter_faq), by the topic faq/<topic> the response selector "
        "chose for the patient's message."
    ),
    "unanswered": (
        "Patient messages the assistant did not understand (nlu_fallback), or after which "
        "it knew no next step (default fallback). Answers typed into a form (symptoms, "
        "medicines, personal details) and messages to support while it held the "
        "conversation are never listed; long numbers are masked."
    ),
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """A conversation judged with its tickets and the sender's next conversation."""

    conversation: Conversation
    handed_off: bool
    abandoned: bool
    recontacted: bool


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(slots=True)
class Figures:
    conversations: int = 0
    handed_off: int = 0
    abandoned: int = 0
    recontacted: int = 0
    escalations: Counter[Escalation] = field(default_factory=Counter)
    faq_topics: Counter[str] = field(default_factory=Counter)
    unanswered: int = 0

    def add(self, outcome: Outcome) -> None:
        conversation = outcome.conversation
        self.conversations += 1
        self.handed_off += outcome.handed_off
        self.abandoned += outcome.abandoned
        self.recontacted += outcome.recontacted
        if conversation.escalation is not None:
            self.escalations[conversation.escalation] += 1
        self.faq_topics.update(conversation.faq_topics)
        self.unanswered += len(conversation.unanswered)

    @property
    def contained(self) -> int:
        return self.conversations - self.handed_off

    @property
    def faq_answers(self) -> int:
        return sum(self.faq_topics.values())

    @property
    def containment_rate(self) -> float | None:
        return _rate(self.contained, self.conversations)

    @property
    def handoff_rate(self) -> float | None:
        return _rate(self.handed_off, self.conversations)

    @property
    def abandonment_rate(self) -> float | None:
        return _rate(self.abandoned, self.conversations)

    @property
    def recontact_rate(self) -> float | None:
        return _rate(self.recontacted, self.conversations)


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: dt.date
    total: Figures
    by_channel: dict[Channel, Figures]


@dataclass(frozen=True, slots=True)
class Report:
    first_day: dt.date
    last_day: dt.date
    channel: Channel | None
    days: list[DayFigures]
    total: Figures
    by_channel: dict[Channel, Figures]
    unanswered: list[UnansweredMessage]  # latest first, at most the limit asked for
    unanswered_total: int


# -- judging conversations in context -------------------------------------------------


def judge(
    conversations: Sequence[Conversation],
    *,
    ticket_times: Iterable[dt.datetime],
    now: dt.datetime,
) -> list[Outcome]:
    """One sender's conversations (oldest first) with their tickets and what came next."""
    tickets = sorted(ticket_times)
    outcomes = []
    for index, conversation in enumerate(conversations):
        following = conversations[index + 1] if index + 1 < len(conversations) else None
        next_message = following.started_at if following else None
        ticketed = any(
            conversation.first_event_at <= at <= conversation.ended_at + TICKET_MARGIN
            for at in tickets
        )
        handed_off = conversation.handoff_seen or ticketed
        silence = (next_message or now) - conversation.ended_at
        abandoned = (
            not handed_off
            and conversation.escalation is None
            and conversation.waiting
            and silence >= ABANDONED_AFTER
        )
        recontacted = (
            next_message is not None and next_message - conversation.ended_at <= RECONTACT_WITHIN
        )
        outcomes.append(Outcome(conversation, handed_off, abandoned, recontacted))
    return outcomes


def day_bounds(
    policy: ClinicPolicy, first_day: dt.date, last_day: dt.date
) -> tuple[dt.datetime, dt.datetime]:
    """From midnight of ``first_day`` to midnight after ``last_day``, in the clinic's zone."""
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=policy.tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=policy.tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def build_report(
    events: Mapping[str, Sequence[StoredEvent]],
    ticket_times: Mapping[str, Sequence[dt.datetime]],
    *,
    policy: ClinicPolicy,
    first_day: dt.date,
    last_day: dt.date,
    channel: Channel | None,
    now: dt.datetime,
    unanswered_limit: int = 200,
) -> Report:
    """The figures of every conversation that started on ``first_day``..``last_day`` (Oslo)."""
    day_count = (last_day - first_day).days + 1
    days = [first_day + dt.timedelta(days=n) for n in range(day_count)]
    channels = [channel] if channel else list(Channel)
    per_day = {day: DayFigures(day, Figures(), {c: Figures() for c in channels}) for day in days}
    total, by_channel = Figures(), {c: Figures() for c in channels}
    unanswered: list[UnansweredMessage] = []
    for sender_id, sender_events in events.items():
        outcomes = judge(
            conversations_of(sender_id, sender_events),
            ticket_times=ticket_times.get(sender_id, ()),
            now=now,
        )
        for outcome in outcomes:
            conversation = outcome.conversation
            day = per_day.get(policy.local(conversation.started_at).date())
            if day is None or conversation.channel not in channels:
                continue
            for figures in (
                day.total,
                day.by_channel[conversation.channel],
                total,
                by_channel[conversation.channel],
            ):
                figures.add(outcome)
            unanswered.extend(conversation.unanswered)
    unanswered.sort(key=lambda message: message.at, reverse=True)
    return Report(
        first_day=first_day,
        last_day=last_day,
        channel=channel,
        days=[per_day[day] for day in days],
        total=total,
        by_channel=by_channel,
        unanswered=unanswered[:unanswered_limit],
        unanswered_total=len(unanswered),
    )
