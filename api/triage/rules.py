"""The triage itself: pure, from the answers and the policy's thresholds.

Every rule that applies adds its reason; the level is the strictest any rule reaches, and
self-care is what is left when none does. Missing answers are read the less reassuring way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from api.policy.rules import ClinicPolicy, RedFlag, TriagePolicy
from api.triage.advice import NEXT_STEP, NextStep
from api.triage.models import TriageLevel
from api.triage.schemas import SymptomCheckIn

_MONTHS_PER_YEAR = 12


class Reason(StrEnum):
    """Why a check got its level (codes for machines and the clinician's handoff)."""

    EMERGENCY_RED_FLAG = "emergency_red_flag"
    URGENT_RED_FLAG = "urgent_red_flag"
    VERY_HIGH_FEVER = "very_high_fever"
    INFANT_FEVER = "infant_fever"
    SEVERE_SYMPTOMS = "severe_symptoms"
    PREGNANT_UNWELL = "pregnant_unwell"
    MODERATE_SYMPTOMS = "moderate_symptoms"
    YOUNG_CHILD_FEVER = "young_child_fever"
    PROLONGED_FEVER = "prolonged_fever"
    FEVER = "fever"
    LINGERING_SYMPTOMS = "lingering_symptoms"
    PROLONGED_SYMPTOMS = "prolonged_symptoms"
    DURATION_UNKNOWN = "duration_unknown"
    PREGNANT = "pregnant"
    CHILD = "child"


@dataclass(frozen=True, slots=True)
class Triage:
    """The outcome: how soon, why (most serious first), and which red flags were given."""

    level: TriageLevel
    reasons: tuple[Reason, ...]
    red_flags: tuple[RedFlag, ...]

    @property
    def next_step(self) -> NextStep:
        return NEXT_STEP[self.level]


def age_in_months(answers: SymptomCheckIn) -> int:
    """The age in whole months; a baby's age without months counts as the youngest."""
    if answers.age_months is not None:
        return answers.age_months
    return answers.age_years * _MONTHS_PER_YEAR


def has_fever(answers: SymptomCheckIn, rules: TriagePolicy) -> bool:
    """Reported or measured: either one is enough."""
    measured = answers.temperature_c
    return answers.fever or (measured is not None and measured >= rules.fever_from_celsius)


def _findings(answers: SymptomCheckIn, rules: TriagePolicy) -> list[tuple[TriageLevel, Reason]]:
    urgent, consult = TriageLevel.URGENT, TriageLevel.VIDEO_CONSULT
    fever = has_fever(answers, rules)
    months = age_in_months(answers)
    days = answers.duration_days
    flags = set(answers.red_flags)
    temperature = answers.temperature_c
    checks = [
        (TriageLevel.EMERGENCY, Reason.EMERGENCY_RED_FLAG, bool(flags & rules.emergency_red_flags)),
        (urgent, Reason.URGENT_RED_FLAG, bool(flags & rules.urgent_red_flags)),
        (
            urgent,
            Reason.VERY_HIGH_FEVER,
            temperature is not None and temperature >= rules.urgent_fever_from_celsius,
        ),
        (urgent, Reason.INFANT_FEVER, fever and months < rules.infant_fever_urgent_below_months),
        (urgent, Reason.SEVERE_SYMPTOMS, answers.severity >= rules.urgent_from_severity),
        (
            urgent,
            Reason.PREGNANT_UNWELL,
            answers.pregnant is True
            and (fever or answers.severity >= rules.pregnant_urgent_from_severity),
        ),
        (
            consult,
            Reason.MODERATE_SYMPTOMS,
            rules.consult_from_severity <= answers.severity < rules.urgent_from_severity,
        ),
        (
            consult,
            Reason.YOUNG_CHILD_FEVER,
            fever
            and rules.infant_fever_urgent_below_months
            <= months
            < rules.child_fever_consult_below_months,
        ),
        (
            consult,
            Reason.PROLONGED_FEVER,
            fever and days is not None and days > rules.fever_consult_after_days,
        ),
        (consult, Reason.FEVER, fever),
        (
            consult,
            Reason.LINGERING_SYMPTOMS,
            days is not None and days > rules.lingering_after_days,
        ),
        (
            consult,
            Reason.PROLONGED_SYMPTOMS,
            days is not None and rules.self_care_max_days < days <= rules.lingering_after_days,
        ),
        (consult, Reason.DURATION_UNKNOWN, days is None),
        (consult, Reason.PREGNANT, answers.pregnant is True),
        (consult, Reason.CHILD, answers.age_years < rules.self_care_from_age_years),
    ]
    return [(level, reason) for level, reason, applies in checks if applies]


def triage(answers: SymptomCheckIn, *, policy: ClinicPolicy) -> Triage:
    """Triage one symptom check by the clinic's thresholds."""
    findings = _findings(answers, policy.triage)
    # Most serious first; findings are listed in that order within a level already.
    findings.sort(key=lambda finding: -finding[0].rank)
    level = findings[0][0] if findings else TriageLevel.SELF_CARE
    return Triage(
        level=level,
        reasons=tuple(reason for _, reason in findings),
        red_flags=tuple(flag for flag in RedFlag if flag in answers.red_flags),
    )
