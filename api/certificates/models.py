"""Certificate requests and the doctor's decision on them."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Literal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, string_enum, utcnow


class CertificateStatus(StrEnum):
    REQUESTED = "requested"  # waiting for a doctor's assessment
    ISSUED = "issued"
    REFUSED = "refused"
    CANCELLED = "cancelled"  # withdrawn by the patient before a decision


# What a doctor may decide on a request.
CertificateDecision = Literal["issue", "refuse"]


class CertificateRequest(Base):
    """A request for a certificate; never a promise: a doctor decides after assessment."""

    __tablename__ = "certificate_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Who the certificate is for, and who asked (a guardian asks for a child).
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE")
    )
    # A key of the policy's `certificates:` section.
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[CertificateStatus] = mapped_column(
        string_enum(CertificateStatus, "certificate_status")
    )
    education: Mapped[str | None] = mapped_column(String(30))
    days: Mapped[int | None] = mapped_column(Integer)
    # Travel cancellation only: the day the trip was to start.
    travel_date: Mapped[dt.date | None] = mapped_column(Date)
    # The patient's own short description of why.
    note: Mapped[str | None] = mapped_column(String(500))
    # Set when issued: from the Oslo day of contact (the request), for the days granted.
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    # The doctor who decided.
    clinician_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("clinicians.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When it stopped being `requested`: the doctor's decision or the patient's cancellation.
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        # One open request per patient and kind, whatever races the application loses.
        Index(
            "uq_certificate_requests_one_open",
            "patient_id",
            "kind",
            unique=True,
            sqlite_where=text("status = 'requested'"),
            postgresql_where=text("status = 'requested'"),
        ),
        # The doctors' work list: open requests, oldest first.
        Index(
            "ix_certificate_requests_pending",
            "created_at",
            sqlite_where=text("status = 'requested'"),
            postgresql_where=text("status = 'requested'"),
        ),
        CheckConstraint("days IS NULL OR days BETWEEN 1 AND 31", name="days_in_range"),
        CheckConstraint(
            "valid_to IS NULL OR (valid_from IS NOT NULL AND valid_to >= valid_from)",
            name="valid_period",
        ),
        CheckConstraint(
            "(status = 'requested' AND decided_at IS NULL) "
            "OR (status <> 'requested' AND decided_at IS NOT NULL)",
            name="decided_when_closed",
        ),
        CheckConstraint("status <> 'issued' OR valid_from IS NOT NULL", name="issued_has_start"),
        CheckConstraint(
            "status <> 'refused' OR decision_reason IS NOT NULL", name="refused_has_reason"
        ),
    )
