"""Receipt bodies."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel

from api.payments.models import LedgerKind, Order

VAT_NOTE = "Health service exempt from VAT (merverdiavgiftsloven § 3-2)."


class LedgerLine(BaseModel):
    kind: LedgerKind
    amount_ore: int
    reason: str
    created_at: dt.datetime


class Receipt(BaseModel):
    """The order confirmation, which is the receipt."""

    id: uuid.UUID
    number: str
    created_at: dt.datetime
    description: str
    list_price_ore: int
    insurance_cover_ore: int
    total_ore: int
    vat_ore: int
    vat_note: str
    refunded_ore: int
    lines: list[LedgerLine]

    @classmethod
    def of(cls, order: Order) -> Receipt:
        refunded = sum(e.amount_ore for e in order.entries if e.kind is LedgerKind.REFUND)
        return cls(
            id=order.id,
            number=order.number,
            created_at=order.created_at,
            description=order.description,
            list_price_ore=order.list_price_ore,
            insurance_cover_ore=order.insurance_cover_ore,
            total_ore=order.total_ore,
            vat_ore=0,
            vat_note=VAT_NOTE,
            refunded_ore=refunded,
            lines=[
                LedgerLine(
                    kind=e.kind, amount_ore=e.amount_ore, reason=e.reason, created_at=e.created_at
                )
                for e in order.entries
            ],
        )
