"""STOP, START and HELP over SMS: answered, recorded, and respected by every send."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.sms.consent import keyword_of
from api.sms.models import ConsentEvent, SmsConsentRecord, SmsOptOut
from tests.api.sms.conftest import KEYS, Phone, SubstituteRasa


@pytest.mark.parametrize(
    ("body", "event"),
    [
        ("STOP", ConsentEvent.OPT_OUT),
        (" stop. ", ConsentEvent.OPT_OUT),
        ("Stopp", ConsentEvent.OPT_OUT),
        ("unsubscribe", ConsentEvent.OPT_OUT),
        ("CANCEL", ConsentEvent.OPT_OUT),  # Twilio's keyword: it stops sending either way
        ("start", ConsentEvent.OPT_IN),
        ("UNSTOP", ConsentEvent.OPT_IN),
        ("help", ConsentEvent.HELP),
        ("Hjelp!", ConsentEvent.HELP),
        ("info", ConsentEvent.HELP),
    ],
)
def test_keywords(body: str, event: ConsentEvent) -> None:
    assert keyword_of(body, opt_out_type=None, opted_out=False) == event


@pytest.mark.parametrize(
    "body", ["stop the booking", "I need help with my booking", "yes", "cancel my appointment"]
)
def test_sentences_with_keywords_are_for_the_assistant(body: str) -> None:
    assert keyword_of(body, opt_out_type=None, opted_out=False) is None


def test_yes_means_start_only_to_a_number_that_said_stop() -> None:
    assert keyword_of("Yes", opt_out_type=None, opted_out=True) is ConsentEvent.OPT_IN
    assert keyword_of("Yes", opt_out_type=None, opted_out=False) is None


def test_twilios_advanced_opt_out_decides_when_it_says() -> None:
    assert keyword_of("Stop it", opt_out_type="STOP", opted_out=False) is ConsentEvent.OPT_OUT
    assert keyword_of("x", opt_out_type="help", opted_out=False) is ConsentEvent.HELP
    assert keyword_of("hi", opt_out_type="unknown", opted_out=False) is None


async def _records(engine: AsyncEngine, number: str) -> list[tuple[str, str]]:
    async with AsyncSession(engine) as session:
        rows = await session.scalars(
            select(SmsConsentRecord)
            .where(SmsConsentRecord.number_hash == KEYS.number_hash(number))
            .order_by(SmsConsentRecord.created_at)
        )
        return [(row.event.value, row.source) for row in rows]


async def _opted_out(engine: AsyncEngine, number: str) -> bool:
    async with AsyncSession(engine) as session:
        return await session.get(SmsOptOut, KEYS.number_hash(number)) is not None


async def test_stop_then_silence_then_help_then_start(
    phone: Phone, rasa: SubstituteRasa, engine: AsyncEngine
) -> None:
    assert await phone.text("STOP") == [
        "You will get no more texts from us. Reply START if you want them again."
    ]
    assert await _opted_out(engine, phone.number)
    # Opted out: nothing goes back, and the assistant is not asked.
    assert await phone.text("when are you open?") == []
    assert rasa.received == []
    # HELP is always answered.
    [help_text] = await phone.text("HELP")
    assert "STOP" in help_text and "START" in help_text and "113" in help_text
    assert await phone.text("yes") == [
        "You will get texts from us again. Reply STOP at any time to stop them."
    ]
    assert not await _opted_out(engine, phone.number)
    assert await phone.text("when are you open?") == ["you said: when are you open?"]
    assert await _records(engine, phone.number) == [
        ("opt_out", "keyword:STOP"),
        ("help", "keyword:HELP"),
        ("opt_in", "keyword:YES"),
    ]


async def test_twilio_marked_opt_out_is_recorded_as_such(
    phone: Phone, rasa: SubstituteRasa, engine: AsyncEngine
) -> None:
    await phone.text("Stop please", OptOutType="STOP")
    assert await _opted_out(engine, phone.number)
    assert rasa.received == []


async def test_stop_twice_is_still_one_opt_out(phone: Phone, engine: AsyncEngine) -> None:
    await phone.text("stop")
    await phone.text("STOPP")
    assert await _opted_out(engine, phone.number)
    assert [event for event, _ in await _records(engine, phone.number)] == ["opt_out"] * 2


async def test_start_without_stop_is_harmless(phone: Phone, engine: AsyncEngine) -> None:
    assert await phone.text("START") == [
        "You will get texts from us again. Reply STOP at any time to stop them."
    ]
    assert not await _opted_out(engine, phone.number)
