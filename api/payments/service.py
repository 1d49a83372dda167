"""Charging, refunding and receipts. Every ledger write carries a unique idempotency key."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.core.errors import DomainError, NotFound
from api.insurance.service import is_insured
from api.patients.models import Patient
from api.patients.service import actable_ids, get_actable
from api.payments.models import LedgerEntry, LedgerKind, Order, RefundSettlement
from api.payments.provider import PaymentProvider
from api.policy.rules import ClinicPolicy, Service


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was already used for another purchase.")


def _order_number(now: dt.datetime) -> str:
    # Readable on the phone to support, unguessable enough not to enumerate.
    return f"{now:%Y%m%d}-{secrets.token_hex(4).upper()}"


async def find_order(
    *, session: AsyncSession, payer_id: uuid.UUID, idempotency_key: str
) -> Order | None:
    """The order an earlier request with the same key created, if any."""
    return await session.scalar(
        select(Order).where(Order.payer_id == payer_id, Order.idempotency_key == idempotency_key)
    )


async def charge(
    *,
    session: AsyncSession,
    provider: PaymentProvider,
    payer_id: uuid.UUID,
    patient_id: uuid.UUID,
    appointment_id: uuid.UUID | None,
    description: str,
    list_price_ore: int,
    total_ore: int,
    idempotency_key: str,
    now: dt.datetime,
) -> Order:
    """Write the order and its ledger lines; the provider is asked only for a real amount.

    Callers replay a retried purchase before calling this; a key seen here again belongs to
    another purchase and is refused.
    """
    if await find_order(session=session, payer_id=payer_id, idempotency_key=idempotency_key):
        raise IdempotencyKeyReused()
    order = Order(
        number=_order_number(now),
        payer_id=payer_id,
        patient_id=patient_id,
        appointment_id=appointment_id,
        description=description,
        list_price_ore=list_price_ore,
        insurance_cover_ore=list_price_ore - total_ore,
        total_ore=total_ore,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(order)
    except IntegrityError:
        raise IdempotencyKeyReused() from None
    if order.insurance_cover_ore > 0:
        session.add(
            LedgerEntry(
                order_id=order.id,
                kind=LedgerKind.INSURANCE_COVER,
                amount_ore=order.insurance_cover_ore,
                idempotency_key=f"cover:{order.id}",
                reason="insurance",
                created_at=now,
            )
        )
    if total_ore > 0:
        reference = await provider.charge(
            amount_ore=total_ore, idempotency_key=f"charge:{order.id}", description=description
        )
        session.add(
            LedgerEntry(
                order_id=order.id,
                kind=LedgerKind.CHARGE,
                amount_ore=total_ore,
                idempotency_key=f"charge:{order.id}",
                reason="payment",
                provider_reference=reference,
                created_at=now,
            )
        )
    await session.flush()
    return order


async def _sum(session: AsyncSession, order_id: uuid.UUID, kind: LedgerKind) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_ore), 0)).where(
            LedgerEntry.order_id == order_id, LedgerEntry.kind == kind
        )
    )
    return int(total or 0)


async def refundable_ore(*, session: AsyncSession, order_id: uuid.UUID) -> int:
    """What was paid and not yet refunded."""
    charged = await _sum(session, order_id, LedgerKind.CHARGE)
    refunded = await _sum(session, order_id, LedgerKind.REFUND)
    return charged - refunded


async def refund(
    *,
    session: AsyncSession,
    order_id: uuid.UUID,
    reason: str,
    idempotency_key: str,
    now: dt.datetime,
) -> LedgerEntry | None:
    """Record a refund of what remains paid; settled with the provider by a job.

    The same key never refunds twice: a second call finds the first entry.
    """
    existing = await session.scalar(
        select(LedgerEntry).where(LedgerEntry.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return existing
    amount = await refundable_ore(session=session, order_id=order_id)
    if amount <= 0:
        return None
    entry = LedgerEntry(
        order_id=order_id,
        kind=LedgerKind.REFUND,
        amount_ore=amount,
        idempotency_key=idempotency_key,
        reason=reason,
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    return entry


async def order_for_appointment(
    *, session: AsyncSession, appointment_id: uuid.UUID
) -> Order | None:
    return await session.scalar(select(Order).where(Order.appointment_id == appointment_id))


async def get_receipt(
    *,
    session: AsyncSession,
    actor: Patient,
    order_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> Order:
    """An order with its ledger lines, if the caller (or their child) paid or was treated."""
    visible_to = await actable_ids(
        session=session, actor=actor, today=policy.local(now).date(), policy=policy
    )
    order = await session.scalar(
        select(Order)
        .options(selectinload(Order.entries))
        .where(Order.id == order_id)
        .where((Order.payer_id.in_(visible_to)) | (Order.patient_id.in_(visible_to)))
    )
    if order is None:
        raise NotFound("No such order.")
    return order


async def settle_refunds(
    *, session: AsyncSession, provider: PaymentProvider, now: dt.datetime, limit: int = 100
) -> int:
    """Ask the provider to pay out recorded refunds; each is settled once."""
    rows = await session.execute(
        select(LedgerEntry, Order)
        .join(Order, Order.id == LedgerEntry.order_id)
        .outerjoin(RefundSettlement, RefundSettlement.ledger_entry_id == LedgerEntry.id)
        .where(LedgerEntry.kind == LedgerKind.REFUND, RefundSettlement.id.is_(None))
        .order_by(LedgerEntry.created_at)
        .limit(limit)
    )
    settled = 0
    for entry, order in rows.all():
        charge_reference = await session.scalar(
            select(LedgerEntry.provider_reference).where(
                LedgerEntry.order_id == order.id, LedgerEntry.kind == LedgerKind.CHARGE
            )
        )
        reference = await provider.refund(
            charge_reference=charge_reference or "",
            amount_ore=entry.amount_ore,
            idempotency_key=entry.idempotency_key,
        )
        session.add(
            RefundSettlement(ledger_entry_id=entry.id, provider_reference=reference, settled_at=now)
        )
        settled += 1
    await session.flush()
    return settled


async def quote(
    *,
    session: AsyncSession,
    actor: Patient,
    service: Service,
    patient_id: uuid.UUID | None,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> tuple[int, int, bool]:
    """(list price, price to pay, insured) for a consult, as booking would charge it."""
    today = policy.local(now).date()
    patient = await get_actable(
        session=session, actor=actor, patient_id=patient_id, today=today, policy=policy
    )
    insured = await is_insured(session=session, patient=patient, on=today, policy=policy)
    return (
        policy.price_ore(service, insured=False),
        policy.price_ore(service, insured=insured),
        insured,
    )
