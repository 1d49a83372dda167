"""Journal notes: the clinician's short note on a consult (the consult itself is never
recorded)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, utcnow

MAX_NOTE_CHARS = 4000


class JournalNote(Base):
    __tablename__ = "journal_notes"

    # One note per consult, edited until the clinician is done with it.
    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), primary_key=True
    )
    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clinicians.id", ondelete="RESTRICT"), index=True
    )
    text: Mapped[str] = mapped_column(String(MAX_NOTE_CHARS))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
