"""Every notification, recorded before it is sent; (kind, subject) is sent once."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, utcnow


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # None for messages to staff (e.g. a renewal past its due time).
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(String(20))  # patient | clinicians | support
    kind: Mapped[str] = mapped_column(String(40))
    # The appointment, renewal... the message is about.
    subject_id: Mapped[uuid.UUID] = mapped_column()
    body: Mapped[str | None] = mapped_column(String(1000))
    channel: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "subject_id"),)
