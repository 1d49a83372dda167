"""Receipts."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.core.deps import CurrentPatient, DbSession, Now, PolicyDep
from api.payments import service
from api.payments.schemas import Receipt

router = APIRouter(prefix="/api/v1", tags=["payments"])


@router.get("/orders/{order_id}")
async def get_receipt(
    order_id: uuid.UUID, patient: CurrentPatient, session: DbSession, policy: PolicyDep, now: Now
) -> Receipt:
    """The order confirmation: it is the receipt (number, items, VAT-free, amounts)."""
    order = await service.get_receipt(
        session=session, actor=patient, order_id=order_id, now=now, policy=policy
    )
    return Receipt.of(order)
