"""A worked example: conversations over two Oslo days with figures counted by hand.

Day 1 and day 2 are consecutive; one conversation runs across the midnight between them,
another one before day 1 runs into it, and follow-ups on day 3 decide a re-contact. Nothing
here calls the code under test: EXPECTED was worked out from the stories below.

Day 1
  A  chat 09:00  two FAQ answers (prices, opening_hours), thanks         contained
  B  sms  10:00  asks for a person: handoff action + ticket              handed off, re-contact
  C  chat 11:00  chest pain: action_emergency                            contained, emergency
  D  chat 12:00  starts a booking, never answers the form's question     abandoned
  E  sms  13:00  not understood twice, the fallback gives up (ticket)    handed off, 2 unanswered
  F  chat 23:30  FAQ refunds, then 00:10 (day 2) FAQ receipt             contained, re-contact
Day 2
  G  sms  08:00  not understood, picks a topic offered: FAQ hours        contained, 1 unanswered
  B2 sms  08:30  FAQ cancel_doctor                                       contained, re-contact
  H  chat 09:00  symptom check; an answer the NLU cannot place; stop     contained, none listed
  F2 chat 10:00  fever: action_urgent_care                               contained, urgent care
  M  chat 11:00  only opened the page (no message)                       not a conversation
  J  chat 14:00  booking; answers the form after 40 minutes; booked      contained
  K  chat 15:00  no next step: action_default_fallback + ticket          handed off, 1 unanswered
Outside the range
  Z  chat day 0 23:50 to day 1 00:05, FAQ prices and devices             (day 0)
  B3 sms  day 3 07:00, FAQ renewal_info                                  (day 3)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tests.api.support_metrics.rasa_events import Talk

OSLO = ZoneInfo("Europe/Oslo")
FAX = "Can you fax my papers to 22 33 44 55?"
FAX_SHOWN = "Can you fax my papers to ## ## ## ##?"


def oslo(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=OSLO).astimezone(dt.UTC)


@dataclass(frozen=True)
class Ticket:
    conversation_id: str
    reason: str
    channel: str
    at: dt.datetime


@dataclass(frozen=True)
class Scenario:
    day1: dt.date
    talks: list[Talk]
    tickets: list[Ticket]

    @property
    def day2(self) -> dt.date:
        return self.day1 + dt.timedelta(days=1)


def build(day1: dt.date, *, prefix: str) -> Scenario:
    """The conversations, with sender ids made unique by ``prefix``."""
    day0, day2, day3 = (day1 + dt.timedelta(days=n) for n in (-1, 1, 2))
    ids = {name: f"{prefix}-{name.lower()}" for name in "ABCDEFGHJKMZ"}
    ids["B"] = f"patient-{prefix}b"
    ids["E"] = f"sms-{prefix}e"
    tickets: list[Ticket] = []

    a = Talk(ids["A"]).at(oslo(day1, 9)).session_start()
    a.faq("How much is a consult?", "prices").faq("When are you open?", "opening_hours")
    a.says("thanks!", "thanks").action("utter_thanks").bot("You're welcome!").listen()

    b = Talk(ids["B"], sms=True).at(oslo(day1, 10)).session_start(logged_in=True)
    b.says("I want to talk to a person", "human_handoff")
    tickets.append(Ticket(ids["B"], "asked_for_human", "sms", b.now))
    b.action("action_handoff_to_support").bot("I've passed our conversation to support.")
    b.loop(None).slot("requested_slot", None).listen()

    c = Talk(ids["C"]).at(oslo(day1, 11)).session_start()
    c.says("my father has chest pain and cannot breathe", "emergency")
    c.action("action_emergency").bot("Call 113 now (ambulance).").loop(None)
    c.slot("requested_slot", None).listen()

    d = Talk(ids["D"]).at(oslo(day1, 12)).session_start(logged_in=True)
    d.says("I want to book a doctor", "book_consult").action("action_start_booking")
    d.asks_in_form("booking_form", "slot_id", "Which time suits you?")

    e = Talk(ids["E"], sms=True).at(oslo(day1, 13)).session_start()
    e.not_understood(FAX)
    e.says("/out_of_scope", "out_of_scope", confidence=1.0).action("action_two_stage_fallback")
    e.bot("Could you put it another way?").listen()
    e.says("fax papers gp", "nlu_fallback", confidence=0.2).action("action_two_stage_fallback")
    tickets.append(Ticket(ids["E"], "not_understood", "sms", e.now))
    e.loop(None).bot("Sorry, I still didn't understand. I've passed it to support.").rewind()
    e.listen()

    f = Talk(ids["F"]).at(oslo(day1, 23, 30)).session_start()
    f.faq("Do I get my money back if I cancel?", "refunds")
    f.at(oslo(day2, 0, 10)).faq("Where is my receipt?", "receipt")
    f.at(oslo(day2, 10)).session_start()
    f.says("I've had a high fever for three days", "urgent_care").action("action_urgent_care")
    f.bot("Please call legevakt on 116 117.").loop(None).slot("requested_slot", None).listen()

    g = Talk(ids["G"], sms=True).at(oslo(day2, 8)).session_start(logged_in=True)
    g.not_understood("kan jeg bytte fastlege hos dere")
    g.says("What are your opening hours?", "faq", topic="opening_hours")
    g.action("action_two_stage_fallback").loop(None).rewind().listen()
    g.says("What are your opening hours?", "faq", topic="opening_hours", confidence=1.0)
    g.action("utter_faq").bot("(hours)", utter_action="utter_faq/opening_hours").listen()
    g.says("thanks", "thanks").action("utter_thanks").bot("You're welcome!").listen()

    b.at(oslo(day2, 8, 30)).session_start(logged_in=True)
    b.faq("How late can I cancel?", "cancel_doctor")
    b.at(oslo(day3, 7)).session_start(logged_in=True)
    b.faq("What does a renewal cost?", "renewal_info")

    h = Talk(ids["H"]).at(oslo(day2, 9)).session_start(logged_in=True)
    h.says("I want to check my symptoms", "start_symptom_check")
    h.action("action_start_symptom_check")
    h.asks_in_form("symptom_check_form", "sc_complaint", "What is bothering you most?")
    h.says("a rash on my arm for two weeks", "nlu_fallback", confidence=0.25)
    h.action("symptom_check_form").slot("sc_complaint", "a rash on my arm for two weeks")
    h.bot("Do you have any of these?").listen()
    h.says("stop", "stop").action("action_stop_form").loop(None).bot("Stopped.").listen()

    m = Talk(ids["M"]).at(oslo(day2, 11)).session_start()

    j = Talk(ids["J"]).at(oslo(day2, 14)).session_start(logged_in=True)
    j.says("book a doctor", "book_consult").action("action_start_booking")
    j.asks_in_form("booking_form", "slot_id", "Which time suits you?")
    j.at(oslo(day2, 14, 40)).says('/choose{"choice": "slot-1"}', "choose", confidence=1.0)
    j.asks_in_form("booking_form", "booking_confirmed", "Shall I go ahead?")
    j.says("/affirm", "affirm", confidence=1.0).action("booking_form").loop(None)
    j.slot("requested_slot", None).action("action_submit_booking").bot("Booked.").listen()

    k = Talk(ids["K"]).at(oslo(day2, 15)).session_start()
    k.says("my boss says I need a paper from you", "request_certificate", confidence=0.42)
    tickets.append(Ticket(ids["K"], "not_understood", "chat", k.now))
    k.action("action_default_fallback").bot("Sorry, I still didn't understand.").rewind()
    k.listen()

    z = Talk(ids["Z"]).at(oslo(day0, 23, 50)).session_start()
    z.faq("price?", "prices").at(oslo(day1, 0, 5)).faq("which phones work?", "devices")

    return Scenario(day1, [a, b, c, d, e, f, g, h, m, j, k, z], tickets)


def _figures(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "conversations": 0,
        "contained": 0,
        "handed_off": 0,
        "abandoned": 0,
        "recontacted": 0,
        "escalations": {"emergency": 0, "urgent_care": 0},
        "faq_answers": 0,
        "faq_topics": {},
        "unanswered": 0,
    }
    return {**base, **values}


# Worked out by hand from the stories in the module docstring.
EXPECTED_DAY1 = {
    "chat": _figures(
        conversations=4,  # A C D F
        contained=4,
        abandoned=1,  # D
        recontacted=1,  # F (F2 the next morning)
        escalations={"emergency": 1, "urgent_care": 0},  # C
        faq_answers=4,
        faq_topics={"opening_hours": 1, "prices": 1, "receipt": 1, "refunds": 1},
    ),
    "sms": _figures(
        conversations=2,  # B E
        handed_off=2,
        recontacted=1,  # B (B2 the next morning)
        unanswered=2,  # E, twice
    ),
}
EXPECTED_DAY2 = {
    "chat": _figures(
        conversations=4,  # H F2 J K
        contained=3,
        handed_off=1,  # K
        escalations={"emergency": 0, "urgent_care": 1},  # F2
        unanswered=1,  # K
    ),
    "sms": _figures(
        conversations=2,  # G B2
        contained=2,
        recontacted=1,  # B2 (B3 on day 3)
        faq_answers=2,
        faq_topics={"cancel_doctor": 1, "opening_hours": 1},
        unanswered=1,  # G
    ),
}
EXPECTED_TOTAL = _figures(
    conversations=12,
    contained=9,
    handed_off=3,
    abandoned=1,
    recontacted=3,
    escalations={"emergency": 1, "urgent_care": 1},
    faq_answers=6,
    faq_topics={"opening_hours": 2, "cancel_doctor": 1, "prices": 1, "receipt": 1, "refunds": 1},
    unanswered=4,
)
EXPECTED_RATES = {
    "containment_rate": 0.75,
    "handoff_rate": 0.25,
    "abandonment_rate": 0.0833,
    "recontact_rate": 0.25,
}
EXPECTED_DAY_TOTALS = [
    # day, conversations, contained, handed off (chat + sms added up)
    (1, 6, 4, 2),
    (2, 6, 5, 1),
]
# Latest first: (channel, reason, text).
EXPECTED_UNANSWERED = [
    ("chat", "no_next_step", "my boss says I need a paper from you"),
    ("sms", "not_understood", "kan jeg bytte fastlege hos dere"),
    ("sms", "not_understood", "fax papers gp"),
    ("sms", "not_understood", FAX_SHOWN),
]
