"""Text fields as the API accepts them: no NUL characters (PostgreSQL cannot store them)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Use for every free-text field that reaches the store.
CleanText = Annotated[str, AfterValidator(no_nul)]
