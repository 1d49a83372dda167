"""Renewal requests and the stored prescription-list extract they are checked against."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, string_enum, utcnow


class RenewalStatus(StrEnum):
    REQUESTED = "requested"  # in the doctors' queue
    APPROVED = "approved"  # prescription renewed; collect at any pharmacy
    REFUSED = "refused"  # refunded
    CONSULT_REQUESTED = "consult_requested"  # refunded; the patient books a video consult
    CANCELLED = "cancelled"  # withdrawn by the patient before a decision; refunded


class RenewalRequest(Base):
    __tablename__ = "renewal_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE")
    )
    substance: Mapped[str] = mapped_column(String(80))
    atc: Mapped[str] = mapped_column(String(7))
    # What the patient typed, for the doctor to see next to the matched medicine.
    medication_text: Mapped[str] = mapped_column(String(200))
    supply_days: Mapped[int] = mapped_column(Integer)
    consent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    status: Mapped[RenewalStatus] = mapped_column(string_enum(RenewalStatus, "renewal_status"))
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    clinician_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("clinicians.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str | None] = mapped_column(String(300))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Set once the SLA breach alert has gone out, so it goes out once.
    breach_alerted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        # One renewal request at a time per patient (several medicines: book a consult).
        Index(
            "uq_renewal_requests_one_open",
            "patient_id",
            unique=True,
            sqlite_where=text("status = 'requested'"),
            postgresql_where=text("status = 'requested'"),
        ),
        CheckConstraint("supply_days > 0", name="supply_positive"),
    )


class Dispensation(Base):
    """A pharmacy dispensing, as read from the e-prescription list (Reseptformidleren).

    The real lookup needs Norsk Helsenett access; here the extract is stored rows.
    """

    __tablename__ = "dispensations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    substance: Mapped[str] = mapped_column(String(80))
    dispensed_on: Mapped[dt.date] = mapped_column(Date)
