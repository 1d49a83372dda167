"""Shifts, slots and appointments (statuses follow FHIR's Appointment vocabulary)."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.clinicians.models import Clinician
from api.core.db import Base, UtcDateTime, string_enum, utcnow
from api.payments.models import Order
from api.policy.rules import BookingMode, Service


class AppointmentStatus(StrEnum):
    """FHIR Appointment.status values this clinic uses."""

    WAITLIST = "waitlist"  # in the drop-in queue
    BOOKED = "booked"  # a time (or, for drop-in, a clinician) is reserved
    ARRIVED = "arrived"  # the patient is in the waiting room
    FULFILLED = "fulfilled"  # the consult took place
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered-in-error"


# Statuses that hold a slot: the database refuses a second such appointment for one slot.
SLOT_HOLDING = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.FULFILLED,
    AppointmentStatus.NOSHOW,
)
_HOLDING_SQL = ", ".join(f"'{s.value}'" for s in SLOT_HOLDING)


class Shift(Base):
    """A clinician on duty from ``starts_at`` to ``ends_at`` (UTC)."""

    __tablename__ = "shifts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clinicians.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    clinician: Mapped[Clinician] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("clinician_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )


class Slot(Base):
    """A bookable time with one clinician. Free or busy follows from its appointments."""

    __tablename__ = "slots"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clinicians.id", ondelete="CASCADE"), index=True
    )
    shift_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    service: Mapped[Service] = mapped_column(string_enum(Service, "service"))
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    clinician: Mapped[Clinician] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("clinician_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )


class Appointment(Base):
    """A consult: booked at a specific time, or a place in the drop-in queue."""

    __tablename__ = "appointments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Who the consult is for, and who booked it (a guardian books for a child).
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    booked_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    service: Mapped[Service] = mapped_column(string_enum(Service, "service"))
    mode: Mapped[BookingMode] = mapped_column(string_enum(BookingMode, "booking_mode"))
    status: Mapped[AppointmentStatus] = mapped_column(
        string_enum(AppointmentStatus, "appointment_status")
    )
    slot_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("slots.id", ondelete="RESTRICT"))
    clinician_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("clinicians.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    price_ore: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Drop-in: when the patient joined the queue; the queue is served in this order.
    queued_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # When the consult really started and ended (the clinician admitted / closed it).
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    # Set when this appointment replaced another (reschedule = cancel + book, atomically).
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL")
    )

    slot: Mapped[Slot | None] = relationship(lazy="raise")
    clinician: Mapped[Clinician | None] = relationship(lazy="raise")
    # The order (receipt) that paid for it; written by the payments domain.
    order: Mapped[Order | None] = relationship(
        primaryjoin="Appointment.id == foreign(Order.appointment_id)",
        viewonly=True,
        uselist=False,
        lazy="raise",
    )

    __table_args__ = (
        # The double-booking guard lives in the database: one slot-holding appointment per
        # slot, whatever races the application loses.
        Index(
            "uq_appointments_active_slot",
            "slot_id",
            unique=True,
            sqlite_where=text(f"slot_id IS NOT NULL AND status IN ({_HOLDING_SQL})"),
            postgresql_where=text(f"slot_id IS NOT NULL AND status IN ({_HOLDING_SQL})"),
        ),
        # One place in the drop-in queue per patient.
        Index(
            "uq_appointments_one_queue_place",
            "patient_id",
            unique=True,
            sqlite_where=text("status = 'waitlist'"),
            postgresql_where=text("status = 'waitlist'"),
        ),
        CheckConstraint(
            "mode = 'drop_in' OR (slot_id IS NOT NULL AND starts_at IS NOT NULL)",
            name="scheduled_has_slot",
        ),
        CheckConstraint("price_ore >= 0", name="price_not_negative"),
    )
