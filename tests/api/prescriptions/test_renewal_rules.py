"""Renewal rules at their boundaries (policy module)."""

import datetime as dt

import pytest

from api.policy.rules import get_policy
from tests.api.factories import oslo

POLICY = get_policy()
TODAY = dt.date(2033, 6, 15)


def _refusal(**overrides: object) -> str | None:
    facts: dict[str, object] = {
        "reseptgruppe": "C",
        "substance": "levothyroxine",
        "flags": frozenset(),
        "supply_days": 90,
        "last_dispensed": dt.date(2033, 4, 1),
        "today": TODAY,
        "consent": True,
    }
    facts.update(overrides)
    rule = POLICY.renewal_refusal(**facts)  # type: ignore[arg-type]
    return rule.code if rule else None


def test_an_ordinary_renewal_is_allowed() -> None:
    assert _refusal() is None


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"consent": False}, "consent_required"),
        ({"reseptgruppe": "A"}, "addictive_drug"),
        ({"reseptgruppe": "B"}, "addictive_drug"),
        ({"substance": "pregabalin"}, "excluded_substance"),
        ({"substance": "gabapentin"}, "excluded_substance"),
        ({"flags": frozenset({"limited_period"})}, "limited_period_drug"),
        ({"flags": frozenset({"needs_specialist_follow_up"})}, "specialist_follow_up"),
        ({"flags": frozenset({"needs_close_follow_up"})}, "close_follow_up"),
        ({"last_dispensed": None}, "not_dispensed_recently"),
        ({"supply_days": 91}, "supply_too_long"),
    ],
)
def test_each_exclusion(overrides: dict[str, object], code: str) -> None:
    assert _refusal(**overrides) == code


def test_starting_needs_an_exam_does_not_block_a_renewal() -> None:
    assert _refusal(flags=frozenset({"needs_physical_exam"})) is None


def test_three_months_supply_is_the_limit() -> None:
    assert _refusal(supply_days=90) is None
    assert _refusal(supply_days=91) == "supply_too_long"


def test_dispensed_within_fifteen_months() -> None:
    assert _refusal(last_dispensed=dt.date(2032, 3, 15)) is None  # exactly 15 months
    assert _refusal(last_dispensed=dt.date(2032, 3, 14)) == "not_dispensed_recently"


def test_fifteen_months_from_a_month_end() -> None:
    # 31 May 2033 minus 15 months is 28 February 2032 (clamped; 2032 is a leap year: 29th).
    rule = POLICY.renewal_refusal(
        reseptgruppe="C",
        substance="x",
        flags=frozenset(),
        supply_days=30,
        last_dispensed=dt.date(2032, 2, 29),
        today=dt.date(2033, 5, 31),
        consent=True,
    )
    assert rule is None


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        (oslo(dt.date(2033, 6, 15), 10, 0), oslo(dt.date(2033, 6, 15), 12, 0)),
        (oslo(dt.date(2033, 6, 15), 20, 0), oslo(dt.date(2033, 6, 15), 22, 0)),
        (oslo(dt.date(2033, 6, 15), 21, 0), oslo(dt.date(2033, 6, 16), 8, 0)),
        (oslo(dt.date(2033, 6, 15), 23, 30), oslo(dt.date(2033, 6, 16), 9, 0)),
        (oslo(dt.date(2033, 6, 15), 3, 0), oslo(dt.date(2033, 6, 15), 9, 0)),
        # Across the spring-forward night: still 07:00 local the next morning.
        (oslo(dt.date(2033, 3, 26), 21, 30), oslo(dt.date(2033, 3, 27), 8, 30)),
        (oslo(dt.date(2033, 10, 29), 21, 30), oslo(dt.date(2033, 10, 30), 8, 30)),
    ],
)
def test_due_time_counts_only_opening_hours(requested: dt.datetime, due: dt.datetime) -> None:
    assert POLICY.renewal_due_at(requested) == due
