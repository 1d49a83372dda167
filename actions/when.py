"""When a patient wants their consult, read from English or Norwegian free text.

`parse_when("kan jeg få time i morgen etter kl 5?", now=...)`: tomorrow from 17:00. Pure and
stdlib-only; read in Europe/Oslo whatever zone `now` carries. The choices made (a bare "5" is
17:00, as the clinic is open 07-22...) and what is not supported: tests/actions/test_when.py.

How: patterns run from the most to the least specific, each masking its match ("§d" for a day,
"§p" for a part of the day) so that vaguer ones cannot reread its digits, yet see "fredag 14".
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
DAY = 24 * 60  # inside this module a time of day is minutes after local midnight
EXACT_MARGIN = 60  # "kl 10" still accepts a slot from 09:00 to 11:00
ASAP_STEP = 5 * 60  # seconds: "now" rounds up to whole 5 minutes, no slot starts at 10:13:27
MORNING, AFTERNOON, EVENING, LUNCH = (420, 720), (720, 1020), (1020, 1320), (660, 780)

_T = TypeVar("_T")
Window = tuple[int, int]


@dataclass(frozen=True)
class TimeRequest:
    day: datetime.date  # local date in Europe/Oslo
    earliest: datetime.time | None  # inclusive lower bound of the start time, local
    latest: datetime.time | None  # exclusive upper bound, local
    exact: datetime.time | None  # the wanted start; earliest/latest frame it by +-1h

    def window_utc(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[earliest or 00:00, latest or 24:00) on `day` in UTC; a DST day has 23 or 25 hours."""
        start = datetime.datetime.combine(self.day, self.earliest or datetime.time(), OSLO)
        end = datetime.datetime.combine(self.day, self.latest or datetime.time(), OSLO)
        if self.latest is None:
            end += datetime.timedelta(days=1)  # wall-clock arithmetic: the next local midnight
        return start.astimezone(datetime.timezone.utc), end.astimezone(datetime.timezone.utc)


@dataclass
class _Found:
    day: datetime.date | None = None
    part: Window | None = None
    exact: int | None = None
    after: int | None = None
    before: int | None = None


def _clock(i: str = "", kl: bool = True) -> str:
    """An hour, optional minutes and am/pm; group names end in `i` so two fit one pattern."""
    prefix = r"(?:kl\.?\s?)?" if kl else ""
    return rf"{prefix}(?P<h{i}>\d{{1,2}})(?:[:.](?P<m{i}>\d\d))?(?:\s?(?P<mer{i}>[ap])\.?m\b\.?)?"


# Patterns, in the order parse_when applies them.
_NUMBER_WORDS = (  # 1-12 in English, then in Norwegian
    "one two three four five six seven eight nine ten eleven twelve"
    " en to tre fire fem seks sju åtte ni ti elleve tolv"
)
_WORD_NUMBERS = {w: i % 12 + 1 for i, w in enumerate(_NUMBER_WORDS.split())}
_WORD_NUMBERS |= {"ett": 1, "syv": 7, "atte": 8}
_WORD = "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_UNITS = (
    r"dag(?:en|er)?|days?|døgn|nights?|netter|weeks?|wks?|uker?|months?|måneder?|mnd|years?"
    r"|yrs?|år|hours?|hrs?|timer?|minutes?|mins?|minutter|kids?|child(?:ren)?|barn|times"
    r"|ganger?|kr|kroner|nok|mg|mcg|ml|kg|g|tablets?|tabletter?|pills?|piller|doses?|doser"
    r"|degrees?|grader|people|persons?|personer|stk|points?|of|av|x"
)
# After a number: not part of a longer number or decimal, and not a count of something.
_END = rf"(?!\d|[.,:]\d)(?!\s?(?:{_UNITS})\b)(?!\s?[%°])"
_UNIT_AFTER = re.compile(rf"\s?(?:{_UNITS})\b|\s?[%°]")
_TIME_CUE = re.compile(
    r"kl\.?|klokka|klokken|at|@|etter|after|før|before|fra|from|til|until|mellom|between|og|and"
    r"|-|around|rundt|ca\.?"
)
_GREETING = re.compile(r"\bgo+d ?(?:morning|morgen|afternoon|ettermiddag|evening|kveld|day|dag)\b")

