"""Certificate requests' domain errors."""

from __future__ import annotations

from api.core.errors import Conflict


class AlreadyRequested(Conflict):
    code = "already_requested"

    def __init__(self) -> None:
        super().__init__(
            "You already have an open request for this certificate. "
            "A doctor will look at it; you can cancel it if it is no longer needed."
        )


class NotChangeable(Conflict):
    code = "not_changeable"


class AlreadyDecided(Conflict):
    code = "already_decided"
