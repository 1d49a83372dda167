"""The triage rules at every threshold of the policy (pure: no database)."""

from __future__ import annotations

from typing import Any

import pytest

from api.policy.rules import RedFlag, get_policy
from api.triage.advice import NEXT_STEP, advice
from api.triage.models import TriageLevel
from api.triage.rules import Reason, Triage, triage
from api.triage.schemas import SymptomCheckIn

POLICY = get_policy()
SELF_CARE, CONSULT = TriageLevel.SELF_CARE, TriageLevel.VIDEO_CONSULT
URGENT, EMERGENCY = TriageLevel.URGENT, TriageLevel.EMERGENCY
# An adult with a mild, short problem and no warning signs: the only self-care case.
MILD: dict[str, Any] = {
    "chief_complaint": "Sore throat",
    "duration_days": 2,
    "severity": 2,
    "fever": False,
    "age_years": 30,
}


def _triage(**changes: Any) -> Triage:
    return triage(SymptomCheckIn.model_validate(MILD | changes), policy=POLICY)


def test_mild_short_adult_problem_is_self_care() -> None:
    result = _triage()
    assert (result.level, result.reasons, result.red_flags) == (SELF_CARE, (), ())
    assert result.next_step == "self_care"


def test_the_policy_holds_the_thresholds() -> None:
    rules = POLICY.triage
    assert (rules.fever_from_celsius, rules.urgent_fever_from_celsius) == (38.0, 40.0)
    assert (rules.infant_fever_urgent_below_months, rules.child_fever_consult_below_months) == (
        3,
        24,
    )
    assert (rules.consult_from_severity, rules.urgent_from_severity) == (4, 8)
    assert rules.self_care_max_severity == 3
    assert rules.pregnant_urgent_from_severity == 6
    assert (rules.fever_consult_after_days, rules.self_care_max_days) == (3, 7)
    assert (rules.lingering_after_days, rules.self_care_from_age_years) == (14, 18)
    assert rules.urgent_red_flags == {RedFlag.SEVERE_PAIN}
    assert rules.emergency_red_flags == set(RedFlag) - {RedFlag.SEVERE_PAIN}


@pytest.mark.parametrize(
    ("temperature", "level", "reason"),
    [
        (37.9, SELF_CARE, None),
        (38.0, CONSULT, Reason.FEVER),
        (39.9, CONSULT, Reason.FEVER),
        (40.0, URGENT, Reason.VERY_HIGH_FEVER),
    ],
)
def test_temperature_thresholds(temperature: float, level: TriageLevel, reason: Reason) -> None:
    result = _triage(temperature_c=temperature)
    assert result.level is level
    assert (reason in result.reasons) if reason else result.reasons == ()


def test_reported_fever_counts_without_a_thermometer() -> None:
    # Reported or measured: either is enough, even with a lower reading (safety first).
    assert _triage(fever=True).reasons == (Reason.FEVER,)
    assert _triage(fever=True, temperature_c=37.2).level is CONSULT


@pytest.mark.parametrize(
    ("age_years", "age_months", "level", "reason"),
    [
        (0, 0, URGENT, Reason.INFANT_FEVER),
        (0, 2, URGENT, Reason.INFANT_FEVER),
        (0, 3, CONSULT, Reason.YOUNG_CHILD_FEVER),
        (1, 23, CONSULT, Reason.YOUNG_CHILD_FEVER),
        (2, 24, CONSULT, Reason.CHILD),
        # A baby's age without months is read as the youngest: urgent.
        (0, None, URGENT, Reason.INFANT_FEVER),
        (1, None, CONSULT, Reason.YOUNG_CHILD_FEVER),
    ],
)
def test_fever_by_age_in_months(
    age_years: int, age_months: int | None, level: TriageLevel, reason: Reason
) -> None:
    result = _triage(fever=True, age_years=age_years, age_months=age_months)
    assert result.level is level
    assert reason in result.reasons
    if age_months is not None and age_months >= 24:
        assert Reason.YOUNG_CHILD_FEVER not in result.reasons


def test_infants_without_fever_are_not_urgent_on_age_alone() -> None:
    result = _triage(age_years=0, age_months=1)
    assert (result.level, result.reasons) == (CONSULT, (Reason.CHILD,))


@pytest.mark.parametrize(
    ("severity", "level", "reason"),
    [
        (0, SELF_CARE, None),
        (3, SELF_CARE, None),
        (4, CONSULT, Reason.MODERATE_SYMPTOMS),
        (7, CONSULT, Reason.MODERATE_SYMPTOMS),
        (8, URGENT, Reason.SEVERE_SYMPTOMS),
        (10, URGENT, Reason.SEVERE_SYMPTOMS),
    ],
)
def test_severity_thresholds(severity: int, level: TriageLevel, reason: Reason | None) -> None:
    result = _triage(severity=severity)
    assert result.level is level
    assert result.reasons == ((reason,) if reason else ())


