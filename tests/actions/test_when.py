"""parse_when: when a patient wants their consult, from English or Norwegian free text.

Pure stdlib; runs in Rasa's venv (Python 3.10). NOW is Wednesday 2026-11-25 10:15 in Oslo.

Choices pinned here:
- Clinic hours are 07-22: a bare hour 1-6 is PM, 7-11 AM, unless am/pm, a part of the day
  ("kveld", "afternoon", "morning") or "tonight" says otherwise. 12 is noon.
- Norwegian "halv fem" is 4:30 (so 16:30); "kvart på fem" is 4:45.
- A bare weekday is its next occurrence, today included. "next friday"/"neste fredag" is the
  coming friday too, except on a friday, when it is a week later. "friday next week" is the
  friday of next calendar week. "i fredags"/"last friday" are the past: no day.
- A date without a year that has passed is next year's. "x/10" with x <= 10 is a pain score;
  "10.05" alone is the 10th of May, but "kl 10.05" and "fredag 10.05" are times.
- A bare number is a time only as the whole message ("17") or right after a day or part of the
  day ("fredag 14"); a number followed by a unit ("2 kids", "3 dager", "375 kr") never is.
- A time without a day is today if the time (or its window's end) is still ahead, else
  tomorrow. An exact time frames earliest/latest by +-1h and beats any window.
- "asap"/"now"/"nå"/"snarest": today from now rounded up to 5 minutes; a lone "now"/"nå"
  only counts at the end of a sentence and not after a duration ("for a week now").
- The first expression of each kind wins; a calendar date beats a weekday or "i morgen".
Not supported (read as absent): offsets ("in 2 hours", "om 3 dager"), a day of the month alone
("the 28th"), "next week" without a weekday, weekends, English number words without
o'clock/am/pm ("at five"), British "half five" (ambiguous with Norwegian "halv fem"), "by 5",
"this morning"/"i natt"/"last night" (mostly the past), and "sat", "sun", "fri" ("fri" is
Norwegian for "off").
"""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest

from actions.when import TimeRequest, parse_when

OSLO = ZoneInfo("Europe/Oslo")
UTC = ZoneInfo("UTC")
NOW = datetime.datetime(2026, 11, 25, 10, 15, tzinfo=OSLO)  # a Wednesday

TODAY, TOMORROW, FRIDAY = "2026-11-25", "2026-11-26", "2026-11-27"
Expected = tuple[str, str | None, str | None, str | None]  # day, earliest, latest, exact


def _summary(request: TimeRequest | None) -> Expected | None:
    if request is None:
        return None

    def hhmm(t: datetime.time | None) -> str | None:
        return t.strftime("%H:%M") if t else None

    return (
        request.day.isoformat(),
        hhmm(request.earliest),
        hhmm(request.latest),
        hhmm(request.exact),
    )


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


