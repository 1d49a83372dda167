"""Receipts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.core.deps import CurrentPatient, DbSession, Now, PolicyDep
from api.payments import service
from api.payments.schemas import Quote, QuoteParam, Receipt
from api.payments.service import quote as service_quote

router = APIRouter(prefix="/api/v1", tags=["payments"])


@router.get("/orders/{order_id}")
async def get_receipt(
    order_id: uuid.UUID, patient: CurrentPatient, session: DbSession, policy: PolicyDep, now: Now
) -> Receipt:
    """The order confirmation: it is the receipt (number, items, VAT-free, amounts)."""
    order = await service.get_receipt(
        session=session, actor=patient, order_id=order_id, now=now, policy=policy
    )
    return Receipt.of(order, policy)


@router.get("/quotes")
async def get_quote(
    service: QuoteParam,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
    patient_id: Annotated[uuid.UUID | None, Query(description="A child you act for")] = None,
) -> Quote:
    """The price of a consult or a renewal for this patient today, insurance included."""
    list_price, total, insured = await service_quote(
        session=session,
        actor=patient,
        service=service.service,
        patient_id=patient_id,
        now=now,
        policy=policy,
    )
    return Quote(
        service=service.value,
        list_price_ore=list_price,
        insurance_cover_ore=list_price - total,
        total_ore=total,
        insured=insured,
    )
