"""Identity providers: who vouches for a person's national identity number.

Production uses an OIDC provider (BankID); development uses a stand-in that believes
whatever valid number it is given. Both return the same verified identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from api.identity.national_id import NationalId, parse_national_id


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    national_id: NationalId
    given_name: str | None = None
    family_name: str | None = None


class IdentityProvider(Protocol):
    name: str

    async def verify(self, assertion: Mapping[str, str | None]) -> VerifiedIdentity:
        """Check the provider's assertion and return who it vouches for."""
        ...


class DevelopmentIdentityProvider:
    """Development stand-in for BankID: trusts the number it is given once it is valid."""

    name = "development"

    async def verify(self, assertion: Mapping[str, str | None]) -> VerifiedIdentity:
        # parse_national_id raises InvalidNationalId with a clear reason.
        national_id = parse_national_id(assertion.get("national_id") or "")
        return VerifiedIdentity(
            national_id=national_id,
            given_name=assertion.get("given_name"),
            family_name=assertion.get("family_name"),
        )
