"""The clinic's curated medication table, and matching what a patient types against it.

The table (medications.csv beside this file) is a development subset, not a formulary: a
substance that is not in it is unknown, never implicitly allowed. Renewal rules read the
reseptgruppe and flags from here; they never guess them from a name.

Matching is forgiving on purpose: patients type brand names, Norwegian spellings
("levotyroksin", "zopiklon"), typos and whole sentences ("I need more Imovane 7.5mg").
Pure standard library, and bounded work whatever the input.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("medications.csv")
COLUMNS = ("substance", "brands", "atc", "reseptgruppe", "flags")
MIN_SCORE = 0.75

_ATC = re.compile(r"^[A-Z]\d\d[A-Z][A-Z]\d\d$")
# Only this much of a message is searched: a medicine name is in the first lines of any real
# request, and the bound keeps matching fast on pasted garbage.
_MAX_TEXT_CHARS = 4000
_MAX_TOKEN_CHARS = 40
_MAX_WORDS = 300
# Typo tolerance applies to the first words only; further on, a name must be spelt right (or
# in its Norwegian spelling). Fuzzy matching over pages of text finds names in noise.
_FUZZY_WORDS = 60
# Names this short match only exactly: "Yaz" must not match "yes", nor "Ibux" "ibis".
_EXACT_ONLY_BELOW = 6
# Spelling keys this short are too coarse to trust ("Loette" and "loot" share "lot").
_MIN_KEY_CHARS = 5
# Scores for matches that are not character-for-character the name.
_PHONETIC_EXACT = 0.95  # "levotyroksin" for levothyroxine, "zopiklon" for zopiclone
_INFLECTED = 0.93  # "Imovanen", "Cipralexen": a Norwegian ending on the name
_NORWEGIAN_ENDINGS = ("n", "en", "et", "er", "ene", "a")
_HEAD_FACTOR = 0.9  # "Paralgin" for "Paralgin forte": the first word of a longer name
# Least difflib ratio for a typo: when the message is just the name, and when the name is
# one stretch of a longer message (where ordinary words like "attention" lurk).
_FUZZY_ALONE = 0.82
_FUZZY_IN_TEXT = 0.85
# Ordinary words that look like a brand or substance to difflib, found by running English and
# Norwegian word lists through match(); they are never read as typos (exact names still count).
_NOT_TYPOS = frozenset(
    [
        "ability",
        "astral",
        "attention",
        "attentions",
        "attentive",
        "bacteria",
        "bacterium",
        "circadian",
        "concept",
        "concern",
        "concert",
        "concerti",
        "concertina",
        "concerto",
        "concerts",
        "convert",
        "creator",
        "crest",
        "cymbal",
        "discipline",
        "fluid",
        "ideal",
        "immigrant",
        "immigrants",
        "instal",
        "install",
        "letter",
        "lotte",
        "lyric",
        "lyrical",
        "lyrics",
        "medicine",
        "melanin",
        "million",
        "parapet",
        "parasite",
        "reunite",
        "sequel",
        "singular",
        "singulars",
        "spirit",
        "stolid",
        "trite",
    ]
)


class Reseptgruppe(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class MedicationFlag(StrEnum):
    LIMITED_PERIOD = "limited_period"
    NEEDS_SPECIALIST_FOLLOW_UP = "needs_specialist_follow_up"
    NEEDS_CLOSE_FOLLOW_UP = "needs_close_follow_up"
    NEEDS_PHYSICAL_EXAM = "needs_physical_exam"


@dataclass(frozen=True, slots=True)
class Medication:
    substance: str
    brands: tuple[str, ...]
    atc: str
    reseptgruppe: Reseptgruppe
    flags: frozenset[MedicationFlag]

    def __post_init__(self) -> None:
        if not self.substance or self.substance != self.substance.strip():
            raise ValueError(f"substance must be a non-empty name, got {self.substance!r}")
        if self.substance != self.substance.lower():
            raise ValueError(f"substance must be lowercase, got {self.substance!r}")
        if not _ATC.match(self.atc):
            raise ValueError(f"ATC code must look like N05CF01, got {self.atc!r}")
        if not isinstance(self.reseptgruppe, Reseptgruppe):
            raise ValueError(f"unknown reseptgruppe {self.reseptgruppe!r}")
        for brand in self.brands:
            if not brand or brand != brand.strip():
                raise ValueError(f"brand names must be non-empty, got {brand!r}")
        for flag in self.flags:
            if not isinstance(flag, MedicationFlag):
                raise ValueError(f"unknown flag {flag!r}")

    @property
    def names(self) -> tuple[str, ...]:
        """The substance, then every brand: what a patient may call it."""
        return (self.substance, *self.brands)


@dataclass(frozen=True, slots=True)
class MedicationMatch:
    medication: Medication
    matched_name: str
    score: float


class MedicationTableError(ValueError):
    """The table file is unusable; the message names the line and what is wrong with it."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        where = f"{path}: line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