CASES: list[tuple[str, Expected]] = [
    # relative days
    ("today", (TODAY, None, None, None)),
    ("i dag", (TODAY, None, None, None)),
    ("IDAG", (TODAY, None, None, None)),
    ("later today please", (TODAY, None, None, None)),
    ("tonight", (TODAY, "17:00", "22:00", None)),
    ("i kveld", (TODAY, "17:00", "22:00", None)),
    ("i ettermiddag", (TODAY, "12:00", "17:00", None)),
    ("tomorrow", (TOMORROW, None, None, None)),
    ("Tommorow", (TOMORROW, None, None, None)),
    ("tomorow", (TOMORROW, None, None, None)),
    ("tmrw", (TOMORROW, None, None, None)),
    ("i morgen", (TOMORROW, None, None, None)),
    ("imorgen", (TOMORROW, None, None, None)),
    ("i morra", (TOMORROW, None, None, None)),
    ("i morgen tidlig", (TOMORROW, None, None, None)),
    ("the day after tomorrow", (FRIDAY, None, None, None)),
    ("i overmorgen", (FRIDAY, None, None, None)),
    ("overmorgen", (FRIDAY, None, None, None)),
    ("overimorgen", (FRIDAY, None, None, None)),
    # weekdays (today is a wednesday)
    ("friday", (FRIDAY, None, None, None)),
    ("on friday morning", (FRIDAY, "07:00", "12:00", None)),
    ("this friday", (FRIDAY, None, None, None)),
    ("på fredag", (FRIDAY, None, None, None)),
    ("fredagen", (FRIDAY, None, None, None)),
    ("fredag ettermiddag", (FRIDAY, "12:00", "17:00", None)),
    ("friday night", (FRIDAY, "17:00", "22:00", None)),
    ("fredag kveld kl 8", (FRIDAY, "19:00", "21:00", "20:00")),
    ("wednesday", (TODAY, None, None, None)),
    ("next wednesday", ("2026-12-02", None, None, None)),
    ("neste onsdag", ("2026-12-02", None, None, None)),
    ("next monday", ("2026-11-30", None, None, None)),
    ("mandag", ("2026-11-30", None, None, None)),
    ("neste tirsdag", ("2026-12-01", None, None, None)),
    ("thurs", (TOMORROW, None, None, None)),
    ("LØRDAG", ("2026-11-28", None, None, None)),
    ("lordag", ("2026-11-28", None, None, None)),
    ("søndag", ("2026-11-29", None, None, None)),
    ("friday next week", ("2026-12-04", None, None, None)),
    ("neste uke fredag", ("2026-12-04", None, None, None)),
    ("monday or tuesday", ("2026-11-30", None, None, None)),
    # calendar dates; a date that has passed is next year's
    ("28 nov", ("2026-11-28", None, None, None)),
    ("28. november", ("2026-11-28", None, None, None)),
    ("November 28", ("2026-11-28", None, None, None)),
    ("nov 28th", ("2026-11-28", None, None, None)),
    ("28th of november", ("2026-11-28", None, None, None)),
    ("28/11", ("2026-11-28", None, None, None)),
    ("28.11", ("2026-11-28", None, None, None)),
    ("28.11.2026", ("2026-11-28", None, None, None)),
    ("2026-11-28", ("2026-11-28", None, None, None)),
    ("11/28", ("2026-11-28", None, None, None)),
    ("den 3. desember", ("2026-12-03", None, None, None)),
    ("3 jan", ("2027-01-03", None, None, None)),
    ("20 nov", ("2027-11-20", None, None, None)),
    ("25 nov", (TODAY, None, None, None)),
    ("29 feb", ("2028-02-29", None, None, None)),
    ("3.5.", ("2027-05-03", None, None, None)),
    ("fredag 28. november", ("2026-11-28", None, None, None)),
    ("2026-11-28T10:30", ("2026-11-28", "09:30", "11:30", "10:30")),
    # times without a day: today if still ahead of 10:15, else tomorrow
    ("at 5", (TODAY, "16:00", "18:00", "17:00")),
    ("5pm", (TODAY, "16:00", "18:00", "17:00")),
    ("5 p.m.", (TODAY, "16:00", "18:00", "17:00")),
    ("17", (TODAY, "16:00", "18:00", "17:00")),
    ("kl 17", (TODAY, "16:00", "18:00", "17:00")),
    ("kl. 17.30", (TODAY, "16:30", "18:30", "17:30")),
    ("17:30", (TODAY, "16:30", "18:30", "17:30")),
    ("at 10:30", (TODAY, "09:30", "11:30", "10:30")),
    ("at 9", (TOMORROW, "08:00", "10:00", "09:00")),
    ("at 6", (TODAY, "17:00", "19:00", "18:00")),  # 1-6: PM, the clinic opens at 07:00
    ("at 7", (TOMORROW, "06:00", "08:00", "07:00")),  # 7-11: AM
    ("at 12", (TODAY, "11:00", "13:00", "12:00")),
    ("6 in the morning", (TOMORROW, "05:00", "07:00", "06:00")),  # the part of day decides
    ("kl 8 om kvelden", (TODAY, "19:00", "21:00", "20:00")),
    ("3 in the afternoon", (TODAY, "14:00", "16:00", "15:00")),
    ("before 6", (TODAY, None, "18:00", None)),
    ("kl 10.05", (TOMORROW, "09:05", "11:05", "10:05")),
    ("half past 4", (TODAY, "15:30", "17:30", "16:30")),
    ("halv fem", (TODAY, "15:30", "17:30", "16:30")),
    ("kl halv 5", (TODAY, "15:30", "17:30", "16:30")),
    ("halv ni", (TOMORROW, "07:30", "09:30", "08:30")),
    ("halv ett", (TODAY, "11:30", "13:30", "12:30")),
    ("kvart over fire", (TODAY, "15:15", "17:15", "16:15")),
    ("quarter to 5", (TODAY, "15:45", "17:45", "16:45")),
    ("kl fem", (TODAY, "16:00", "18:00", "17:00")),
    ("five o'clock", (TODAY, "16:00", "18:00", "17:00")),
    ("5ish", (TODAY, "16:00", "18:00", "17:00")),
    ("rundt 17-tiden", (TODAY, "16:00", "18:00", "17:00")),
    ("noon", (TODAY, "11:00", "13:00", "12:00")),
    ("after 5", (TODAY, "17:00", None, None)),
    ("etter 17", (TODAY, "17:00", None, None)),
    ("etter kl 5", (TODAY, "17:00", None, None)),
    ("not before 10", (TODAY, "10:00", None, None)),
    ("after lunch", (TODAY, "13:00", None, None)),
    ("after work", (TODAY, "16:00", None, None)),
    ("before noon", (TODAY, None, "12:00", None)),
    ("før 12", (TODAY, None, "12:00", None)),
    ("ikke etter 16", (TODAY, None, "16:00", None)),
    ("between 2 and 4", (TODAY, "14:00", "16:00", None)),
    ("mellom 14 og 16", (TODAY, "14:00", "16:00", None)),
    ("mellom kl 14 og kl 16", (TODAY, "14:00", "16:00", None)),
    ("kl 14-16", (TODAY, "14:00", "16:00", None)),
    ("14-16", (TODAY, "14:00", "16:00", None)),
    ("from 2 to 4pm", (TODAY, "14:00", "16:00", None)),
    ("between 10 and 2", (TODAY, "10:00", "14:00", None)),
    ("between 7 and 9 pm", (TODAY, "19:00", "21:00", None)),
    # parts of the day
    ("morning", (TODAY, "07:00", "12:00", None)),
    ("formiddag", (TODAY, "07:00", "12:00", None)),
    ("afternoon", (TODAY, "12:00", "17:00", None)),
    ("ettermiddag", (TODAY, "12:00", "17:00", None)),
    ("evening", (TODAY, "17:00", "22:00", None)),
    ("kveld", (TODAY, "17:00", "22:00", None)),
    ("lunch", (TODAY, "11:00", "13:00", None)),
    ("lunsj", (TODAY, "11:00", "13:00", None)),
    # inside sentences, and combinations
    ("can I book a doctor tomorrow after 5 please", (TOMORROW, "17:00", None, None)),
    ("Kan jeg få time i morgen etter kl 5?", (TOMORROW, "17:00", None, None)),
    ("good morning, can I book tomorrow?", (TOMORROW, None, None, None)),
    ("I MORGEN KL 14", (TOMORROW, "13:00", "15:00", "14:00")),
    ("tomorrow 9am", (TOMORROW, "08:00", "10:00", "09:00")),
    ("tomorrow morning before 10", (TOMORROW, "07:00", "10:00", None)),
    ("i morgen kl 23:30", (TOMORROW, "22:30", None, "23:30")),
    ("i kveld kl 8", (TODAY, "19:00", "21:00", "20:00")),
    ("tonight at 9", (TODAY, "20:00", "22:00", "21:00")),
    ("evening after 8", (TODAY, "20:00", "22:00", None)),
    ("fredag 14", (FRIDAY, "13:00", "15:00", "14:00")),
    ("fredag kl 14-16", (FRIDAY, "14:00", "16:00", None)),
    ("neste tirsdag mellom 14 og 16", ("2026-12-01", "14:00", "16:00", None)),
    ("28 nov at 10:30", ("2026-11-28", "09:30", "11:30", "10:30")),
    ("can I come on the 3rd of december at 2pm?", ("2026-12-03", "13:00", "15:00", "14:00")),
    ("I have 2 kids, can I come tomorrow at 5?", (TOMORROW, "16:00", "18:00", "17:00")),
    # as soon as possible: today from now (10:15:00 is already on a 5-minute mark)
    ("asap", (TODAY, "10:15", None, None)),
    ("As soon as possible!", (TODAY, "10:15", None, None)),
    ("now", (TODAY, "10:15", None, None)),
    ("right now please", (TODAY, "10:15", None, None)),
    ("kan jeg snakke med lege nå?", (TODAY, "10:15", None, None)),
    ("snarest mulig", (TODAY, "10:15", None, None)),
    ("i dag snarest", (TODAY, "10:15", None, None)),
    ("asap tomorrow", (TOMORROW, None, None, None)),
    ("asap, after 5", (TODAY, "17:00", None, None)),
    # unicode and emoji
    ("i morgen 🙏 kl 14", (TOMORROW, "13:00", "15:00", "14:00")),
    ("fredag✅ettermiddag", (FRIDAY, "12:00", "17:00", None)),
    ("😷 can I see a doctor today?", (TODAY, None, None, None)),
    ("kl １４", (TODAY, "13:00", "15:00", "14:00")),  # full-width digits are digits
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_parse_when(text: str, expected: Expected) -> None:
    assert _summary(parse_when(text, now=NOW)) == expected


# Ambiguous on purpose; pinned so that a change is a decision, not an accident.
AMBIGUOUS: list[tuple[str, Expected]] = [
    ("10.05", ("2027-05-10", None, None, None)),  # no "kl": a Norwegian date, 10 May
    ("fredag 10.11", (FRIDAY, "09:11", "11:11", "10:11")),  # after a day: a time
    ("after 8", (TODAY, "08:00", None, None)),  # 7-11 are read as AM
    ("I woke up at 5", (TODAY, "16:00", "18:00", "17:00")),  # a past time still reads as time
    ("i morgen 2", (TOMORROW, "13:00", "15:00", "14:00")),  # a bare number after a day
    ("I may 2", ("2027-05-02", None, None, None)),  # "may" + number is the month
    ("morning after 14", (TODAY, "14:00", None, None)),  # explicit bound beats the part of day
    ("today 2 of my kids are sick", (TODAY, None, None, None)),  # "2 of" is a count
    ("9 tonight", (TODAY, "17:00", "22:00", None)),  # a number before a day is not read
    ("take 2 in the morning", (TOMORROW, "01:00", "03:00", "02:00")),  # a dose reads as a time
]


@pytest.mark.parametrize(("text", "expected"), AMBIGUOUS, ids=[text for text, _ in AMBIGUOUS])
def test_ambiguous_readings_are_pinned(text: str, expected: Expected) -> None:
    assert _summary(parse_when(text, now=NOW)) == expected


NO_TIME = [
    "",
    "   ",
    "hello",
    "🙂🙂🙂",
    "ÆØÅ æøå",
    "\x00\x01",
    "I have 2 kids",
    "pain for 3 days",
    "375 kr",
    "it cost kr 2.50",
    "I'm 35 years old",
    "jeg er 17 år",
    "fever 38.5",
    "39°",
    "blood pressure 120/80",
    "my pain is 7/10",
    "take 1/2 tablet",
    "1.5 mg",
    "2-3 days",
    "I take 5 mg at 2 pills a day",
    "etter 2 dager",
    "at 12 weeks pregnant",
    "between 2 and 3 times a day",
    "call me at 91234567",
    "good morning",
    "nå har jeg feber",
    "I have had pain for a week now",
    "i fredags",
    "last friday",
    "forrige mandag",
    "last night",
    "jeg har fri",
    "kl 24",
    "31 feb",
    # not supported
    "next week",
    "in 2 hours",
    "om 3 dager",
    "the 28th",
    "half five",
    "at five",
    "by 5",
    "sat",
]


@pytest.mark.parametrize("text", NO_TIME)
def test_no_time_expression_is_none(text: str) -> None:
    assert parse_when(text, now=NOW) is None


def test_window_utc_in_winter_is_utc_plus_one() -> None:
    request = parse_when("tomorrow after 5", now=NOW)
    assert request is not None
    assert request.window_utc() == (_utc(2026, 11, 26, 16), _utc(2026, 11, 26, 23))


def test_window_utc_of_an_exact_time() -> None:
    request = parse_when("28 nov at 10:30", now=NOW)
    assert request is not None
    assert request.window_utc() == (_utc(2026, 11, 28, 8, 30), _utc(2026, 11, 28, 10, 30))


def test_asap_rounds_up_to_five_minutes() -> None:
    now = datetime.datetime(2026, 11, 25, 10, 13, 27, tzinfo=OSLO)
    assert _summary(parse_when("asap", now=now)) == (TODAY, "10:15", None, None)


def test_asap_just_before_midnight_is_tomorrow() -> None:
    now = datetime.datetime(2026, 11, 25, 23, 58, tzinfo=OSLO)
    assert _summary(parse_when("asap", now=now)) == (TOMORROW, "00:00", None, None)


@pytest.mark.parametrize(
    ("text", "hour", "expected"),
    [
        ("after 5", 18, (TODAY, "17:00", None, None)),  # the window is still open
        ("evening", 21, (TODAY, "17:00", "22:00", None)),
        ("morning", 13, (TOMORROW, "07:00", "12:00", None)),  # the window has closed
        ("at 11", 11, (TOMORROW, "10:00", "12:00", "11:00")),  # not strictly ahead
        ("tonight", 23, (TODAY, "17:00", "22:00", None)),  # a named day stays
    ],
)
def test_time_without_day_is_today_only_if_still_ahead(
    text: str, hour: int, expected: Expected
) -> None:
    now = datetime.datetime(2026, 11, 25, hour, 0, tzinfo=OSLO)
    assert _summary(parse_when(text, now=now)) == expected


def test_on_a_friday_next_friday_is_a_week_later() -> None:
    friday = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=OSLO)
    assert _summary(parse_when("friday", now=friday)) == (FRIDAY, None, None, None)
    assert _summary(parse_when("next friday", now=friday)) == ("2026-12-04", None, None, None)
    assert _summary(parse_when("neste fredag", now=friday)) == ("2026-12-04", None, None, None)