@pytest.mark.parametrize(
    ("days", "level", "reasons"),
    [
        (0, SELF_CARE, ()),
        (7, SELF_CARE, ()),
        (7.5, CONSULT, (Reason.PROLONGED_SYMPTOMS,)),
        (8, CONSULT, (Reason.PROLONGED_SYMPTOMS,)),
        (14, CONSULT, (Reason.PROLONGED_SYMPTOMS,)),
        (15, CONSULT, (Reason.LINGERING_SYMPTOMS,)),
        (3650, CONSULT, (Reason.LINGERING_SYMPTOMS,)),
        # Not knowing how long is never read as "short".
        (None, CONSULT, (Reason.DURATION_UNKNOWN,)),
    ],
)
def test_duration_thresholds(
    days: float | None, level: TriageLevel, reasons: tuple[Reason, ...]
) -> None:
    result = _triage(duration_days=days)
    assert (result.level, result.reasons) == (level, reasons)


@pytest.mark.parametrize(("days", "prolonged"), [(3, False), (3.5, True), (4, True)])
def test_fever_lasting_over_three_days_needs_a_doctor(days: float, prolonged: bool) -> None:
    result = _triage(fever=True, duration_days=days)
    assert result.level is CONSULT
    assert (Reason.PROLONGED_FEVER in result.reasons) is prolonged


@pytest.mark.parametrize("flag", sorted(RedFlag))
def test_each_red_flag(flag: RedFlag) -> None:
    result = _triage(red_flags=[flag.value])
    if flag is RedFlag.SEVERE_PAIN:
        assert (result.level, result.reasons) == (URGENT, (Reason.URGENT_RED_FLAG,))
        assert result.next_step == "legevakt"
    else:
        assert (result.level, result.reasons) == (EMERGENCY, (Reason.EMERGENCY_RED_FLAG,))
        assert result.next_step == "call_113"
    assert result.red_flags == (flag,)


def test_red_flags_win_over_everything_and_reasons_come_most_serious_first() -> None:
    result = _triage(
        red_flags=["severe_pain", "chest_pain"],
        fever=True,
        severity=9,
        duration_days=None,
        age_years=40,
    )
    assert result.level is EMERGENCY
    assert result.reasons == (
        Reason.EMERGENCY_RED_FLAG,
        Reason.URGENT_RED_FLAG,
        Reason.SEVERE_SYMPTOMS,
        Reason.FEVER,
        Reason.DURATION_UNKNOWN,
    )
    # In the policy's order, whatever order they were sent in.
    assert result.red_flags == (RedFlag.CHEST_PAIN, RedFlag.SEVERE_PAIN)


@pytest.mark.parametrize(
    ("changes", "level", "reason"),
    [
        ({"pregnant": True}, CONSULT, Reason.PREGNANT),
        ({"pregnant": True, "severity": 5}, CONSULT, Reason.MODERATE_SYMPTOMS),
        ({"pregnant": True, "severity": 6}, URGENT, Reason.PREGNANT_UNWELL),
        ({"pregnant": True, "temperature_c": 38.0}, URGENT, Reason.PREGNANT_UNWELL),
        ({"pregnant": True, "temperature_c": 37.9}, CONSULT, Reason.PREGNANT),
        ({"pregnant": False, "severity": 6}, CONSULT, Reason.MODERATE_SYMPTOMS),
        ({"pregnant": None}, SELF_CARE, None),
    ],
)
def test_pregnancy(changes: dict[str, Any], level: TriageLevel, reason: Reason | None) -> None:
    result = _triage(**changes)
    assert result.level is level
    assert (reason in result.reasons) if reason else result.reasons == ()


@pytest.mark.parametrize(("age", "level"), [(17, CONSULT), (18, SELF_CARE)])
def test_children_are_never_left_to_self_care(age: int, level: TriageLevel) -> None:
    result = _triage(age_years=age)
    assert result.level is level
    assert (Reason.CHILD in result.reasons) is (age < 18)


def test_thresholds_are_read_from_the_policy_not_the_code() -> None:
    stricter = POLICY.model_copy(
        update={
            "triage": POLICY.triage.model_copy(
                update={"fever_from_celsius": 37.5, "consult_from_severity": 3}
            )
        }
    )
    answers = SymptomCheckIn.model_validate(MILD | {"temperature_c": 37.6, "severity": 3})
    assert triage(answers, policy=POLICY).level is SELF_CARE
    result = triage(answers, policy=stricter)
    assert result.reasons == (Reason.MODERATE_SYMPTOMS, Reason.FEVER)


@pytest.mark.parametrize("level", list(TriageLevel))
def test_advice_is_one_plain_sentence_with_the_policys_numbers(level: TriageLevel) -> None:
    text = advice(level, policy=POLICY)
    assert len(text) < 320
    assert text.endswith(".") and text.count(".") == 1
    assert POLICY.emergency.life_threatening in text
    if level in (URGENT, CONSULT):
        assert POLICY.emergency.urgent in text
    if level is EMERGENCY:
        assert text.startswith(f"Call {POLICY.emergency.life_threatening} now")
    assert NEXT_STEP[level] in {"self_care", "book_doctor", "legevakt", "call_113"}


def test_advice_follows_a_changed_policy() -> None:
    other = POLICY.model_copy(
        update={
            "emergency": POLICY.emergency.model_copy(
                update={"life_threatening": "999", "urgent": "111"}
            )
        }
    )
    assert "999" in advice(EMERGENCY, policy=other)
    assert "111" in advice(URGENT, policy=other)
