"""Scheduling request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from api.clinicians.models import Clinician
from api.payments.models import LedgerEntry
from api.policy.rules import BookingMode, ClinicPolicy, Service
from api.scheduling.models import Appointment, AppointmentStatus, Slot


class ServiceParam(StrEnum):
    """The contract's `service=doctor|psychologist` query values."""

    DOCTOR = "doctor"
    PSYCHOLOGIST = "psychologist"

    @property
    def service(self) -> Service:
        return {
            ServiceParam.DOCTOR: Service.DOCTOR_CONSULT,
            ServiceParam.PSYCHOLOGIST: Service.PSYCHOLOGIST_SESSION,
        }[self]


class ClinicianOut(BaseModel):
    id: uuid.UUID
    name: str
    kind: str

    @classmethod
    def of(cls, clinician: Clinician) -> ClinicianOut:
        return cls(
            id=clinician.id,
            name=f"{clinician.given_name} {clinician.family_name}".strip(),
            kind=clinician.kind.value,
        )


class SlotOut(BaseModel):
    id: uuid.UUID
    service: Service
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_start: str  # "HH:MM" in Europe/Oslo, for buttons and SMS
    clinician: ClinicianOut
    price_ore: int

    @classmethod
    def of(cls, slot: Slot, policy: ClinicPolicy) -> SlotOut:
        return cls(
            id=slot.id,
            service=slot.service,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            local_start=policy.local(slot.starts_at).strftime("%H:%M"),
            clinician=ClinicianOut.of(slot.clinician),
            price_ore=policy.rules_for(slot.service).price_ore,
        )


class BookingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slot_id: uuid.UUID
    # Book for a child the caller is guardian of; omitted = for the caller.
    patient_id: uuid.UUID | None = None


class RescheduleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slot_id: uuid.UUID


class QueueJoinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_id: uuid.UUID | None = None


class OrderSummary(BaseModel):
    id: uuid.UUID
    number: str
    total_ore: int


class AppointmentOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    service: Service
    mode: BookingMode
    status: AppointmentStatus
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    # When the clinician opened the consult: the patient can then join the video room.
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    clinician: ClinicianOut | None
    price_ore: int
    # Until when it can be changed or cancelled with a refund (None: any time before start).
    change_deadline: dt.datetime | None
    created_at: dt.datetime
    replaces_id: uuid.UUID | None
    # The order that paid for it; its confirmation is the receipt (GET /api/v1/orders/{id}).
    order: OrderSummary | None

    @classmethod
    def of(cls, appointment: Appointment, policy: ClinicPolicy) -> AppointmentOut:
        deadline = None
        if appointment.mode is BookingMode.SCHEDULED and appointment.starts_at is not None:
            deadline = policy.change_deadline(appointment.service, appointment.starts_at)
        clinician = appointment.clinician if appointment.clinician_id else None
        return cls(
            id=appointment.id,
            patient_id=appointment.patient_id,
            service=appointment.service,
            mode=appointment.mode,
            status=appointment.status,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            started_at=appointment.started_at,
            ended_at=appointment.ended_at,
            clinician=ClinicianOut.of(clinician) if clinician else None,
            price_ore=appointment.price_ore,
            change_deadline=deadline,
            created_at=appointment.created_at,
            replaces_id=appointment.replaces_id,
            order=(
                OrderSummary(
                    id=appointment.order.id,
                    number=appointment.order.number,
                    total_ore=appointment.order.total_ore,
                )
                if appointment.order
                else None
            ),
        )


class QueuePlaceOut(BaseModel):
    appointment_id: uuid.UUID
    position: int
    clinicians_on_duty: int
    # None when no doctor is on duty right now.
    estimated_wait_minutes: int | None


class NextPatientOut(BaseModel):
    appointment: AppointmentOut | None


class RefundRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["doctor_late", "technical_failure"]


class RefundOut(BaseModel):
    order_id: uuid.UUID
    amount_ore: int
    reason: str
    # Refunds reach the account within this many business days.
    settles_within_business_days: int

    @classmethod
    def of(cls, entry: LedgerEntry, policy: ClinicPolicy) -> RefundOut:
        return cls(
            order_id=entry.order_id,
            amount_ore=entry.amount_ore,
            reason=entry.reason,
            settles_within_business_days=policy.refunds.settlement_business_days.max,
        )
