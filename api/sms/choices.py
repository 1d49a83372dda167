"""Buttons over SMS: numbered choices in the answer, and the number read back."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.schemas import Button
from api.sms.models import SmsChoiceMemory

# As long as Rasa keeps a conversation's session (session_expiration_time): after that a
# "2" no longer answers the question those buttons belonged to.
CHOICES_KEPT_FOR = dt.timedelta(minutes=60)

_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def prompt(count: int) -> str:
    """How to answer: "Reply 1, 2 or 3." (a range when there are many)."""
    if count == 1:
        return "Reply 1."
    if count <= 4:
        numbers = [str(n) for n in range(1, count + 1)]
        return f"Reply {', '.join(numbers[:-1])} or {numbers[-1]}."
    return f"Reply a number from 1 to {count}."


def numbered(buttons: list[Button]) -> str:
    """The buttons as lines a phone shows: "1 Book a doctor", then how to answer."""
    lines = [f"{index} {button.title.strip()}" for index, button in enumerate(buttons, start=1)]
    return "\n".join([*lines, prompt(len(buttons))])


def pick(text: str, buttons: list[Button]) -> str | None:
    """The payload a reply chose ("2", "2.", " 2 "), or None if it is not such a reply."""
    found = _NUMBER.fullmatch(text)
    if found is None:
        return None
    index = int(found.group(1))
    if not 1 <= index <= len(buttons):
        # Perhaps an answer in its own right (an age, a number of days): the assistant reads it.
        return None
    return buttons[index - 1].payload


async def recall(*, session: AsyncSession, conversation_id: str, now: dt.datetime) -> list[Button]:
    """The buttons of the last answer in this conversation, while they still apply."""
    memory = await session.get(SmsChoiceMemory, conversation_id)
    if memory is None or memory.updated_at < now - CHOICES_KEPT_FOR:
        return []
    return [Button.model_validate(button) for button in memory.buttons]


async def remember(
    session: AsyncSession, *, conversation_id: str, buttons: list[Button], now: dt.datetime
) -> None:
    """Keep the latest answer's buttons; an answer without buttons forgets the earlier ones."""
    stored = [button.model_dump() for button in buttons]
    memory = await session.get(SmsChoiceMemory, conversation_id)
    if memory is not None:
        if stored:
            memory.buttons, memory.updated_at = stored, now
        else:
            await session.delete(memory)
        await session.flush()
        return
    if not stored:
        return
    try:
        async with session.begin_nested():
            session.add(
                SmsChoiceMemory(conversation_id=conversation_id, buttons=stored, updated_at=now)
            )
    except IntegrityError:
        # Two answers in the same conversation raced; the later one's buttons are the ones.
        await session.execute(
            update(SmsChoiceMemory)
            .where(SmsChoiceMemory.conversation_id == conversation_id)
            .values(buttons=stored, updated_at=now)
        )
