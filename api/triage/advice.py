"""What the patient is told to do next, by triage level (numbers from the policy)."""

from __future__ import annotations

from typing import Literal

from api.policy.rules import ClinicPolicy
from api.triage.models import TriageLevel

NextStep = Literal["self_care", "book_doctor", "legevakt", "call_113"]

NEXT_STEP: dict[TriageLevel, NextStep] = {
    TriageLevel.SELF_CARE: "self_care",
    TriageLevel.VIDEO_CONSULT: "book_doctor",
    TriageLevel.URGENT: "legevakt",
    TriageLevel.EMERGENCY: "call_113",
}


def advice(level: TriageLevel, *, policy: ClinicPolicy) -> str:
    """One plain sentence for the patient: what to do next, never what it might be."""
    numbers = policy.emergency
    if level is TriageLevel.EMERGENCY:
        return (
            f"Call {numbers.life_threatening} now: what you describe needs emergency help "
            "straight away, so please do not wait for a video consult."
        )
    if level is TriageLevel.URGENT:
        return (
            f"Please call the legevakt (out-of-hours medical service) on {numbers.urgent} now, "
            f"as this should be looked at today; call {numbers.life_threatening} if it gets "
            "much worse."
        )
    if level is TriageLevel.VIDEO_CONSULT:
        return (
            "A doctor should look at this, so please book a video consult; if it gets worse, "
            f"call the legevakt on {numbers.urgent}, or {numbers.life_threatening} in an "
            "emergency."
        )
    days = policy.triage.self_care_max_days
    return (
        "This sounds like something you can look after at home with rest and fluids; book a "
        f"video consult if it lasts more than {days:g} days or gets worse, and call "
        f"{numbers.life_threatening} in an emergency."
    )