# --- normalisation -------------------------------------------------------------------------

_KEEP = frozenset("æøå")
_NON_WORD = re.compile(r"[^0-9a-zæøå]+")


def normalise(text: str) -> str:
    """Lowercase, accents off ("é" -> "e"), æ/ø/å kept, punctuation to single spaces."""
    chars: list[str] = []
    for char in text.casefold():
        if char in _KEEP:
            chars.append(char)
            continue
        for part in unicodedata.normalize("NFKD", char):
            if not unicodedata.combining(part):
                chars.append(part)
    return _NON_WORD.sub(" ", "".join(chars)).strip()


_SOUNDS = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"qu"), "kv"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"æ"), "e"),
    (re.compile(r"ø"), "o"),
    (re.compile(r"å"), "a"),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile(r"e\b"), ""),
)


def phonetic(normalised: str) -> str:
    """A spelling key on which English/INN and Norwegian spellings of a drug name meet.

    levothyroxine and levotyroksin both become "levotyroksin", zopiclone and zopiklon
    "zopiklon", amoxicillin and amoksicillin "amoksisilin".
    """
    key = normalised
    for pattern, replacement in _SOUNDS:
        key = pattern.sub(replacement, key)
    return key


# --- the table -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Name:
    medication: Medication
    display: str
    text: str  # normalised
    key: str  # phonetic
    words: int
    factor: float  # 1.0, or _HEAD_FACTOR for the first word of a longer brand


def _names_of(medication: Medication) -> Iterator[_Name]:
    for display in medication.names:
        text = normalise(display)
        if not text:
            continue
        words = text.split()
        yield _Name(medication, display, text, phonetic(text), len(words), 1.0)
        head = words[0]
        if len(words) > 1 and len(head) >= _EXACT_ONLY_BELOW:
            yield _Name(medication, display, head, phonetic(head), 1, _HEAD_FACTOR)


def _similarity(matcher: SequenceMatcher[str], target: str, candidate: str, least: float) -> float:
    """difflib's ratio of candidate to target (the matcher's second sequence), or 0.0 below least.

    The length test and difflib's upper bounds rule out most pairs before the real ratio.
    """
    if 2 * min(len(candidate), len(target)) < least * (len(candidate) + len(target)):
        return 0.0
    matcher.set_seq1(candidate)
    if matcher.real_quick_ratio() < least or matcher.quick_ratio() < least:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= least else 0.0


