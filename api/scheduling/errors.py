"""Scheduling's domain errors."""

from __future__ import annotations

from api.core.errors import Conflict, DomainError
from api.policy.rules import RuleBroken


class SlotTaken(Conflict):
    code = "slot_taken"

    def __init__(self) -> None:
        super().__init__("Someone else has just booked that time. Please pick another.")


class AlreadyInQueue(Conflict):
    code = "already_in_queue"

    def __init__(self) -> None:
        super().__init__("You already have a place in the drop-in queue.")


class NotChangeable(Conflict):
    code = "not_changeable"


class ShiftRefused(DomainError):
    code = "shift_refused"


def rule_error(rule: RuleBroken) -> DomainError:
    """A broken clinic rule as a 422 with the rule's own code."""
    return DomainError(rule.message, code=rule.code)