def test_now_in_another_zone_is_read_in_oslo() -> None:
    # 23:30 UTC on the 25th is already 00:30 on the 26th in Oslo.
    now = datetime.datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    assert _summary(parse_when("today", now=now)) == (TOMORROW, None, None, None)
    assert _summary(parse_when("i morgen", now=now)) == (FRIDAY, None, None, None)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("today", now=datetime.datetime(2026, 11, 25, 10, 15))


# DST in Europe/Oslo: 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC), and
# 2026-10-25 03:00 CEST -> 02:00 CET (01:00 UTC).


def test_spring_forward_day_has_23_hours() -> None:
    now = datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET, just before
    request = parse_when("i dag", now=now)
    assert _summary(request) == ("2026-03-29", None, None, None)
    assert request is not None
    assert request.window_utc() == (_utc(2026, 3, 28, 23), _utc(2026, 3, 29, 22))


def test_spring_forward_times_before_and_after_the_change() -> None:
    before = datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
    request = parse_when("kl 10", now=before)
    assert _summary(request) == ("2026-03-29", "09:00", "11:00", "10:00")
    assert request is not None
    assert request.window_utc() == (_utc(2026, 3, 29, 7), _utc(2026, 3, 29, 9))  # CEST, +2
    after = datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    request = parse_when("asap", now=after)
    assert _summary(request) == ("2026-03-29", "03:30", None, None)
    assert request is not None
    assert request.window_utc()[0] == after


