"""Orders (the receipts) and the append-only ledger."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.core.db import Base, UtcDateTime, string_enum, utcnow


class LedgerKind(StrEnum):
    CHARGE = "charge"
    REFUND = "refund"
    INSURANCE_COVER = "insurance_cover"


class Order(Base):
    """What a patient bought; its confirmation is the receipt."""

    __tablename__ = "orders"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    payer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="RESTRICT"), unique=True
    )
    description: Mapped[str] = mapped_column(String(200))
    list_price_ore: Mapped[int] = mapped_column(Integer)
    insurance_cover_ore: Mapped[int] = mapped_column(Integer)
    total_ore: Mapped[int] = mapped_column(Integer)
    # The client's Idempotency-Key: a retried request finds this order instead of paying again.
    idempotency_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    entries: Mapped[list[LedgerEntry]] = relationship(
        back_populates="order", lazy="raise", order_by="LedgerEntry.created_at"
    )

    __table_args__ = (
        UniqueConstraint("payer_id", "idempotency_key"),
        CheckConstraint(
            "total_ore >= 0 AND insurance_cover_ore >= 0 "
            "AND total_ore + insurance_cover_ore = list_price_ore",
            name="amounts_add_up",
        ),
    )


class LedgerEntry(Base):
    """One movement of money. Rows are never updated or deleted (the database refuses)."""

    __tablename__ = "ledger_entries"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[LedgerKind] = mapped_column(string_enum(LedgerKind, "ledger_kind", length=20))
    amount_ore: Mapped[int] = mapped_column(Integer)
    # Unique: the same charge or refund can never be written twice.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    reason: Mapped[str] = mapped_column(String(60))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="entries", lazy="raise")

    __table_args__ = (CheckConstraint("amount_ore > 0", name="amount_positive"),)


class RefundSettlement(Base):
    """The provider confirmed a refund entry (settled by the scheduled job)."""

    __tablename__ = "refund_settlements"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    ledger_entry_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="RESTRICT"), unique=True
    )
    provider_reference: Mapped[str] = mapped_column(String(100))
    settled_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
