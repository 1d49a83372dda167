"""Renewal request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.core.text import CleanText
from api.prescriptions.medications import Medication
from api.prescriptions.models import RenewalStatus
from api.prescriptions.renewals import RenewalView


class RenewalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    medication: str = Field(min_length=1, max_length=200, description="As the patient writes it")
    supply_days: int = Field(default=90, ge=1, le=366)
    consent_prescription_list: bool = Field(
        description="Consent to look up the e-prescription list (required to renew)"
    )
    patient_id: uuid.UUID | None = None

    @field_validator("medication")
    @classmethod
    def _clean(cls, value: str) -> str:
        value = value.strip()
        if not value or "\x00" in value:
            raise ValueError("name the medicine")
        return value


class RenewalDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "refuse", "consult"]
    reason: CleanText | None = Field(default=None, max_length=300)


class RenewalOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    substance: str
    atc: str
    medication_text: str
    supply_days: int
    status: RenewalStatus
    due_at: dt.datetime
    queue_position: int | None
    order_id: uuid.UUID | None
    decision_reason: str | None
    decided_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def of(cls, view: RenewalView) -> RenewalOut:
        r = view.request
        return cls(
            id=r.id,
            patient_id=r.patient_id,
            substance=r.substance,
            atc=r.atc,
            medication_text=r.medication_text,
            supply_days=r.supply_days,
            status=r.status,
            due_at=r.due_at,
            queue_position=view.queue_position,
            order_id=r.order_id,
            decision_reason=r.decision_reason,
            decided_at=r.decided_at,
            created_at=r.created_at,
        )


class MedicationOut(BaseModel):
    """A medicine from the clinic's table (no patient data)."""

    substance: str
    atc: str
    names: list[str]

    @classmethod
    def of(cls, medication: Medication) -> MedicationOut:
        return cls(substance=medication.substance, atc=medication.atc, names=list(medication.names))
