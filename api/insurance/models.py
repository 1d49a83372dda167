"""Insurance coverage rows. Which insurer covers what is policy, not data."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, utcnow


class InsuranceCoverage(Base):
    __tablename__ = "insurance_coverages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    # Insurer code as named in the clinic policy file (e.g. "if", "vertikal").
    insurer: Mapped[str] = mapped_column(String(40))
    policy_number: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("insurer", "policy_number", "patient_id"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
    )

    def covers_day(self, day: dt.date) -> bool:
        """True if the coverage is in force on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
