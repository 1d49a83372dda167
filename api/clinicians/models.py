"""Clinician rows."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, string_enum, utcnow


class ClinicianKind(StrEnum):
    DOCTOR = "doctor"
    PSYCHOLOGIST = "psychologist"


class Clinician(Base):
    __tablename__ = "clinicians"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    national_id: Mapped[str] = mapped_column(String(11), unique=True)
    # Helsepersonellnummer: the authorisation register's id for licensed personnel.
    hpr_number: Mapped[str] = mapped_column(String(9), unique=True)
    kind: Mapped[ClinicianKind] = mapped_column(
        string_enum(ClinicianKind, "clinician_kind", length=20)
    )
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
