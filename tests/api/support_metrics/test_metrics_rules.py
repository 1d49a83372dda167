"""The definitions one rule at a time, at their boundaries (pure functions, no store)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from api.chat.tracker_store import StoredEvent
from api.policy.rules import get_policy
from api.support import metrics
from api.support import metrics_conversations as reading
from api.support.metrics_conversations import Channel, Escalation, UnansweredReason
from tests.api.support_metrics.rasa_events import Talk
from tests.api.support_metrics.scenario import oslo

DAY = dt.date(2031, 2, 4)
START = oslo(DAY, 10)


def stored(talk: Talk) -> list[StoredEvent]:
    # Through JSON, as the store hands them back.
    return [StoredEvent(talk.sender_id, json.loads(json.dumps(e))) for e in talk.events]


def outcomes(
    talk: Talk, *, now: dt.datetime, tickets: tuple[dt.datetime, ...] = ()
) -> list[metrics.Outcome]:
    return metrics.judge(
        reading.conversations_of(talk.sender_id, stored(talk)), ticket_times=tickets, now=now
    )


def waiting_in_a_form() -> Talk:
    talk = Talk("anon-wait").at(START).session_start()
    talk.says("book a doctor", "book_consult").action("action_start_booking")
    return talk.asks_in_form("booking_form", "slot_id", "Which time suits you?")


def test_a_session_without_a_patient_message_is_no_conversation() -> None:
    talk = Talk("anon-quiet").at(START).session_start()
    talk.at(START + dt.timedelta(hours=3)).session_start()
    assert reading.conversations_of(talk.sender_id, stored(talk)) == []


def test_system_messages_are_not_the_patients() -> None:
    talk = Talk("patient-x").at(START).session_start()
    talk.says("EXTERNAL: reminder_due", "reminder_due").bot("Your consult starts soon.")
    assert reading.conversations_of(talk.sender_id, stored(talk)) == []


def test_an_hour_of_silence_starts_a_new_conversation_even_without_rasa_sessions() -> None:
    talk = Talk("anon-old").at(START).faq("price?", "prices")
    talk.at(START + dt.timedelta(minutes=59)).faq("hours?", "opening_hours")
    talk.at(START + dt.timedelta(minutes=59 + 61)).faq("devices?", "devices")
    first, second = reading.conversations_of(talk.sender_id, stored(talk))
    assert first.faq_topics == ("prices", "opening_hours")
    assert second.faq_topics == ("devices",)
    assert [o.recontacted for o in outcomes(talk, now=START + dt.timedelta(days=2))] == [
        True,
        False,
    ]


def test_a_session_start_right_after_the_last_one_does_not_split_an_empty_session() -> None:
    talk = Talk("anon-double").at(START).session_start().session_start()
    talk.faq("price?", "prices")
    [conversation] = reading.conversations_of(talk.sender_id, stored(talk))
    assert conversation.faq_topics == ("prices",)


@pytest.mark.parametrize(
    ("silence", "abandoned"),
    [
        (dt.timedelta(minutes=29, seconds=59), False),
        (dt.timedelta(minutes=30), True),
    ],
)
def test_abandoned_after_thirty_minutes_of_silence(silence: dt.timedelta, abandoned: bool) -> None:
    talk = waiting_in_a_form()
    [conversation] = reading.conversations_of(talk.sender_id, stored(talk))
    [outcome] = outcomes(talk, now=conversation.ended_at + silence)
    assert conversation.waiting
    assert outcome.abandoned is abandoned
    assert not outcome.handed_off


def test_coming_back_in_a_new_conversation_within_thirty_minutes_is_not_abandoning() -> None:
    talk = waiting_in_a_form()
    talk.at(talk.now + dt.timedelta(minutes=20)).action("action_restart").session_start()
    talk.faq("price?", "prices")
    first, _second = outcomes(talk, now=START + dt.timedelta(days=2))
    assert not first.abandoned and first.recontacted


def test_a_reply_within_the_session_ends_the_wait() -> None:
    talk = waiting_in_a_form()
    talk.at(talk.now + dt.timedelta(minutes=45)).says("/stop", "stop", confidence=1.0)
    talk.action("action_stop_form").loop(None).bot("Stopped.").listen()
    [outcome] = outcomes(talk, now=START + dt.timedelta(days=2))
    assert not outcome.conversation.waiting and not outcome.abandoned


def test_the_fallbacks_did_you_mean_left_unanswered_is_abandoned() -> None:
    talk = Talk("anon-huh").at(START).session_start().not_understood("zxcv")
    [outcome] = outcomes(talk, now=START + dt.timedelta(hours=1))
    assert outcome.abandoned


def test_an_escalation_is_never_abandoned_and_the_more_serious_one_counts() -> None:
    talk = waiting_in_a_form()
    talk.says("I feel dizzy and faint", "urgent_care").action("action_urgent_care")
    talk.bot("Please call legevakt.").loop(None).listen()
    talk.says("now my chest hurts badly", "emergency").action("action_emergency")
    talk.bot("Call 113 now.").loop(None).listen()
    # The patient asks to book again and leaves the form's question unanswered.
    talk.says("book a doctor", "book_consult").action("action_start_booking")
    talk.asks_in_form("booking_form", "slot_id", "Which time suits you?")
    [outcome] = outcomes(talk, now=START + dt.timedelta(days=1))
    assert outcome.conversation.escalation is Escalation.EMERGENCY
    assert outcome.conversation.waiting and not outcome.abandoned and not outcome.handed_off


@pytest.mark.parametrize(
    ("after_end", "recontacted"),
    [(dt.timedelta(hours=24), True), (dt.timedelta(hours=24, seconds=1), False)],
)
def test_recontact_within_twenty_four_hours(after_end: dt.timedelta, recontacted: bool) -> None:
    talk = Talk("patient-again").at(START).session_start().faq("price?", "prices")
    end = talk.now
    # The next message 2 s after its session starts; Talk stamps every event 2 s apart.
    talk.at(end + after_end - dt.timedelta(seconds=10)).session_start()
    talk.faq("price?", "prices")
    first, _ = outcomes(talk, now=START + dt.timedelta(days=3))
    assert first.recontacted is recontacted


@pytest.mark.parametrize(
    ("ticket_after_end", "handed_off"),
    [
        (dt.timedelta(seconds=-10), True),
        (dt.timedelta(minutes=2), True),
        (dt.timedelta(minutes=2, seconds=1), False),
        (dt.timedelta(hours=-2), False),
    ],
)
def test_a_ticket_hands_over_the_conversation_it_was_opened_in(
    ticket_after_end: dt.timedelta, handed_off: bool
) -> None:
    talk = Talk("anon-t").at(START).session_start().faq("price?", "prices")
    [conversation] = reading.conversations_of(talk.sender_id, stored(talk))
    ticket = conversation.ended_at + ticket_after_end
    [outcome] = outcomes(talk, now=START + dt.timedelta(days=1), tickets=(ticket,))
    assert outcome.handed_off is handed_off


def test_support_pausing_the_assistant_is_a_handoff() -> None:
    talk = Talk("patient-held").at(START).session_start().faq("price?", "prices")
    talk.pause().resume()
    [outcome] = outcomes(talk, now=START + dt.timedelta(days=1))
    assert outcome.handed_off


def test_messages_to_support_while_it_holds_the_conversation_are_not_listed() -> None:
    talk = Talk("patient-held").at(START).session_start().faq("price?", "prices").pause()
    talk.says("thanks, my order number is wrong", "nlu_fallback", confidence=0.1)
    talk.resume().says("gibberish again", "nlu_fallback", confidence=0.1)
    [conversation] = reading.conversations_of(talk.sender_id, stored(talk))
    assert [m.text for m in conversation.unanswered] == ["gibberish again"]


def test_unanswered_messages_and_why() -> None:
    talk = Talk("sms-x", sms=True).at(START).session_start()
    talk.says("ring me on +47 912 34 567 please", "nlu_fallback", confidence=0.1)
    talk.action("utter_default").bot("Sorry?").listen()
    talk.says("a paper for my boss", "request_certificate", confidence=0.4)
    talk.action("action_default_fallback").bot("Handed over.").rewind().listen()
    [conversation] = reading.conversations_of(talk.sender_id, stored(talk))
    assert [(m.channel, m.reason, m.text) for m in conversation.unanswered] == [
        (Channel.SMS, UnansweredReason.NOT_UNDERSTOOD, "ring me on +## ### ## ### please"),
        (Channel.SMS, UnansweredReason.NO_NEXT_STEP, "a paper for my boss"),
    ]
    assert conversation.handoff_seen


def test_a_message_is_listed_once_even_when_the_default_fallback_follows_it() -> None:
    talk = Talk("anon-once").at(START).session_start()
    talk.says("qwerty", "nlu_fallback", confidence=0.1)
    talk.action("action_default_fallback").bot("Handed over.").rewind().listen()
    [conversation] = reading.conversations_of(talk.sender_id, stored(talk))
    assert [m.reason for m in conversation.unanswered] == [UnansweredReason.NOT_UNDERSTOOD]


def test_answers_typed_into_a_form_are_never_listed() -> None:
    talk = Talk("patient-sc").at(START).session_start()
    talk.says("check my symptoms", "start_symptom_check").action("action_start_symptom_check")
    talk.asks_in_form("symptom_check_form", "sc_complaint", "What is bothering you?")
    talk.says("burning when I pee since monday", "nlu_fallback", confidence=0.2)
    talk.action("utter_default").bot("Could you say it another way?")
    talk.action("action_default_fallback").bot("Handed over.").listen()
    [conversation] = reading.conversations_of(talk.sender_id, stored(talk))
    assert conversation.unanswered == ()


def test_button_payloads_are_never_listed() -> None:
    talk = Talk("anon-b").at(START).session_start()
    talk.says("/out_of_scope", "nlu_fallback", confidence=0.0)
    [conversation] = reading.conversations_of(talk.sender_id, stored(talk))
    assert conversation.unanswered == ()


@pytest.mark.parametrize("selector", ["default", "faq"])
def test_the_faq_topic_whichever_way_the_selector_is_named(selector: str) -> None:
    talk = Talk("anon-f").says("is it safe?", "faq", topic="security", retrieval_key=selector)
    parse: dict[str, Any] = talk.events[0]["parse_data"]
    assert reading.faq_topic(parse) == "security"


@pytest.mark.parametrize(
    "parse",
    [
        {},
        {"intent": {"name": "greet"}},
        {"intent": {"name": "faq", "full_retrieval_intent_name": "faq/"}},
        {"intent": "faq", "response_selector": "garbage"},
        {"intent": {"name": "faq"}, "response_selector": {"default": {"response": None}}},
    ],
)
def test_no_topic_without_a_faq_key(parse: dict[str, Any]) -> None:
    assert reading.faq_topic(parse) is None


def test_an_faq_answer_without_a_topic_still_counts() -> None:
    talk = Talk("anon-u").at(START).session_start()
    talk.says("hmm", "faq").action("utter_faq").bot("...").listen()
    talk.events[4]["parse_data"].pop("response_selector")
    [conversation] = reading.conversations_of(talk.sender_id, stored(talk))
    assert conversation.faq_topics == (reading.UNKNOWN_TOPIC,)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("my number is 01017012345", "my number is ###########"),
        ("call 912 34 567", "call ### ## ###"),
        ("booked at 10:30 on 12.06, 2031", "booked at 10:30 on 12.06, 2031"),
        ("x" * 600, "x" * 500),
    ],
)
def test_long_numbers_are_masked(text: str, shown: str) -> None:
    assert reading.masked(text) == shown


def test_garbage_events_are_skipped() -> None:
    events = [
        StoredEvent("anon-g", {"event": "user", "timestamp": "noon", "text": "hi"}),
        StoredEvent("anon-g", {"event": "action", "timestamp": START.timestamp(), "name": 7}),
        StoredEvent("anon-g", {"event": "user", "timestamp": START.timestamp(), "text": None}),
        StoredEvent("anon-g", {"event": "active_loop", "timestamp": START.timestamp()}),
    ]
    assert reading.conversations_of("anon-g", events) == []


def test_days_are_the_clinics_days() -> None:
    """23:30 in Oslo is 22:30 UTC: the conversation belongs to that Oslo day, not the next."""
    talk = Talk("anon-late").at(oslo(DAY, 23, 30)).session_start().faq("price?", "prices")
    report = metrics.build_report(
        {talk.sender_id: stored(talk)},
        {},
        policy=get_policy(),
        first_day=DAY,
        last_day=DAY + dt.timedelta(days=1),
        channel=None,
        now=START + dt.timedelta(days=3),
    )
    assert [d.total.conversations for d in report.days] == [1, 0]
    assert report.by_channel[Channel.CHAT].faq_answers == 1
    assert report.by_channel[Channel.SMS].conversations == 0
