"""Receipt bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from pydantic import BaseModel

from api.payments.models import LedgerKind, Order
from api.policy.rules import ClinicPolicy, Service

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
    # Refunds reach the patient's account within this many business days.
    refund_settles_within_business_days: int
    lines: list[LedgerLine]

    @classmethod
    def of(cls, order: Order, policy: ClinicPolicy) -> Receipt:
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
            refund_settles_within_business_days=policy.refunds.settlement_business_days.max,
            lines=[
                LedgerLine(
                    kind=e.kind, amount_ore=e.amount_ore, reason=e.reason, created_at=e.created_at
                )
                for e in order.entries
            ],
        )


class QuoteParam(StrEnum):
    """What can be priced before buying: the booking services and a renewal."""

    DOCTOR = "doctor"
    PSYCHOLOGIST = "psychologist"
    RENEWAL = "renewal"

    @property
    def service(self) -> Service:
        return {
            QuoteParam.DOCTOR: Service.DOCTOR_CONSULT,
            QuoteParam.PSYCHOLOGIST: Service.PSYCHOLOGIST_SESSION,
            QuoteParam.RENEWAL: Service.PRESCRIPTION_RENEWAL,
        }[self]


class Quote(BaseModel):
    """What a consult would cost this patient today, before they confirm."""

    service: str
    list_price_ore: int
    insurance_cover_ore: int
    total_ore: int
    insured: bool
