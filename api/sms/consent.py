"""STOP, START and HELP: what they are, and the opt-outs every send respects."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.sms.models import ConsentEvent, SmsConsentRecord, SmsOptOut

# Twilio's own keywords (it acts on them before we see the message, so we must agree with
# it), plus the Norwegian words a patient here would write.
OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE", "STOPP"}
)
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_WORDS = frozenset({"HELP", "INFO", "HJELP"})
# "Yes" answers the assistant's questions; it means START only to a number that said STOP.
OPT_IN_ONLY_WHEN_OPTED_OUT = frozenset({"YES"})
# Twilio's Advanced Opt-Out tells us what it made of the message.
_OPT_OUT_TYPES = {
    "STOP": ConsentEvent.OPT_OUT,
    "START": ConsentEvent.OPT_IN,
    "HELP": ConsentEvent.HELP,
}
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def keyword_of(body: str, *, opt_out_type: str | None, opted_out: bool) -> ConsentEvent | None:
    """The consent keyword a whole message is, if it is one."""
    if opt_out_type and opt_out_type.upper() in _OPT_OUT_TYPES:
        return _OPT_OUT_TYPES[opt_out_type.upper()]
    word = _EDGES.sub("", body.strip()).upper()
    if word in OPT_OUT_WORDS:
        return ConsentEvent.OPT_OUT
    if word in OPT_IN_WORDS and (opted_out or word not in OPT_IN_ONLY_WHEN_OPTED_OUT):
        return ConsentEvent.OPT_IN
    if word in HELP_WORDS:
        return ConsentEvent.HELP
    return None


async def is_opted_out(*, session: AsyncSession, number_hash: str) -> bool:
    """Whether this number said STOP and has not said START since."""
    found = await session.get(SmsOptOut, number_hash)
    return found is not None


async def record(
    *,
    session: AsyncSession,
    number_hash: str,
    event: ConsentEvent,
    source: str,
    now: dt.datetime,
    message_sid: str | None = None,
) -> None:
    """Record a STOP, START or HELP and apply it to the opt-out list."""
    session.add(
        SmsConsentRecord(
            number_hash=number_hash,
            event=event,
            source=source[:32],
            message_sid=message_sid,
            created_at=now,
        )
    )
    if event is ConsentEvent.OPT_IN:
        await session.execute(delete(SmsOptOut).where(SmsOptOut.number_hash == number_hash))
    elif event is ConsentEvent.OPT_OUT:
        exists = await session.scalar(
            select(SmsOptOut.number_hash).where(SmsOptOut.number_hash == number_hash)
        )
        if exists is None:
            try:
                async with session.begin_nested():
                    session.add(SmsOptOut(number_hash=number_hash, opted_out_at=now))
            except IntegrityError:
                pass  # two STOPs raced: the number is opted out either way
    await session.flush()