_ASAP = re.compile(
    r"\b(?:asap|as soon as (?:possible|you can)|snarest(?: mulig)?|fortest mulig"
    r"|så (?:fort|snart) som mulig|right now|akkurat nå|med en gang|straks)\b"
    # A lone "now"/"nå" only at the end: "nå har jeg feber" is no wish for a time.
    r"|\b(?P<now>now|nå|naa)(?=\s?(?:[.!?]|please|pls|takk|thanks|$))"
)
# "I have had pain for a week now" describes the past.
_PAST_BEFORE_NOW = re.compile(
    r"weeks?|days?|months?|years?|while|since|for|until|till|uker?|dag(?:er)?|døgn|måned(?:er)?"
    r"|år|lenge|siden|til|fram"
)

_TOMORROW = r"to?m+o?r+o?w?|2mor+o?w?"  # tomorrow, tommorow, tomorow, tmrw, 2morrow...
_RELATIVE = re.compile(  # one named group per meaning, read back through m.lastgroup
    rf"\b(?:(?P<d2>(?:the )?day after (?:{_TOMORROW})|(?:i ?)?over ?i? ?mor(?:gen|ra))"
    rf"|(?P<d1>{_TOMORROW}|i ?mor(?:gen|gn|ra|rn|n))"
    r"|(?P<eve>tonight|tonite|2nite|this evening|i ?kveld)"
    r"|(?P<aft>this afternoon|i ?ettermid+ag)"
    r"|(?P<mor>i ?formid+ag)"
    r"|(?P<d0>today|2day|i ?dag))\b"
)
_NEXT_WEEK = r"(?:i )?(?:next week|neste uke)"
_WEEKDAY = re.compile(
    rf"\b(?P<nw1>{_NEXT_WEEK} )?(?:(?:on|på|pa|paa) )?"
    r"(?:(?P<mod>next|neste|nxt|this|denne|kommende|last|forrige|sist) )?"
    r"(?:(?P<w0>mon(?:day)?|mandag)|(?P<w1>tue(?:s(?:day)?)?|teusday|tusday|tirsdag)"
    r"|(?P<w2>wed(?:nesday)?|wend?sday|wednsday|wedensday|onsdag)"
    r"|(?P<w3>thu(?:rs?(?:day)?)?|thursay|torsdag)|(?P<w4>friday|firday|fredag)"
    r"|(?P<w5>saturday|saterday|l(?:ø|o|oe)rdag)|(?P<w6>sunday|s(?:ø|o|oe)ndag))"
    rf"(?:en|er|s)?\b(?P<nw2> {_NEXT_WEEK})?"
)
_MONTH = (
    r"jan(?:uary|uar)?|feb(?:ruary|ruar)?|mar(?:ch|s)?|apr(?:il)?|ma[iy]|jun[ei]?|jul[iy]?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|o[ck]t(?:ober)?|nov(?:ember)?|de[cs](?:ember)?"
)
_MONTH_KEYS = "janfebmaraprmayjunjulaugsepoctnovdec"  # the English 3-letter keys, in order
_YEAR = r"(?:,? (?P<y>\d{4})\b)?"
_DATES = (
    re.compile(r"\b(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|\.)? ?(?:of )?(?P<mon>{_MONTH})\b\.?{_YEAR}"),
    re.compile(
        rf"\b(?P<mon>{_MONTH})\.? (?:the )?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
        rf"(?! ?(?:[:.]\d|[ap]\.?m\b|o'?clock)){_END}{_YEAR}"
    ),
    re.compile(
        r"(?<![\d./:-])(?P<d>\d{1,2})(?P<sep>[./-])(?P<mo>\d{1,2})"
        r"(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?P<dot>\.)?(?!\d|[/:-]|\.\d)"
    ),
)

