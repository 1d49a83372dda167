"""Symptom checks: the answers and the triage, a handoff for the treating clinician only."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, string_enum, utcnow


class TriageLevel(StrEnum):
    """How soon the patient needs help, mildest first."""

    SELF_CARE = "self_care"
    VIDEO_CONSULT = "video_consult"
    URGENT = "urgent"  # legevakt today
    EMERGENCY = "emergency"  # call 113 now

    @property
    def rank(self) -> int:
        return list(TriageLevel).index(self)


class SymptomCheck(Base):
    """One completed symptom check of a logged-in patient (anonymous ones are not kept)."""

    __tablename__ = "symptom_checks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Who answered: the patient, or the guardian answering for a child.
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    # The child the check is about, when a guardian answered for a child they may act for.
    subject_patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    # The consult it was attached to, once; only that consult's clinician may read it.
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The validated answers, as sent (health data: never logged).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    level: Mapped[TriageLevel] = mapped_column(string_enum(TriageLevel, "triage_level"))
    # Reason codes (api.triage.rules.Reason), most serious first.
    reasons: Mapped[list[str]] = mapped_column(JSON)
    red_flags: Mapped[list[str]] = mapped_column(JSON)

    __table_args__ = (
        CheckConstraint(
            "subject_patient_id IS NULL OR subject_patient_id <> patient_id",
            name="subject_is_someone_else",
        ),
    )

    @property
    def subject_id(self) -> uuid.UUID:
        """The patient the check is about."""
        return self.subject_patient_id or self.patient_id
