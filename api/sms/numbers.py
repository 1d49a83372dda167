"""Phone numbers: written the E.164 way, and the keyed hashes that stand for them."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from api.core.errors import DomainError
from api.core.settings import TwilioSettings

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# How people write a number: spaces, dashes, dots, brackets.
_PUNCTUATION = re.compile(r"[\s\-().]")
# A Norwegian number written without the country code: eight digits, not starting with 0 or 1.
_NORWEGIAN_LOCAL = re.compile(r"^[2-9][0-9]{7}$")


class InvalidPhoneNumber(DomainError):
    code = "invalid_phone_number"


def is_e164(value: str) -> bool:
    return bool(_E164.fullmatch(value))


def normalise(raw: str) -> str:
    """The E.164 form of a number as a patient types it; Norwegian if no country code."""
    compact = _PUNCTUATION.sub("", raw.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if _NORWEGIAN_LOCAL.fullmatch(compact):
        compact = "+47" + compact
    if not is_e164(compact):
        raise InvalidPhoneNumber(
            "Please give a mobile number, for example 912 34 567, or with the country code, "
            "for example +46 70 123 45 67."
        )
    return compact


def masked(number: str) -> str:
    """Enough of a number for its owner to recognise it, not enough to read it out."""
    return f"{number[:3]}…{number[-3:]}"


@dataclass(frozen=True)
class NumberKeys:
    """Keyed hashes: stable for a number, useless without the key (TWILIO_NUMBER_KEY)."""

    key: bytes

    @classmethod
    def of(cls, settings: TwilioSettings) -> NumberKeys:
        return cls(settings.number_key.get_secret_value().encode())

    def _digest(self, purpose: str, value: str) -> str:
        # One key, separate purposes: a conversation id cannot be matched to a stored hash.
        message = f"{purpose}:{value}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def number_hash(self, number: str) -> str:
        """What the store keeps instead of the number (opt-outs, links, messages)."""
        return self._digest("number", number)

    def conversation_id(self, number: str) -> str:
        """The assistant's conversation with a number that belongs to no verified patient."""
        return "sms-" + self._digest("conversation", number)[:32]

    def code_hash(self, verification: str, code: str) -> str:
        """A one-time code as stored: bound to its verification, so equal codes differ."""
        return self._digest(f"code:{verification}", code)
