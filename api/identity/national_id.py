"""Norwegian national identity numbers: fødselsnummer and D-number.

An 11-digit number DDMMYY III K1 K2. A D-number adds 4 to the first digit of the day.
The century follows from the individual number (III) and the two-digit year, and both
check digits are mod-11 sums. Numbers are never echoed back in errors: they identify a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


class NationalIdKind(StrEnum):
    FODSELSNUMMER = "fodselsnummer"
    D_NUMBER = "d_number"


class InvalidNationalId(ValueError):
    """Raised with a machine-readable ``code`` and a sentence a person understands."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class NationalId:
    value: str
    kind: NationalIdKind
    birth_date: dt.date

    def masked(self) -> str:
        """Safe for logs: the birth date part hidden as well as the personal number."""
        return f"{self.value[:2]}*********"


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    check = (11 - remainder) % 11
    # A remainder giving 10 has no valid check digit: such numbers are never issued.
    return None if check == 10 else check


def _century(individual: int, yy: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and yy >= 54:
        return 1800
    if individual >= 500 and yy <= 39:
        return 2000
    if individual >= 900 and yy >= 40:
        return 1900
    return None


def parse_national_id(raw: str, *, today: dt.date | None = None) -> NationalId:
    """Validate ``raw`` and return the parsed number, or raise :class:`InvalidNationalId`."""
    if not isinstance(raw, str):
        raise InvalidNationalId("not_text", "The national identity number must be text.")
    value = raw.strip().replace(" ", "")
    if not value.isascii() or not value.isdigit():
        raise InvalidNationalId(
            "not_digits", "A national identity number has digits only (11 of them)."
        )
    if len(value) != 11:
        raise InvalidNationalId(
            "wrong_length",
            f"A national identity number has 11 digits; this one has {len(value)}.",
        )

    day, month, yy = int(value[0:2]), int(value[2:4]), int(value[4:6])
    individual = int(value[6:9])
    kind = NationalIdKind.FODSELSNUMMER
    if day > 40:
        kind = NationalIdKind.D_NUMBER
        day -= 40

    century = _century(individual, yy)
    if century is None:
        raise InvalidNationalId(
            "impossible_date", "The birth date in this national identity number is not possible."
        )
    try:
        birth_date = dt.date(century + yy, month, day)
    except ValueError:
        raise InvalidNationalId(
            "impossible_date", "The birth date in this national identity number is not possible."
        ) from None
    if birth_date > (today or dt.date.today()):
        raise InvalidNationalId(
            "impossible_date", "The birth date in this national identity number is in the future."
        )

    k1 = _check_digit(value[:9], _K1_WEIGHTS)
    k2 = _check_digit(value[:10], _K2_WEIGHTS)
    if k1 is None or k2 is None or k1 != int(value[9]) or k2 != int(value[10]):
        raise InvalidNationalId(
            "bad_check_digit",
            "The check digits do not match: please look for a mistyped digit.",
        )
    return NationalId(value=value, kind=kind, birth_date=birth_date)


def is_valid_national_id(raw: str) -> bool:
    """True if ``raw`` is a valid fødselsnummer or D-number."""
    try:
        parse_national_id(raw)
    except InvalidNationalId:
        return False
    return True


def make_national_id(birth_date: dt.date, individual: int, *, d_number: bool = False) -> str | None:
    """Build a valid number, or None when this individual number yields no check digit.

    Used by the development seed and the test factories; real numbers come from the
    identity provider.
    """
    if _century(individual, birth_date.year % 100) != birth_date.year // 100 * 100:
        raise ValueError("this individual number does not belong to that birth year's century")
    day = birth_date.day + (40 if d_number else 0)
    head = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{individual:03d}"
    k1 = _check_digit(head, _K1_WEIGHTS)
    if k1 is None:
        return None
    k2 = _check_digit(head + str(k1), _K2_WEIGHTS)
    if k2 is None:
        return None
    return f"{head}{k1}{k2}"
