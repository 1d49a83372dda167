"""A conversation as support reads it: what was said, with the clinical parts withheld.

The answers a patient gives inside the symptom check, a prescription renewal or a
certificate request are the clinicians' alone. Rasa records when each of those forms is
active (`active_loop` events), so every turn that belongs to one (the message that started
it, each answer, and what the assistant said in return) is replaced by one line saying what
was withheld. Cards (`custom` payloads) are never shown: a renewal card names the medicine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from api.chat.history import transcript_of
from api.handoffs.models import SupportTicket
from api.support.schemas import StaffTranscriptLine

# The forms whose answers are clinical, and how support sees that part of the conversation.
CLINICAL_FORMS = {
    "symptom_check_form": "Symptom check: the answers are for clinicians only.",
    "renewal_form": "Prescription renewal: the details are for clinicians only.",
    "certificate_form": "Certificate request: the details are for clinicians only.",
}
# The custom payload that marks a support agent's message in the transcript.
SUPPORT_REPLY = "support_reply"
MAX_LINES = 200


def _turns(events: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Events split at each patient message: a turn is a message and what followed it."""
    turns: list[list[dict[str, Any]]] = [[]]
    for event in events:
        if event.get("event") == "user" and turns[-1]:
            turns.append([])
        turns[-1].append(event)
    return [turn for turn in turns if turn]


def _withheld(turns: list[list[dict[str, Any]]]) -> list[str | None]:
    """For each turn, what it belongs to if that is clinical (else None)."""
    active: str | None = None
    marks: list[str | None] = []
    for turn in turns:
        mark = active
        for event in turn:
            if event.get("event") != "active_loop":
                continue
            name = event.get("name")
            active = name if isinstance(name, str) and name in CLINICAL_FORMS else None
            mark = mark or active
        marks.append(mark)
    return marks


def _lines(events: list[dict[str, Any]]) -> list[StaffTranscriptLine]:
    return [
        StaffTranscriptLine(
            sender="support"
            if entry.sender == "assistant"
            and isinstance(entry.custom, dict)
            and entry.custom.get("type") == SUPPORT_REPLY
            else entry.sender,
            text=entry.text,
            choices=[b.title for b in entry.buttons if b.title],
            sent_at=entry.sent_at,
        )
        for entry in transcript_of(events)
        if entry.text or entry.buttons
    ]


def _stamp(event: dict[str, Any]) -> dt.datetime | None:
    stamp = event.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return dt.datetime.fromtimestamp(stamp, dt.UTC)
    return None


def staff_transcript(events: Iterable[dict[str, Any]]) -> list[StaffTranscriptLine]:
    """The conversation's lines, oldest first, clinical turns withheld."""
    turns = _turns(events)
    lines: list[StaffTranscriptLine] = []
    plain: list[dict[str, Any]] = []
    for turn, mark in zip(turns, _withheld(turns), strict=True):
        if mark is None:
            plain.extend(turn)
            continue
        lines.extend(_lines(plain))
        plain = []
        withheld = CLINICAL_FORMS[mark]
        # Consecutive turns of one form read as one line.
        if not (lines and lines[-1].sender == "withheld" and lines[-1].text == withheld):
            lines.append(
                StaffTranscriptLine(sender="withheld", text=withheld, sent_at=_stamp(turn[0]))
            )
    lines.extend(_lines(plain))
    return lines[-MAX_LINES:]


def handoff_transcript(ticket: SupportTicket) -> list[StaffTranscriptLine]:
    """The copy the assistant sent with the handoff (already without the clinical parts)."""
    lines: list[StaffTranscriptLine] = []
    for line in ticket.transcript[-MAX_LINES:]:
        at = line.get("at")
        sent_at = dt.datetime.fromisoformat(at) if isinstance(at, str) else None
        sender = "patient" if line.get("sender") == "patient" else "assistant"
        lines.append(
            StaffTranscriptLine(sender=sender, text=str(line.get("text", "")), sent_at=sent_at)
        )
    return lines
