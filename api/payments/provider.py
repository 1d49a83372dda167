"""The payment provider behind an interface; a development provider that settles at once."""

from __future__ import annotations

import hashlib
from typing import Protocol


class PaymentDeclined(Exception):
    """The provider refused the payment."""


class PaymentProvider(Protocol):
    name: str

    async def charge(self, *, amount_ore: int, idempotency_key: str, description: str) -> str:
        """Take the money; returns the provider's reference. Same key, same charge."""
        ...

    async def refund(self, *, charge_reference: str, amount_ore: int, idempotency_key: str) -> str:
        """Return money from an earlier charge; returns the provider's reference."""
        ...


class DevelopmentPaymentProvider:
    """Accepts every payment; references derive from the key, as a real provider's would
    repeat for a retried request."""

    name = "development"

    @staticmethod
    def _reference(prefix: str, key: str) -> str:
        return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:20]}"

    async def charge(self, *, amount_ore: int, idempotency_key: str, description: str) -> str:
        if amount_ore <= 0:
            raise PaymentDeclined("nothing to charge")
        return self._reference("dev_ch", idempotency_key)

    async def refund(self, *, charge_reference: str, amount_ore: int, idempotency_key: str) -> str:
        if amount_ore <= 0:
            raise PaymentDeclined("nothing to refund")
        return self._reference("dev_re", idempotency_key)
