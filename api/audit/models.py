"""Audit rows: who read (or was refused) whose medical data, what for, and when."""

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


class ActorRole(StrEnum):
    """Who read: a logged-in person's role, or the assistant."""

    PATIENT = "patient"
    CLINICIAN = "clinician"
    SUPPORT = "support"
    # The action server, reading in a patient's conversation on that patient's behalf.
    ASSISTANT = "assistant"


class Purpose(StrEnum):
    """Why the data was read."""

    TREATMENT = "treating_clinician"
    OWN_ACCESS = "own_access"
    # A parent reading what is kept about a child they may act for.
    GUARDIAN = "guardian"
    ASSISTANT = "assistant_on_behalf"
    RENEWAL_REVIEW = "renewal_review"
    CERTIFICATE_REVIEW = "certificate_review"
    # The caller's role has no business with this data: such a read is always refused.
    NONE = "none"


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # An ActorRole value.
    actor_role: Mapped[str] = mapped_column(String(20))
    # The patient's, clinician's or support agent's row id; None for the assistant, which
    # has no row of its own (the patient it acted for is `patient_id`).
    actor_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # What was done, e.g. "symptom_check.read", and to which row. A refused list read has
    # no row.
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # Whose data it is; None only for a refusal that reached no patient's row. No foreign
    # key on purpose: the log outlives the rows it speaks of and is never cascaded away.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    purpose: Mapped[Purpose] = mapped_column(string_enum(Purpose, "audit_purpose"))
    outcome: Mapped[AuditOutcome] = mapped_column(string_enum(AuditOutcome, "audit_outcome"))
