"""Symptom checks' domain errors."""

from __future__ import annotations

from api.core.errors import Conflict, DomainError, Forbidden


class AlreadyAttached(Conflict):
    code = "already_attached"

    def __init__(self) -> None:
        super().__init__(
            "This symptom check already belongs to another consult. Please do a new symptom "
            "check for this one."
        )


class NotTheSamePatient(DomainError):
    code = "not_the_same_patient"

    def __init__(self) -> None:
        super().__init__(
            "This symptom check is about someone else than the person the consult is for. "
            "Please do a symptom check for them."
        )


class ConsultClosed(DomainError):
    code = "consult_closed"

    def __init__(self) -> None:
        super().__init__(
            "This consult is cancelled or already over, so a symptom check can no longer be "
            "added to it."
        )


class NotTreatingClinician(Forbidden):
    code = "not_treating_clinician"

    def __init__(self) -> None:
        super().__init__("Only the clinician treating this consult may read its symptom check.")