_PART = re.compile(
    r"\b(?:(?P<mor>mornings?|mornin|morgen(?:en)?|formid+ag(?:en)?)"
    r"|(?P<aft>afternoons?|aftenoon|ettermid+ag(?:en)?)"
    r"|(?P<eve>evenings?|kveld(?:en|er)?))\b"
    r"|(?<=§d )(?P<night>night|natt(?:en)?)\b"  # "friday night", but not "last night"
    # "after lunch" is a bound, not the lunch window
    r"|(?<!after )(?<!etter )(?<!before )(?<!før )"
    r"\b(?P<lunch>lunch ?(?:time)?|lunsj(?:tid)?|midt på dagen)\b"
)
_PARTS = {"mor": MORNING, "aft": AFTERNOON, "eve": EVENING, "night": EVENING, "lunch": LUNCH}
_HINTS = {MORNING: "am", AFTERNOON: "pm", EVENING: "pm"}  # how a part of the day reads "kl 8"
_RANGES = (
    re.compile(
        rf"\b(?:between|mellom|fra|from)\s{_clock('1')}\s?(?:and|og|to|til|till|until|-)\s?"
        rf"{_clock('2')}{_END}"
    ),
    re.compile(
        rf"(?P<cue>(?:\bkl\.?|\bklokka|\bklokken|\bat|§[dp]),?\s?|^)?{_clock('1', kl=False)}"
        rf"\s?-\s?{_clock('2', kl=False)}{_END}"
    ),
)
_ANCHORS = r"noon|midday|lunch(?:time)?|lunsj(?:tid)?|work|jobb(?:en)?"
# (after, before) by an anchor's first 3 letters: "after lunch" is 13:00, "before work" 08:00
_ANCHOR_TIMES = {"lun": (780, 660), "wor": (960, 480), "job": (960, 480)}
_AFTER = re.compile(
    r"(?<!ikke )(?<!not )\b(?:after|etter|from|fra|later than|senere enn|tidligst|not before"
    rf"|ikke før|no earlier than)\s(?:{_clock()}{_END}|(?P<anchor>{_ANCHORS})\b)"
)
_BEFORE = re.compile(
    r"\b(?:before|før|foer|until|untill|till|til|innen|senest|no later than|not after"
    rf"|ikke etter)\s(?:{_clock()}{_END}|(?P<anchor>{_ANCHORS})\b)"
)
_MER = r"(?P<mer>[ap])\.?m\b\.?"
_CUE = r"(?:\b(?:kl\.?|klokka|klokken|at|around|rundt|ca\.?|cirka|omkring|about)|@|§[dp],?)"
_POINTS = (
    # "at 5", "kl. 17.30", "fredag 14", "tonight at 9pm"
    re.compile(rf"{_CUE}\s?{_clock(kl=False)}(?:\s?o'?\s?clock\b)?{_END}"),
    # "17:30", "5pm", "five o'clock": minutes, am/pm or o'clock make a number a time
    re.compile(
        rf"(?<![\d.:/$€£])\b(?P<h>{_WORD}|\d{{1,2}})(?=[:.]\d\d|\s?[ap]\.?m\b|\s?o'?\s?clock)"
        rf"(?:[:.](?P<m>\d{{2}}))?(?:\s?{_MER}|\s?o'?\s?clock\b)?{_END}"
    ),
    re.compile(
        r"\b(?:kl\.?\s?)?(?:(?P<half>halv)|(?P<hp>half past)|(?P<qp>quarter past|kvart over)"
        rf"|(?P<qt>quarter to|kvart på|kvart pa))\s(?P<h>{_WORD}|\d{{1,2}})\b(?:\s?{_MER})?"
    ),
    re.compile(rf"\b(?:kl\.?|klokka|klokken)\s?(?P<h>{_WORD})\b"),  # "kl fem"
    # "5ish", "17-tiden", "6 in the morning" (the part of the day was masked to "§p")
    re.compile(r"\b(?P<h>\d{1,2})\s?(?:ish\b|-?tiden\b|(?:in the |om |på )?§p)"),
    re.compile(r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s?[.!?]*$"),  # the whole answer is "17"
    re.compile(r"\b(?P<h>noon|midday)\b"),
)


def _first(
    pattern: re.Pattern[str], s: str, convert: Callable[[re.Match[str]], _T | None], mark: str = " "
) -> tuple[_T | None, str]:
    """The first match that `convert` accepts, and `s` with that match masked out."""
    for m in pattern.finditer(s):
        value = convert(m)
        if value is not None:
            return value, f"{s[: m.start()]}{mark}{s[m.end() :]}"
    return None, s


def _word_before(s: str, index: int) -> str:
    return (s[max(0, index - 24) : index].split() or [""])[-1].rstrip(",")


def _minutes(hour: int, minute: int, meridiem: str | None, hint: str | None) -> int | None:
    """Minutes after midnight for an hour as people say it, or None if it is no time of day."""
    if minute > 59:
        return None
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    elif hour > 23:
        return None
    elif 1 <= hour < 12 and hint == "pm":
        hour += 12
    elif 1 <= hour <= 6 and hint != "am":
        hour += 12  # the clinic opens at 07:00, so "at 5" can only be 17:00
    return hour * 60 + minute


def _asap(m: re.Match[str]) -> bool | None:
    past = m["now"] and _PAST_BEFORE_NOW.fullmatch(_word_before(m.string, m.start()))
    return None if past else True


def _weekday(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    # "i fredags" and "forrige fredag" are last friday: no wish for a consult.
    if m["mod"] in ("last", "forrige", "sist") or m[0].endswith("dags"):
        return None
    weekday = next(i for i in range(7) if m[f"w{i}"])
    if m["nw1"] or m["nw2"]:
        return today + datetime.timedelta(days=7 - today.weekday() + weekday)
    # On a friday "next friday" cannot mean today, so it is a week later.
    ahead = (weekday - today.weekday()) % 7 or (7 if m["mod"] in ("next", "neste", "nxt") else 0)
    return today + datetime.timedelta(days=ahead)


def _calendar(today: datetime.date, year: str | None, month: int, day: int) -> datetime.date | None:
    first = int(year) + (2000 if len(year) == 2 else 0) if year else today.year
    for candidate_year in range(first, first + (1 if year else 5)):  # 29 February: 4 years off
        try:
            candidate = datetime.date(candidate_year, month, day)
        except ValueError:
            continue
        if year or candidate >= today:  # without a year: the next such date
            return candidate
    return None


def _date(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    groups = m.groupdict()
    day, year = int(m["d"]), m["y"]
    if groups.get("mon"):
        key = m["mon"][:3].replace("mai", "may").replace("okt", "oct").replace("des", "dec")
        return _calendar(today, year, _MONTH_KEYS.index(key) // 3 + 1, day)
    month, sep = int(m["mo"]), groups.get("sep")
    if sep and not year:
        if sep == "-":
            return None  # "14-16" is a range of hours
        if sep == "/" and month == 10 and day <= 10:
            return None  # "7/10" is a pain score
        if sep == "." and len(m["mo"]) == 1 and not m["dot"]:
            return None  # "1.5" is a decimal ("3.5." with the trailing dot is a date)
        before = _word_before(m.string, m.start())
        if sep == "." and (_TIME_CUE.fullmatch(before) or (before == "§d" and day < 24)):
            return None  # "kl 10.05" and "fredag 10.05" are times
    if sep and _UNIT_AFTER.match(m.string, m.end()):
        return None  # "1/2 tablett"
    if sep == "/" and month > 12 >= day:
        day, month = month, day  # "11/28", written the American way
    return _calendar(today, year, month, day)


def _range(m: re.Match[str], hint: str | None) -> Window | None:
    no_cue = m.groupdict().get("cue", "") is None  # only the "14-16" pattern has a cue group
    if no_cue and not (m["m1"] or m["m2"] or m["mer1"] or m["mer2"]):
        return None  # a bare "2-3" is more often a count than hours
    h1, h2 = int(m["h1"]), int(m["h2"])
    mer1 = m["mer1"] or (m["mer2"] if h1 < h2 < 12 else None)  # "2 to 4pm": pm for both ends
    start = _minutes(h1, int(m["m1"] or 0), mer1, hint)
    end = _minutes(h2, int(m["m2"] or 0), m["mer2"], hint)
    if start is None or end is None:
        return None
    if end <= start and end < 720:
        end += 720  # "between 10 and 2" ends at 14:00
    return (start, end) if start < end else None


def _bound(m: re.Match[str], hint: str | None, *, after: bool) -> int | None:
    if m["anchor"] is None:
        return _minutes(int(m["h"]), int(m["m"] or 0), m["mer"], hint)
    return _ANCHOR_TIMES.get(m["anchor"][:3], (720, 720))[0 if after else 1]


def _point(m: re.Match[str], hint: str | None) -> int | None:
    groups = m.groupdict()
    if _word_before(m.string, m.start()) in ("kr", "kr.", "nok"):
        return None  # "kr 2.50"
    hour = int(m["h"]) if m["h"].isdigit() else _WORD_NUMBERS.get(m["h"], 12)  # 12: noon
    minute = int(groups.get("m") or 0)
    if groups.get("half") or groups.get("qt"):
        # Norwegian "halv fem" is half-way to five, 4:30; "quarter to 5" is 4:45.
        hour, minute = (hour - 1) or 12, 30 if groups.get("half") else 45
    elif groups.get("hp") or groups.get("qp"):
        minute = 30 if groups.get("hp") else 15
    return _minutes(hour, minute, groups.get("mer"), hint)


def _earliest_point(s: str, hint: str | None) -> tuple[int | None, str]:
    """Of all point-time patterns, the match that starts first in the text."""
    found = [
        (m.start(), m.end(), value)
        for pattern in _POINTS
        for m in pattern.finditer(s)
        if (value := _point(m, hint)) is not None
    ]
    if not found:
        return None, s
    start, end, value = min(found)
    return value, f"{s[:start]} {s[end:]}"


def _normalize(text: str) -> str:
    s = text.lower().replace("’", "'").replace("–", "-").replace("—", "-").replace("§", " ")
    s = re.sub(r"\s+|(?<=\d)t(?=\d)", " ", s)  # also "2026-11-28T10:30"
    s = _GREETING.sub(" ", s)  # "good morning" greets; it asks for no morning slot
    return re.sub(r"\s+", " ", s).strip()


def _find_days(s: str, found: _Found, today: datetime.date) -> str:
    relative, s = _first(_RELATIVE, s, lambda m: m.lastgroup, mark="§d")
    if relative is not None:
        found.day = today + datetime.timedelta(days={"d1": 1, "d2": 2}.get(relative, 0))
        found.part = {"eve": EVENING, "aft": AFTERNOON, "mor": MORNING}.get(relative)
    weekday, s = _first(_WEEKDAY, s, lambda m: _weekday(m, today), mark="§d")
    found.day = found.day or weekday
    for pattern in _DATES:  # a calendar date beats "i morgen" or a weekday next to it
        date, s = _first(pattern, s, lambda m: _date(m, today), mark="§d")
        if date is not None:
            found.day = date
            break
    return s


def _find_times(s: str, found: _Found) -> str:
    part, s = _first(_PART, s, lambda m: _PARTS[str(m.lastgroup)], mark="§p")
    found.part = found.part or part
    hint = _HINTS.get(found.part) if found.part else None
    window, s = _first(_RANGES[0], s, lambda m: _range(m, hint))
    if window is None:
        window, s = _first(_RANGES[1], s, lambda m: _range(m, hint))
    after, s = _first(_AFTER, s, lambda m: _bound(m, hint, after=True))
    before, s = _first(_BEFORE, s, lambda m: _bound(m, hint, after=False))
    found.after, found.before = window or (after, before)
    found.exact, s = _earliest_point(s, hint)
    return s


def _window(found: _Found) -> tuple[int | None, int | None]:
    if found.exact is not None:
        return max(0, found.exact - EXACT_MARGIN), found.exact + EXACT_MARGIN
    low, high = found.after, found.before
    if found.part is not None:
        part_low = max(low or 0, found.part[0])
        part_high = min(DAY if high is None else high, found.part[1])
        if part_low < part_high:
            return part_low, part_high
        # "morning after 14": the explicit bound beats the part of the day.
    if low is not None and high is not None and low >= high:
        high = None  # "after 5 before 3": keep the lower bound
    return low, high


def _as_time(minutes: int | None) -> datetime.time | None:
    return None if minutes is None or minutes >= DAY else datetime.time(*divmod(minutes, 60))


def parse_when(text: str, *, now: datetime.datetime) -> TimeRequest | None:
    """The consult time `text` asks for, or None if it names no day or time."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    local_now = now.astimezone(OSLO)
    today = local_now.date()
    found = _Found()
    asap, s = _first(_ASAP, _normalize(text), _asap)
    s = _find_days(s, found, today)
    _find_times(s, found)
    no_time = found.exact is None and found.after is None and found.before is None
    if asap and no_time and found.part is None and found.day in (None, today):
        # Round in UTC: Oslo's offsets are whole hours, and local arithmetic may hit a DST gap.
        start = datetime.datetime.fromtimestamp(-(-now.timestamp() // ASAP_STEP) * ASAP_STEP, OSLO)
        return TimeRequest(start.date(), start.time(), None, None)
    low, high = _window(found)
    if found.day is None:
        if no_time and found.part is None:
            return None
        ahead = found.exact if found.exact is not None else (DAY if high is None else high)
        late = ahead <= local_now.hour * 60 + local_now.minute
        found.day = today + datetime.timedelta(days=1 if late else 0)
    return TimeRequest(found.day, _as_time(low), _as_time(high), _as_time(found.exact))
