"""Emergencies while support holds a conversation: 113 / 116117 are still answered at once.

While a person holds a conversation Rasa is paused (ConversationPaused): every message is
still parsed, SafetyNet included, and recorded, but no action runs, so the assistant would
say nothing even to "my father collapsed". Whenever a turn comes back silent the gateway
therefore reads the intent Rasa gave the message it just recorded (`emergency` /
`urgent_care`, set by bot/safety's SafetyNet), answers with the action server's own words
(bot/safety/answers.py) and the clinic's numbers, keeps that answer in the
transcript, and flags the ticket so that the person holding it sees it first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.rasa_client import RasaClient, RasaUnavailable
from api.chat.schemas import BotMessage
from api.handoffs import service as handoffs
from api.handoffs.models import SafetyFlag
from api.policy.rules import EmergencyNumbers
from bot.safety.answers import emergency_text, urgent_text
from bot.safety.patterns import assess as rule_assessment

logger = logging.getLogger(__name__)

# The intents bot/safety's SafetyNet gives an escalated message (domain/safety.yml).
_FLAG_OF_INTENT = {"emergency": SafetyFlag.EMERGENCY, "urgent_care": SafetyFlag.URGENT}
_FLAG_OF_LEVEL = {"emergency": SafetyFlag.EMERGENCY, "urgent": SafetyFlag.URGENT}
_SEVERITY = {SafetyFlag.URGENT: 1, SafetyFlag.EMERGENCY: 2}


@dataclass(frozen=True)
class Finding:
    flag: SafetyFlag
    mental_health: bool = False


def answer_for(finding: Finding, numbers: EmergencyNumbers) -> str:
    if finding.flag is SafetyFlag.EMERGENCY:
        return emergency_text(numbers)
    return urgent_text(numbers, mental_health=finding.mental_health)


def latest_user_event(events: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The last message the patient wrote, as Rasa recorded it."""
    latest = None
    for event in events:
        if event.get("event") == "user":
            latest = event
    return latest


def finding_of(event: dict[str, Any]) -> Finding | None:
    """What Rasa's NLU (SafetyNet last) made of a recorded message; None if not urgent."""
    parse = event.get("parse_data")
    parse = parse if isinstance(parse, dict) else {}
    intent = parse.get("intent")
    name = intent.get("name") if isinstance(intent, dict) else None
    flag = _FLAG_OF_INTENT.get(name) if isinstance(name, str) else None
    if flag is None:
        return None
    safety = parse.get("safety")
    mental_health = isinstance(safety, dict) and safety.get("mental_health") is True
    return Finding(flag, mental_health)


def finding_by_rules(text: str) -> Finding | None:
    """SafetyNet's rule layer alone: for when Rasa's record of the message cannot be read."""
    verdict = rule_assessment(text)
    flag = _FLAG_OF_LEVEL.get(verdict.level)
    return Finding(flag, verdict.mental_health) if flag is not None else None


async def _recorded_finding(rasa: RasaClient, conversation_id: str, text: str) -> Finding | None:
    try:
        events = await rasa.tracker_events(conversation_id=conversation_id)
    except RasaUnavailable as exc:
        logger.warning("tracker unreadable after a silent turn: %s", exc)
        return finding_by_rules(text)
    event = latest_user_event(events)
    if event is None:
        return finding_by_rules(text)
    return finding_of(event)


async def flag_ticket(
    *, session: AsyncSession, conversation_id: str, flag: SafetyFlag, now: dt.datetime
) -> bool:
    """Mark the conversation's live ticket (never downgraded); False if it has none."""
    ticket = await handoffs.live_ticket(
        session=session, conversation_id=conversation_id, for_update=True
    )
    if ticket is None:
        return False
    if ticket.safety_flag is None or _SEVERITY[flag] > _SEVERITY[ticket.safety_flag]:
        ticket.safety_flag = flag
        ticket.flagged_at = now
        ticket.updated_at = now
    return True


async def answer_silence(
    *,
    rasa: RasaClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    conversation_id: str,
    text: str,
    numbers: EmergencyNumbers,
    now: dt.datetime,
) -> list[BotMessage]:
    """The assistant said nothing to ``text``: the urgent answer if it needs one, else []."""
    finding = await _recorded_finding(rasa, conversation_id, text)
    if finding is None:
        return []
    answer = answer_for(finding, numbers)
    # The patient gets the answer whatever fails below: both only keep a record of it.
    try:
        await rasa.add_bot_message(conversation_id=conversation_id, text=answer)
    except RasaUnavailable as exc:
        logger.error("urgent answer given but not kept in the transcript: %s", exc)
    try:
        async with sessionmaker() as session, session.begin():
            await flag_ticket(
                session=session, conversation_id=conversation_id, flag=finding.flag, now=now
            )
    except SQLAlchemyError as exc:
        logger.error("urgent answer given but the ticket not flagged: %s", type(exc).__name__)
    return [BotMessage(text=answer)]