class _Scorer:
    """Scores stretches of a message against one name; built per call, so never shared."""

    def __init__(self, name: _Name) -> None:
        self.name = name
        self._matcher: SequenceMatcher[str] = SequenceMatcher(None, autojunk=False)
        self._matcher.set_seq2(name.text)

    def score(self, span: _Span) -> float:
        name = self.name
        if span.text == name.text:
            return name.factor
        if len(name.text) < _EXACT_ONLY_BELOW:
            return 0.0
        if span.key == name.key and len(name.key) >= _MIN_KEY_CHARS:
            return _PHONETIC_EXACT * name.factor
        best = 0.0
        ending = span.text[len(name.text) :]
        if name.words == 1 and span.text.startswith(name.text) and ending in _NORWEGIAN_ENDINGS:
            best = _INFLECTED
        if span.fuzzy and span.text not in _NOT_TYPOS:
            least = _FUZZY_ALONE if span.alone else _FUZZY_IN_TEXT
            best = max(best, _similarity(self._matcher, name.text, span.text, least))
        return best * name.factor


@dataclass(frozen=True, slots=True)
class _Span:
    """A stretch of one or more consecutive words of the message."""

    text: str
    key: str
    words: int
    fuzzy: bool  # within the first _FUZZY_WORDS words: typos tolerated
    alone: bool  # the whole message


def _spans(text: str, max_words: int) -> dict[tuple[int, str], list[_Span]]:
    """Stretches of up to max_words words, indexed by (word count, first letter).

    Each stretch is filed under the first letter of its text and of its phonetic key, so a
    name is only compared with stretches that start like it ("sitalopram" still meets
    citalopram through the key). Typos in the very first letter are the price of speed.
    """
    words = [
        word
        for word in normalise(text[:_MAX_TEXT_CHARS]).split()
        if 2 <= len(word) <= _MAX_TOKEN_CHARS and not any(c.isdigit() for c in word)
    ][:_MAX_WORDS]
    index: dict[tuple[int, str], list[_Span]] = {}
    seen: set[str] = set()
    for size in range(1, min(max_words, len(words)) + 1):
        for start in range(len(words) - size + 1):
            stretch = " ".join(words[start : start + size])
            if stretch in seen:
                continue
            seen.add(stretch)
            span = _Span(stretch, phonetic(stretch), size, start < _FUZZY_WORDS, size == len(words))
            for first in {span.text[0], span.key[:1]}:
                if first:
                    index.setdefault((size, first), []).append(span)
    return index


class MedicationTable:
    """The loaded table: iterate it, look a substance up, or match free text against it."""

    def __init__(self, medications: Iterable[Medication]) -> None:
        self._medications = tuple(medications)
        self._by_substance = {normalise(m.substance): m for m in self._medications}
        self._names = tuple(name for m in self._medications for name in _names_of(m))
        self._max_words = max((name.words for name in self._names), default=1)

    def __len__(self) -> int:
        return len(self._medications)

    def __iter__(self) -> Iterator[Medication]:
        return iter(self._medications)

    def get(self, substance: str) -> Medication | None:
        """The row for a substance (INN name, any case/accents), or None."""
        return self._by_substance.get(normalise(substance))

    def match(self, text: str, *, limit: int = 3) -> list[MedicationMatch]:
        """Medicines the text names, best first, one per substance, each scoring >= 0.75.

        An exact name scores 1.0 whether alone or inside a sentence; Norwegian spellings,
        inflections and typos score less. Never raises on any string.
        """
        if limit <= 0:
            return []
        spans = _spans(text, self._max_words + 1)
        if not spans:
            return []
        best: dict[str, MedicationMatch] = {}
        for name in self._names:
            scorer: _Scorer | None = None
            # A name of n words meets stretches of n-1..n+1 words: a word may be missing,
            # added or split ("Symbicort turbo haler") without losing the match.
            for size in range(max(1, name.words - 1), name.words + 2):
                candidates = spans.get((size, name.text[0]), [])
                if name.key[:1] != name.text[0]:
                    candidates = candidates + spans.get((size, name.key[:1]), [])
                for span in candidates:
                    scorer = scorer or _Scorer(name)
                    score = scorer.score(span)
                    if score < MIN_SCORE:
                        continue
                    current = best.get(name.medication.substance)
                    if current is None or score > current.score:
                        match = MedicationMatch(name.medication, name.display, round(score, 3))
                        best[name.medication.substance] = match
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.medication.substance))
        return ranked[:limit]