def test_spring_forward_from_the_day_before() -> None:
    saturday = datetime.datetime(2026, 3, 28, 12, 0, tzinfo=OSLO)
    request = parse_when("tomorrow after 5", now=saturday)
    assert request is not None
    assert request.window_utc() == (_utc(2026, 3, 29, 15), _utc(2026, 3, 29, 22))


def test_fall_back_day_has_25_hours() -> None:
    now = datetime.datetime(2026, 10, 24, 22, 30, tzinfo=UTC)  # 00:30 CEST on the 25th
    request = parse_when("today", now=now)
    assert _summary(request) == ("2026-10-25", None, None, None)
    assert request is not None
    assert request.window_utc() == (_utc(2026, 10, 24, 22), _utc(2026, 10, 25, 23))


def test_fall_back_times_before_and_after_the_change() -> None:
    before = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, first pass
    request = parse_when("asap", now=before)
    assert request is not None
    assert request.window_utc()[0] == before
    after = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, second pass
    request = parse_when("asap", now=after)
    assert request is not None
    assert request.window_utc()[0] == after  # the repeated hour keeps its fold
    request = parse_when("kl 10", now=after)
    assert _summary(request) == ("2026-10-25", "09:00", "11:00", "10:00")
    assert request is not None
    assert request.window_utc() == (_utc(2026, 10, 25, 8), _utc(2026, 10, 25, 10))  # CET, +1


