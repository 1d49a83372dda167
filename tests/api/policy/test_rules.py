"""Each rule of the clinic, at its boundaries."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from api.policy.rules import (
    POLICY_FILE,
    BookingMode,
    RedFlag,
    Service,
    get_policy,
    load_policy,
)
from tests.api.factories import oslo

POLICY = get_policy()
DOCTOR, PSYCHOLOGIST = Service.DOCTOR_CONSULT, Service.PSYCHOLOGIST_SESSION
SCHEDULED, DROP_IN = BookingMode.SCHEDULED, BookingMode.DROP_IN


def test_prices_are_the_current_price_list() -> None:
    assert POLICY.rules_for(DOCTOR).price_ore == 375_00
    assert POLICY.rules_for(Service.NEW_PRESCRIPTION).price_ore == 375_00
    assert POLICY.rules_for(Service.PRESCRIPTION_RENEWAL).price_ore == 275_00
    assert POLICY.rules_for(PSYCHOLOGIST).price_ore == 1095_00
    assert POLICY.renewals.consult_requested == "refund_and_book"  # then a 375 consult


def test_insurance_covers_doctors_and_prescriptions_never_psychologists() -> None:
    assert set(POLICY.insurance.insurers) == {"if", "vertikal"}
    assert POLICY.price_ore(DOCTOR, insured=True) == 0
    assert POLICY.price_ore(DOCTOR, insured=False) == 375_00
    assert POLICY.price_ore(Service.PRESCRIPTION_RENEWAL, insured=True) == 0
    assert POLICY.price_ore(Service.NEW_PRESCRIPTION, insured=True) == 0
    assert POLICY.price_ore(PSYCHOLOGIST, insured=True) == 1095_00


def test_children_covered_until_eighteen() -> None:
    born = dt.date(2010, 6, 15)
    assert POLICY.covers_child(child_birth_date=born, on=dt.date(2028, 6, 14))  # 17
    assert not POLICY.covers_child(child_birth_date=born, on=dt.date(2028, 6, 15))  # 18
    assert POLICY.guardian_may_act(child_birth_date=born, on=dt.date(2028, 6, 14))
    assert not POLICY.guardian_may_act(child_birth_date=born, on=dt.date(2028, 6, 15))


def test_leap_day_child_turns_eighteen_on_first_march() -> None:
    born = dt.date(2012, 2, 29)
    assert POLICY.covers_child(child_birth_date=born, on=dt.date(2030, 2, 28))
    assert not POLICY.covers_child(child_birth_date=born, on=dt.date(2030, 3, 1))


@pytest.mark.parametrize(
    ("day", "opens_utc", "closes_utc"),
    [
        (dt.date(2033, 3, 26), "06:00", "21:00"),  # winter time, the day before spring forward
        (dt.date(2033, 3, 27), "05:00", "20:00"),  # spring forward: 07:00 CEST = 05:00 UTC
        (dt.date(2033, 10, 29), "05:00", "20:00"),  # summer time
        (dt.date(2033, 10, 30), "06:00", "21:00"),  # fall back: 07:00 CET = 06:00 UTC
    ],
)
def test_opening_hours_follow_oslo_time(day: dt.date, opens_utc: str, closes_utc: str) -> None:
    for kind in ("doctor", "psychologist"):
        opens, closes = POLICY.opening_window(kind, day)
        assert opens.strftime("%H:%M") == opens_utc
        assert closes.strftime("%H:%M") == closes_utc
        assert POLICY.local(opens).strftime("%H:%M") == "07:00"
        assert POLICY.local(closes).strftime("%H:%M") == "22:00"


def test_open_every_day_of_the_week() -> None:
    for offset in range(7):
        day = dt.date(2033, 5, 16) + dt.timedelta(days=offset)  # 17 May (national day) too
        start, end = oslo(day, 7), oslo(day, 22)
        assert POLICY.within_opening_hours("doctor", start, end)
        assert not POLICY.within_opening_hours("doctor", oslo(day, 6, 59), end)
        assert not POLICY.within_opening_hours("psychologist", start, oslo(day, 22, 1))


def test_doctor_change_allowed_until_one_hour_before() -> None:
    start = oslo(dt.date(2033, 4, 4), 12)
    at_60 = start - dt.timedelta(minutes=60)
    at_59 = start - dt.timedelta(minutes=59)
    assert POLICY.change_refusal(service=DOCTOR, mode=SCHEDULED, starts_at=start, now=at_60) is None
    refused = POLICY.change_refusal(service=DOCTOR, mode=SCHEDULED, starts_at=start, now=at_59)
    assert refused is not None
    assert refused.code == "too_late_to_change"
    assert "1 hour" in refused.message


def test_psychologist_change_allowed_until_24_hours_before() -> None:
    start = oslo(dt.date(2033, 4, 4), 12)
    at_24h = start - dt.timedelta(hours=24)
    at_23h59 = start - dt.timedelta(hours=23, minutes=59)
    assert (
        POLICY.change_refusal(service=PSYCHOLOGIST, mode=SCHEDULED, starts_at=start, now=at_24h)
        is None
    )
    refused = POLICY.change_refusal(
        service=PSYCHOLOGIST, mode=SCHEDULED, starts_at=start, now=at_23h59
    )
    assert refused is not None and "24 hours" in refused.message


def test_drop_in_places_can_be_left_any_time() -> None:
    now = oslo(dt.date(2033, 4, 4), 12)
    assert POLICY.change_refusal(service=DOCTOR, mode=DROP_IN, starts_at=None, now=now) is None


def test_psychologist_booked_by_the_day_before() -> None:
    start = oslo(dt.date(2033, 4, 5), 7)
    late_evening_before = oslo(dt.date(2033, 4, 4), 23, 59)
    same_day_early = oslo(dt.date(2033, 4, 5), 0, 1)
    assert (
        POLICY.booking_refusal(
            service=PSYCHOLOGIST, mode=SCHEDULED, starts_at=start, now=late_evening_before
        )
        is None
    )
    refused = POLICY.booking_refusal(
        service=PSYCHOLOGIST, mode=SCHEDULED, starts_at=start, now=same_day_early
    )
    assert refused is not None and refused.code == "book_by_previous_day"
    # Doctors can be booked the same day.
    assert (
        POLICY.booking_refusal(service=DOCTOR, mode=SCHEDULED, starts_at=start, now=same_day_early)
        is None
    )


def test_booking_in_the_past_is_refused() -> None:
    now = oslo(dt.date(2033, 4, 5), 12)
    refused = POLICY.booking_refusal(service=DOCTOR, mode=SCHEDULED, starts_at=now, now=now)
    assert refused is not None and refused.code == "slot_in_past"


def test_psychologists_have_no_drop_in() -> None:
    now = oslo(dt.date(2033, 4, 5), 12)
    refused = POLICY.booking_refusal(service=PSYCHOLOGIST, mode=DROP_IN, starts_at=None, now=now)
    assert refused is not None and refused.code == "mode_not_offered"


def test_session_lengths() -> None:
    assert POLICY.slot_length(PSYCHOLOGIST) == dt.timedelta(minutes=45)
    assert POLICY.slot_length(DOCTOR) == dt.timedelta(minutes=15)
    with pytest.raises(ValueError):
        POLICY.slot_length(Service.PRESCRIPTION_RENEWAL)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        POLICY.local(dt.datetime(2033, 1, 1, 12))


def test_triage_thresholds_are_conservative() -> None:
    rules = POLICY.triage
    assert rules.fever_from_celsius == 38.0
    assert rules.urgent_fever_from_celsius == 40.0
    assert rules.infant_fever_urgent_below_months == 3
    assert rules.consult_from_severity == 4
    assert rules.urgent_from_severity == 8
    assert rules.self_care_max_days == 7
    assert rules.lingering_after_days == 14
    assert rules.self_care_from_age_years == 18
    # Every red flag the API accepts has a level; only severe pain is not an emergency.
    assert rules.emergency_red_flags | rules.urgent_red_flags == set(RedFlag)
    assert rules.urgent_red_flags == {RedFlag.SEVERE_PAIN}


def test_triage_policy_is_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        POLICY.triage.fever_from_celsius = 39.0  # type: ignore[misc]


def _broken(tmp_path: Path, change: dict[str, object]) -> Path:
    data = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    for dotted, value in change.items():
        *parents, leaf = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]
        if value is None:
            del node[leaf]
        else:
            node[leaf] = value
    path = tmp_path / "clinic.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"opening_hours.doctor": {"opens": "22:00", "closes": "07:00"}}, "open before"),
        ({"services.psychologist_session": None}, "psychologist_session"),
        ({"services.doctor_consult.price_ore": -1}, "price_ore"),
        ({"certificates.sick_leave": {"allowed": False}}, "where to go instead"),
        ({"surprise": 1}, "surprise"),
        ({"cancellation.doctor_consult": None}, "cancellation window"),
        ({"triage": None}, "triage"),
        ({"triage.urgent_fever_from_celsius": 38.0}, "urgent fever"),
        ({"triage.fever_from_celsius": 36.0}, "fever_from_celsius"),
        ({"triage.urgent_from_severity": 4}, "consult severity"),
        ({"triage.pregnant_urgent_from_severity": 9}, "pregnant urgent"),
        ({"triage.lingering_after_days": 6}, "lingering"),
        ({"triage.infant_fever_urgent_below_months": 30}, "infant age"),
        ({"triage.urgent_red_flags": []}, "missing from triage"),
        ({"triage.urgent_red_flags": ["severe_pain", "chest_pain"]}, "not both"),
        ({"triage.urgent_red_flags": ["severe_pain", "hiccups"]}, "urgent_red_flags"),
    ],
)
def test_broken_policy_files_are_refused(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        load_policy(_broken(tmp_path, change))


@pytest.mark.parametrize("content", ["", "- a list\n", "key: [unclosed\n"])
def test_garbage_policy_files_are_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "clinic.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError):
        load_policy(path)