# --- loading -------------------------------------------------------------------------------


def _parse_row(fields: list[str]) -> Medication:
    substance, brands_field, atc, group, flags_field = (field.strip() for field in fields)
    brands: tuple[str, ...] = ()
    if brands_field:
        brands = tuple(brand.strip() for brand in brands_field.split(";"))
        if any(not brand for brand in brands):
            raise ValueError(f"empty brand name in {brands_field!r}")
    if not _ATC.match(atc):
        raise ValueError(f"ATC code must look like N05CF01, got {atc!r}")
    try:
        reseptgruppe = Reseptgruppe(group)
    except ValueError:
        raise ValueError(f"unknown reseptgruppe {group!r} (expected A, B or C)") from None
    flags: set[MedicationFlag] = set()
    for token in (t.strip() for t in flags_field.split(";") if flags_field):
        try:
            flags.add(MedicationFlag(token))
        except ValueError:
            known = ", ".join(f.value for f in MedicationFlag)
            raise ValueError(f"unknown flag {token!r} (known: {known})") from None
    return Medication(substance, brands, atc, reseptgruppe, frozenset(flags))


def load_medications(path: Path = DEFAULT_PATH) -> MedicationTable:
    """Read and check the table; any problem raises MedicationTableError naming the line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MedicationTableError(path, None, f"cannot be read ({exc.strerror})") from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise MedicationTableError(path, line, "is not UTF-8 text") from exc

    rows: list[tuple[int, list[str]]] = []
    # Numbered by "\n" alone, as editors and the UTF-8 error above count them.
    for number, line_text in enumerate(content.split("\n"), start=1):
        line_text = line_text.removesuffix("\r")
        stripped = line_text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            fields = next(csv.reader([line_text], strict=True))
        except csv.Error as exc:
            raise MedicationTableError(path, number, f"is not valid CSV ({exc})") from exc
        rows.append((number, fields))
    if not rows:
        raise MedicationTableError(path, None, "is empty: no header row and no medicines")

    header_line, header = rows[0]
    header = [column.strip() for column in header]
    if tuple(header) != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            problems.append(f"unexpected column(s) {', '.join(extra)}")
        if not problems:
            problems.append("columns out of order")
        expected = ",".join(COLUMNS)
        raise MedicationTableError(
            path, header_line, f"bad header: {'; '.join(problems)} (expected {expected})"
        )
    if len(rows) == 1:
        raise MedicationTableError(path, None, "is empty: a header row but no medicines")

    medications: list[Medication] = []
    seen_substances: dict[str, int] = {}
    seen_names: dict[str, tuple[str, int]] = {}
    for number, fields in rows[1:]:
        if len(fields) != len(COLUMNS):
            raise MedicationTableError(
                path, number, f"expected {len(COLUMNS)} fields, found {len(fields)}"
            )
        try:
            medication = _parse_row(fields)
        except ValueError as exc:
            raise MedicationTableError(path, number, str(exc)) from None
        key = normalise(medication.substance)
        if key in seen_substances:
            raise MedicationTableError(
                path,
                number,
                f"duplicate substance {medication.substance!r} "
                f"(first on line {seen_substances[key]})",
            )
        seen_substances[key] = number
        for name in medication.names:
            name_key = normalise(name)
            owner = seen_names.get(name_key)
            if owner is not None and owner[0] != medication.substance:
                raise MedicationTableError(
                    path,
                    number,
                    f"name {name!r} already belongs to {owner[0]!r} (line {owner[1]})",
                )
            seen_names[name_key] = (medication.substance, number)
        medications.append(medication)
    return MedicationTable(medications)


@lru_cache(maxsize=1)
def get_medications() -> MedicationTable:
    """The clinic's table, loaded once."""
    return load_medications()
