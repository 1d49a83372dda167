"""Patient rows and guardian links."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.core.db import Base, UtcDateTime, utcnow


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Fødselsnummer or D-number, validated before it is stored; never logged.
    national_id: Mapped[str] = mapped_column(String(11), unique=True)
    birth_date: Mapped[dt.date] = mapped_column(Date)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    children: Mapped[list[Guardianship]] = relationship(
        foreign_keys="Guardianship.guardian_id", back_populates="guardian", lazy="raise"
    )

    __table_args__ = (CheckConstraint("length(national_id) = 11", name="national_id_length"),)


class Guardianship(Base):
    """A parent (or other guardian) who may act for a child patient."""

    __tablename__ = "guardianships"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    guardian_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    child_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    guardian: Mapped[Patient] = relationship(
        foreign_keys=[guardian_id], back_populates="children", lazy="raise"
    )
    child: Mapped[Patient] = relationship(foreign_keys=[child_id], lazy="raise")

    __table_args__ = (
        UniqueConstraint("guardian_id", "child_id"),
        CheckConstraint("guardian_id <> child_id", name="not_own_guardian"),
    )
