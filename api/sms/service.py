"""An inbound text, from Twilio's webhook to the TwiML answer.

The store is touched in short units of work around the assistant's turn, never across
it: the assistant's actions call back into the API, and a transaction held open meanwhile
(SQLite's BEGIN IMMEDIATE holds the write lock) would make them wait on us.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat import service as chat_service
from api.chat.conversations import patient_conversation_id
from api.chat.rasa_client import RasaClient
from api.chat.schemas import Button
from api.core.errors import DependencyUnavailable
from api.core.rate_limit import Limit, RateLimiter, too_fast
from api.handoffs import service as handoffs
from api.policy.rules import ClinicPolicy
from api.sms import choices, consent, messages, outbound, verification
from api.sms.models import ConsentEvent, InboundStatus, OutboundStatus, SmsInboundMessage
from api.sms.numbers import NumberKeys
from api.sms.splitting import MAX_SMS_CHARS, sms_length
from api.sms.twiml import answer_text, clean_inbound, twiml
from api.support import paused_safety

# How long a retry waits for the first delivery of the same message to be answered.
REPLAY_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class InboundSms:
    message_sid: str
    sender: str  # E.164, as Twilio gives it
    body: str
    opt_out_type: str | None = None


@dataclass(frozen=True)
class _Reply:
    """Answered by the channel itself (STOP, HELP, a code...); empty: send nothing."""

    text: str


@dataclass(frozen=True)
class _Ask:
    """For the assistant: the text to send (a chosen button's payload, or what was written)."""

    conversation_id: str
    text: str


@asynccontextmanager
async def _unit(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session, session.begin():
        yield session


async def _claim(
    *, session: AsyncSession, message: InboundSms, number_hash: str, now: dt.datetime
) -> SmsInboundMessage | None:
    """Take the message in; None if it is ours to handle, else the earlier delivery's row."""
    row = await session.get(SmsInboundMessage, message.message_sid, with_for_update=True)
    if row is None:
        try:
            async with session.begin_nested():
                session.add(
                    SmsInboundMessage(
                        message_sid=message.message_sid,
                        number_hash=number_hash,
                        status=InboundStatus.PROCESSING,
                        received_at=now,
                    )
                )
            return None
        except IntegrityError:
            row = await session.get(SmsInboundMessage, message.message_sid, populate_existing=True)
            assert row is not None
    if row.status is InboundStatus.FAILED:
        # The assistant did not answer last time: this retry gets a real try.
        row.status = InboundStatus.PROCESSING
        return None
    return row


async def _plan(
    *,
    session: AsyncSession,
    message: InboundSms,
    keys: NumberKeys,
    policy: ClinicPolicy,
    now: dt.datetime,
) -> _Reply | _Ask:
    """What this text is: a consent keyword, a code, or a message for the assistant."""
    number_hash = keys.number_hash(message.sender)
    body = clean_inbound(message.body)
    opted_out = await consent.is_opted_out(session=session, number_hash=number_hash)
    keyword = consent.keyword_of(body, opt_out_type=message.opt_out_type, opted_out=opted_out)
    if keyword is not None:
        await consent.record(
            session=session,
            number_hash=number_hash,
            event=keyword,
            source=f"keyword:{body[:20].upper()}",
            message_sid=message.message_sid,
            now=now,
        )
        return _Reply(
            {
                ConsentEvent.OPT_OUT: messages.OPTED_OUT,
                ConsentEvent.OPT_IN: messages.OPTED_IN,
                ConsentEvent.HELP: messages.help_text(policy),
            }[keyword]
        )
    if opted_out:
        return _Reply("")  # they said STOP: not even an answer goes back
    if not body:
        return _Reply(messages.EMPTY)
    if sms_length(body) > MAX_SMS_CHARS:
        return _Reply(messages.TOO_LONG.format(limit=f"{MAX_SMS_CHARS:,}"))
    if (code := verification.CODE_PATTERN.fullmatch(body)) is not None:
        confirmed = await verification.confirm_by_sms(
            session=session, keys=keys, number=message.sender, code=code.group(1), now=now
        )
        if confirmed is not None:
            return _Reply(messages.NUMBER_LINKED if confirmed else messages.WRONG_CODE)
    patient_id = await verification.patient_for_number(
        session=session, keys=keys, number=message.sender
    )
    conversation_id = (
        patient_conversation_id(patient_id)
        if patient_id is not None
        else keys.conversation_id(message.sender)
    )
    offered = await choices.recall(session=session, conversation_id=conversation_id, now=now)
    return _Ask(conversation_id, choices.pick(body, offered) or body)


@dataclass(frozen=True)
class _Outcome:
    reply: str  # TwiML
    status: InboundStatus
    conversation_id: str | None = None
    # The answer's buttons, to be remembered (None: the assistant did not answer).
    buttons: list[Button] | None = None


async def _finish(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    message_sid: str,
    outcome: _Outcome,
    now: dt.datetime,
    sender: str,
) -> None:
    async with _unit(sessionmaker) as session:
        row = await session.get(SmsInboundMessage, message_sid, with_for_update=True)
        assert row is not None
        row.status, row.reply, row.answered_at = outcome.status, outcome.reply, now
        row.conversation_id = outcome.conversation_id
        if outcome.conversation_id is not None:
            await handoffs.remember_sms_number(
                session=session, conversation_id=outcome.conversation_id, number=sender
            )
        if outcome.conversation_id is not None and outcome.buttons is not None:
            await choices.remember(
                session=session,
                conversation_id=outcome.conversation_id,
                buttons=outcome.buttons,
                now=now,
            )


async def _earlier_answer(
    sessionmaker: async_sessionmaker[AsyncSession], *, message_sid: str
) -> str:
    """A retry of a message still being answered waits for that answer (and sends it)."""
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    while time.monotonic() < deadline:
        async with _unit(sessionmaker) as session:
            row = await session.get(SmsInboundMessage, message_sid)
            if row is not None and row.status is not InboundStatus.PROCESSING:
                return row.reply or twiml("")
        await asyncio.sleep(0.2)
    return twiml("")


async def _ask(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    rasa: RasaClient,
    plan: _Ask,
    policy: ClinicPolicy,
    request_id: str,
    now: dt.datetime,
) -> _Outcome:
    """The assistant's turn, outside any transaction."""
    try:
        answer = await chat_service.converse(
            rasa=rasa,
            conversation_id=plan.conversation_id,
            text=plan.text,
            metadata={"request_id": request_id, "channel": "sms"},
            emergency_number=policy.emergency.life_threatening,
        )
    except DependencyUnavailable:
        # Failed, so that Twilio's retry of this message is handled for real.
        apology = messages.ASSISTANT_DOWN.format(emergency=policy.emergency.life_threatening)
        return _Outcome(twiml(apology), InboundStatus.FAILED, plan.conversation_id)
    if not answer:
        # Paused while support holds the conversation: the safety net still answers.
        answer = await paused_safety.answer_silence(
            rasa=rasa,
            sessionmaker=sessionmaker,
            conversation_id=plan.conversation_id,
            text=plan.text,
            numbers=policy.emergency,
            now=now,
        )
    text, buttons = answer_text(answer)
    return _Outcome(twiml(text), InboundStatus.ANSWERED, plan.conversation_id, buttons)


async def handle_inbound(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    rasa: RasaClient,
    keys: NumberKeys,
    policy: ClinicPolicy,
    message: InboundSms,
    now: dt.datetime,
    request_id: str,
    limiter: RateLimiter,
    limits: Sequence[Limit],
) -> str:
    """Answer one inbound text with TwiML, exactly once per MessageSid."""
    sid = message.message_sid
    # Claimed and read in one unit: if reading fails, the claim goes too, and Twilio's retry
    # of this message starts afresh.
    async with _unit(sessionmaker) as session:
        number_hash = keys.number_hash(message.sender)
        earlier = await _claim(session=session, message=message, number_hash=number_hash, now=now)
        plan = (
            await _plan(session=session, message=message, keys=keys, policy=policy, now=now)
            if earlier is None
            else None
        )
    if plan is None:
        assert earlier is not None
        if earlier.status is InboundStatus.ANSWERED and earlier.reply is not None:
            return earlier.reply
        return await _earlier_answer(sessionmaker, message_sid=sid)
    if isinstance(plan, _Reply):
        outcome = _Outcome(twiml(plan.text), InboundStatus.ANSWERED)
    else:
        # Only what goes to the assistant is limited: STOP, START, HELP and codes always work.
        verdict = await limiter.hit(f"sms:{number_hash}", limits)
        if verdict.allowed:
            outcome = await _ask(
                sessionmaker=sessionmaker,
                rasa=rasa,
                plan=plan,
                policy=policy,
                request_id=request_id,
                now=now,
            )
        else:
            refusal = too_fast(
                verdict.retry_after_seconds, emergency_number=policy.emergency.life_threatening
            )
            outcome = _Outcome(
                twiml(refusal if verdict.first_refusal else ""),
                InboundStatus.RATE_LIMITED,
                plan.conversation_id,
            )
    await _finish(sessionmaker, message_sid=sid, outcome=outcome, now=now, sender=message.sender)
    return outcome.reply


async def record_status(
    *,
    session: AsyncSession,
    message_sid: str,
    status: OutboundStatus,
    error_code: str | None,
    now: dt.datetime,
) -> None:
    """A delivery status callback for a message we (or a TwiML answer) sent."""
    await outbound.record_delivery(
        session=session, message_sid=message_sid, status=status, error_code=error_code, now=now
    )
