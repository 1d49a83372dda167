"""The pure helpers the forms use to read patients' typed answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.booking import booking_confirmation, mode_in, service_in
from actions.certificate import days_in, education_in, kind_in
from actions.common import nok, when_text
from actions.handoff import likely_topics, transcript
from actions.slot_picker import extract_slot_choice, in_window, when_in
from actions.symptom_check import age_of, duration_days, red_flags_in, severity_of, temperature_of

OSLO_NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def tracker(
    text: str = "",
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    return Tracker(
        sender_id="patient-" + "a" * 32,
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": intent}, "entities": entities or []},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("i want to see a doctor", "doctor"),
        ("bestille legetime", "doctor"),
        ("time hos psykolog", "psychologist"),
        ("psychologist please", "psychologist"),
        ("book something", None),
    ],
)
def test_service_in(text: str, service: str | None) -> None:
    assert service_in(text) == service


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("drop-in please", "drop_in"),
        ("asap", "drop_in"),
        ("a specific time", "scheduled"),
        ("hm", None),
    ],
)
def test_mode_in(text: str, mode: str | None) -> None:
    assert mode_in(text) == mode


def test_when_in_gives_a_json_friendly_slot() -> None:
    when = when_in("tomorrow after 5", now=OSLO_NOW)
    assert when == {"day": "2026-11-27", "earliest": "17:00", "latest": None, "exact": None}
    assert when_in("nothing about time", now=OSLO_NOW) is None


def test_prices_are_written_the_norwegian_way() -> None:
    assert nok(37500) == "375 kr"
    assert nok(109500) == "1 095 kr"
    assert nok(12345) == "123,45 kr"


def test_when_text_is_relative_to_today() -> None:
    today = dt.date(2026, 11, 26)
    assert when_text("2026-11-26T16:30:00+00:00", today=today) == "today at 17:30"
    assert when_text("2026-11-27T08:00:00+00:00", today=today) == "tomorrow at 09:00"
    assert when_text("2026-11-30T08:00:00+00:00", today=today) == "Mon 30 Nov at 09:00"
    # The API writes UTC with a "Z", which Python 3.10 does not parse by itself.
    assert when_text("2026-11-27T09:00:00Z", today=today) == "tomorrow at 10:00"


SLOTS = [
    {"id": "a", "label": "today 17:00 with Dr A"},
    {"id": "b", "label": "today 17:30 with Dr B"},
]


@pytest.mark.parametrize(
    ("text", "intent", "entities", "expected"),
    [
        ("", "choose", [{"entity": "choice", "value": "b"}], {"slot_id": "b"}),
        ("2", "inform", [], {"slot_id": "b"}),
        ("the first one", "choose", [], {"slot_id": "a"}),
        ("17:30 please", "inform", [], {"slot_id": "b"}),
        ("17.00", "inform", [], {"slot_id": "a"}),
        ("9", "inform", [], {}),
        ("no idea", "inform", [], {}),
    ],
)
def test_a_picked_time_is_read_from_buttons_numbers_and_clock_times(
    text: str, intent: str, entities: list[dict[str, Any]], expected: dict[str, Any]
) -> None:
    picked = extract_slot_choice(
        tracker(text, intent, {"offered_slots": SLOTS}, entities), lambda _text: None
    )
    assert picked == expected


def test_another_day_searches_again() -> None:
    picked = extract_slot_choice(
        tracker("what about friday", slots={"offered_slots": SLOTS}),
        lambda text: {"day": "2026-11-27"},
    )
    assert picked == {"booking_when": {"day": "2026-11-27"}, "slot_id": None}


@pytest.mark.parametrize(
    ("start", "when", "inside"),
    [
        ("17:30", {"earliest": "17:00"}, True),
        ("16:45", {"earliest": "17:00"}, False),
        ("11:00", {"earliest": "07:00", "latest": "12:00"}, True),
        ("12:00", {"earliest": "07:00", "latest": "12:00"}, False),
        ("10:45", {"exact": "10:00"}, True),
        ("11:15", {"exact": "10:00"}, False),
        ("09:00", {}, True),
    ],
)
def test_slots_inside_the_wished_window(start: str, when: dict[str, Any], inside: bool) -> None:
    assert in_window({"local_start": start}, when) is inside


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("i need a note for school", "school_absence"),
        ("fraværsattest til videregående", "school_absence"),
        ("I was ill during my exam", "exam_illness"),
        ("cancel my trip to spain", "travel_cancellation"),
        ("sykemelding", "sick_leave"),
        ("førerkort", "drivers_licence"),
        ("hello", None),
    ],
)
def test_certificate_kind(text: str, kind: str | None) -> None:
    assert kind_in(text) == kind


def test_certificate_details() -> None:
    assert education_in("I'm at the university of Oslo") == "university"
    assert education_in("vgs") == "upper_secondary"
    assert days_in("3 days") == 3
    assert days_in("to dager") == 2
    assert days_in("a while") is None


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("3 days", 3.0),
        ("since yesterday", 1.0),
        ("to uker", 14.0),
        ("a couple of hours", round(2 / 24, 2)),
        ("2 months", 60.0),
        ("i dag", 0.5),
        ("dunno", None),
    ],
)
def test_duration(text: str, days: float | None) -> None:
    assert duration_days(text) == days


def test_age_temperature_severity_red_flags() -> None:
    assert age_of("34") == (34, None)
    assert age_of("8 months") == (0, 8)
    assert age_of("18 mnd") == (1, 18)
    assert age_of("2") == (2, 24)
    assert age_of("old") is None
    assert temperature_of("38,5") == 38.5
    assert temperature_of("it was 40") == 40.0
    assert temperature_of("37") == 37.0
    assert temperature_of("hot") is None
    assert severity_of("7") == 7
    assert severity_of("unbearable") == 10
    assert severity_of("hmm") is None
    assert red_flags_in("I can't breathe properly") == ["breathing_difficulty"]
    assert red_flags_in("none of these") == []
    assert red_flags_in("maybe") is None


def test_fallback_offers_the_likeliest_known_topics() -> None:
    parse = {
        "intent_ranking": [
            {"name": "faq", "confidence": 0.4},
            {"name": "book_consult", "confidence": 0.3},
            {"name": "greet", "confidence": 0.2},
        ],
        "response_selector": {
            "faq": {
                "ranking": [
                    {"intent_response_key": "faq/prices", "confidence": 0.9},
                    {"intent_response_key": "faq/insurance", "confidence": 0.1},
                ]
            }
        },
    }
    assert likely_topics(parse) == ["faq/prices", "book_consult", "faq/insurance"]
    assert likely_topics({}) == []


def test_fallback_reads_the_selector_that_serves_every_retrieval_intent() -> None:
    # config.yml trains one ResponseSelector for all retrieval intents: Rasa files its
    # answer under "default", not under "faq".
    parse = {
        "intent_ranking": [
            {"name": "faq", "confidence": 0.5},
            {"name": "greet", "confidence": 0.4},
        ],
        "response_selector": {
            "all_retrieval_intents": ["faq"],
            "default": {"ranking": [{"intent_response_key": "faq/insurance", "confidence": 1.0}]},
        },
    }
    assert likely_topics(parse) == ["faq/insurance"]


def test_transcript_keeps_patient_and_assistant_lines_only() -> None:
    events = [
        {"event": "user", "text": "hei", "timestamp": 1_800_000_000},
        {"event": "action", "name": "action_listen"},
        {"event": "bot", "text": "Hi!", "timestamp": 1_800_000_001},
        {"event": "bot", "text": None},
        {"event": "user", "text": "   "},
    ]
    lines = transcript(tracker(events=events))
    assert [(line["sender"], line["text"]) for line in lines] == [
        ("patient", "hei"),
        ("assistant", "Hi!"),
    ]
    assert lines[0]["at"].startswith("2027-01-15")


def test_bookings_are_described_with_the_api_service_names() -> None:
    booking = {
        "service": "psychologist_session",
        "starts_at": "2026-11-27T09:00:00Z",
        "clinician": {"name": "Sara Lie"},
        "change_deadline": None,
        "order": {"number": "20261126-ABCD1234", "total_ore": 109500},
    }
    text = booking_confirmation(booking)
    assert text.startswith("Booked: video consult with a psychologist (Sara Lie)")
    assert "1 095 kr paid" in text and "20261126-ABCD1234" in text