LONG_INPUTS = {
    "letters": "a" * 10_000,
    "digits": "1" * 10_000,
    "spaces": " " * 10_000,
    "digits and spaces": "5 " * 5_000,
    "dots": "1.1." * 2_500,
    "colons": "12:" * 3_334,
    "dashes": "1-" * 5_000,
    "slashes": "1/" * 5_000,
    "kl": "kl " * 3_334,
    "between": "between 1 and " * 715,
    "i morgen": "i mor" * 2_000,
    "emoji": "🙂" * 10_000,
    "mixed": "fredag kl 14-16 etter 5 før 12 28.11 " * 270,
}


@pytest.mark.parametrize("text", LONG_INPUTS.values(), ids=LONG_INPUTS.keys())
def test_long_input_is_fast(text: str) -> None:
    started = time.perf_counter()
    parse_when(text, now=NOW)
    assert time.perf_counter() - started < 1.0


def test_expression_at_the_end_of_a_long_text_is_found() -> None:
    text = "blah " * 2_000 + "tomorrow at 5"
    assert _summary(parse_when(text, now=NOW)) == (TOMORROW, "16:00", "18:00", "17:00")


def test_request_is_immutable() -> None:
    request = parse_when("today", now=NOW)
    assert request is not None
    with pytest.raises(AttributeError):
        request.day = datetime.date(2026, 1, 1)  # type: ignore[misc]
