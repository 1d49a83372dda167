"""The words of the emergency and urgent-care answers, in one place.

Pure standard-library Python: the action server (Rasa's venv) says them when the assistant
is running, and the API gateway (the app's venv) says them when support holds the
conversation and Rasa is paused. The numbers come from the clinic's policy, passed in.
"""

from __future__ import annotations

from typing import Protocol


class Numbers(Protocol):
    @property
    def life_threatening(self) -> str: ...

    @property
    def urgent(self) -> str: ...

    @property
    def mental_health_helpline(self) -> str: ...


def spoken(number: str) -> str:
    """Six-digit numbers in two groups, as Norwegians write them ("116 117")."""
    digits = number.replace(" ", "")
    return f"{digits[:3]} {digits[3:]}" if len(digits) == 6 and digits.isdigit() else number


def emergency_text(numbers: Numbers) -> str:
    """Short and unmistakable: the number first, then what to do while waiting."""
    call = numbers.life_threatening
    return (
        f"Call {call} now (ambulance). Ring {call} nå. This needs emergency help straight "
        "away, not a chat or a video consult. If someone is unconscious, check whether they "
        f"breathe normally; if not, start CPR if you can. {call} will guide you."
    )


def urgent_text(numbers: Numbers, *, mental_health: bool) -> str:
    """Legevakt today; the helpline when it is about mental health; 113 if it gets worse."""
    legevakt = spoken(numbers.urgent)
    call = numbers.life_threatening
    if not mental_health:
        return (
            f"Please call legevakt (the out-of-hours emergency clinic) on {legevakt}: this "
            "should be looked at today, rather than wait for a booked consult. "
            f"If it gets worse, call {call}."
        )
    return (
        "Thank you for telling me; you do not have to carry this alone. You can talk to "
        f"someone right now at Mental Helse's helpline on {spoken(numbers.mental_health_helpline)}"
        f", open day and night, and legevakt on {legevakt} can help you today. "
        f"If it gets worse, or you feel you might act on these thoughts, call {call}."
    )
