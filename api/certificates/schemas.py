"""Certificate request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from api.certificates.models import CertificateDecision, CertificateRequest, CertificateStatus
from api.core.text import no_nul


def _blank_is_none(value: str | None) -> str | None:
    # Whitespace is stripped first, so a blank answer means "nothing to say".
    return value or None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CertificateRequestIn(_Body):
    # A kind from the clinic's policy (school_absence, travel_cancellation, ...); others are
    # answered with the reason and where to go instead.
    kind: Annotated[str, Field(max_length=40), AfterValidator(no_nul)]
    # Ask for a child the caller is guardian of; omitted = for the caller.
    patient_id: uuid.UUID | None = None
    education: Literal["upper_secondary", "college", "university", "primary", "other"] | None = None
    days: Annotated[int, Field(ge=1, le=31)] | None = None
    chronic: bool = False
    # What the absence is for when it is a special situation (gym_exemption, exam_illness).
    reason: Annotated[
        str | None, Field(max_length=40), AfterValidator(no_nul), AfterValidator(_blank_is_none)
    ] = None
    travel_date: dt.date | None = None
    note: Annotated[
        str | None, Field(max_length=500), AfterValidator(no_nul), AfterValidator(_blank_is_none)
    ] = None


class CertificateDecisionIn(_Body):
    decision: CertificateDecision
    # Required to refuse; an optional remark when issuing.
    reason: Annotated[
        str | None, Field(max_length=300), AfterValidator(no_nul), AfterValidator(_blank_is_none)
    ] = None
    # Days granted when issuing; omitted = the days asked for.
    days: Annotated[int, Field(ge=1, le=31)] | None = None

    @model_validator(mode="after")
    def _days_only_when_issuing(self) -> CertificateDecisionIn:
        if self.decision != "issue" and self.days is not None:
            raise ValueError("days are given only when issuing")
        return self


class CertificateOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    requested_by_id: uuid.UUID
    kind: str
    status: CertificateStatus
    education: str | None
    days: int | None
    travel_date: dt.date | None
    note: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    clinician_id: uuid.UUID | None
    decision_reason: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @classmethod
    def of(cls, row: CertificateRequest) -> CertificateOut:
        return cls(
            id=row.id,
            patient_id=row.patient_id,
            requested_by_id=row.requested_by_id,
            kind=row.kind,
            status=row.status,
            education=row.education,
            days=row.days,
            travel_date=row.travel_date,
            note=row.note,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            clinician_id=row.clinician_id,
            decision_reason=row.decision_reason,
            created_at=row.created_at,
            decided_at=row.decided_at,
        )
