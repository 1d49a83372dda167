"""Symptom-check request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from api.core.text import CleanText
from api.policy.rules import ClinicPolicy, RedFlag
from api.triage.advice import NEXT_STEP, NextStep, advice
from api.triage.models import SymptomCheck, TriageLevel


def _unique(flags: list[RedFlag]) -> list[RedFlag]:
    if len(set(flags)) != len(flags):
        raise ValueError("each red flag may be given once")
    return flags


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SymptomCheckIn(_Body):
    """The assistant's symptom-check form, as the patient (or their guardian) answered it."""

    chief_complaint: Annotated[CleanText, Field(min_length=1, max_length=500)]
    onset: Annotated[CleanText, Field(max_length=200)] = ""
    # How long it has lasted; None = not known (never read as "short").
    duration_days: Annotated[float, Field(ge=0, le=3650)] | None = None
    # The patient's own rating, 0 (none) to 10 (worst imaginable).
    severity: Annotated[int, Field(ge=0, le=10)]
    fever: bool
    temperature_c: Annotated[float, Field(ge=34, le=43)] | None = None
    age_years: Annotated[int, Field(ge=0, le=120)]
    # For children under 2 (or 3): infants' fever rules count months.
    age_months: Annotated[int, Field(ge=0, le=36)] | None = None
    for_child: bool = False
    # The child, when a guardian answers for a child they may act for.
    patient_id: uuid.UUID | None = None
    pregnant: bool | None = None
    medication: Annotated[CleanText, Field(max_length=500)] = ""
    allergies: Annotated[CleanText, Field(max_length=500)] = ""
    red_flags: Annotated[
        list[RedFlag],
        Field(max_length=len(RedFlag), json_schema_extra={"uniqueItems": True}),
        AfterValidator(_unique),
    ] = []

    @model_validator(mode="after")
    def _consistent(self) -> SymptomCheckIn:
        if self.age_months is not None and self.age_months // 12 != self.age_years:
            raise ValueError("age_months must agree with age_years")
        if self.patient_id is not None and not self.for_child:
            raise ValueError("patient_id is given only when answering for a child")
        return self


class AttachIn(_Body):
    appointment_id: uuid.UUID


class TriageOut(BaseModel):
    """The triage as the patient sees it: how soon, and what to do next."""

    # None when nothing was stored (anonymous callers).
    id: uuid.UUID | None
    level: TriageLevel
    reasons: list[str]
    # One plain sentence for the patient; never a diagnosis.
    advice: str
    next_step: NextStep
    stored: bool

    @classmethod
    def of(
        cls,
        *,
        check_id: uuid.UUID | None,
        level: TriageLevel,
        reasons: Sequence[str],
        policy: ClinicPolicy,
    ) -> TriageOut:
        return cls(
            id=check_id,
            level=level,
            reasons=list(reasons),
            advice=advice(level, policy=policy),
            next_step=NEXT_STEP[level],
            stored=check_id is not None,
        )


class SymptomCheckOut(TriageOut):
    """A stored check, as its patient sees it: the triage, not the answers."""

    appointment_id: uuid.UUID | None
    created_at: dt.datetime

    @classmethod
    def of_row(cls, row: SymptomCheck, *, policy: ClinicPolicy) -> SymptomCheckOut:
        triage = TriageOut.of(check_id=row.id, level=row.level, reasons=row.reasons, policy=policy)
        return cls(
            **triage.model_dump(), appointment_id=row.appointment_id, created_at=row.created_at
        )


class AnswersOut(BaseModel):
    """Stored answers, read leniently: rows outlive changes to the form."""

    model_config = ConfigDict(extra="ignore")

    chief_complaint: str = ""
    onset: str = ""
    duration_days: float | None = None
    severity: int | None = None
    fever: bool | None = None
    temperature_c: float | None = None
    age_years: int | None = None
    age_months: int | None = None
    for_child: bool = False
    pregnant: bool | None = None
    medication: str = ""
    allergies: str = ""


class ClinicianSymptomCheckOut(BaseModel):
    """The handoff for the treating clinician: the answers, the triage and its reasons."""

    id: uuid.UUID
    appointment_id: uuid.UUID | None
    # Who answered, and who it is about (the same unless a guardian answered for a child).
    answered_by_id: uuid.UUID
    patient_id: uuid.UUID
    created_at: dt.datetime
    level: TriageLevel
    reasons: list[str]
    red_flags: list[str]
    answers: AnswersOut

    @classmethod
    def of(cls, row: SymptomCheck) -> ClinicianSymptomCheckOut:
        answers: dict[str, Any] = row.answers
        return cls(
            id=row.id,
            appointment_id=row.appointment_id,
            answered_by_id=row.patient_id,
            patient_id=row.subject_id,
            created_at=row.created_at,
            level=row.level,
            reasons=list(row.reasons),
            red_flags=list(row.red_flags),
            answers=AnswersOut.model_validate(answers),
        )
