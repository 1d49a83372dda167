"""Audit rows: who read (or was refused) what, and when."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, string_enum, utcnow


class AuditOutcome(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # What was done, e.g. "symptom_check.read", and to which row.
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID] = mapped_column(index=True)
    outcome: Mapped[AuditOutcome] = mapped_column(string_enum(AuditOutcome, "audit_outcome"))
