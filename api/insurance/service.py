"""Whether a patient is insured for a consult: their own policy or a parent's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.insurance.models import InsuranceCoverage
from api.patients.models import Guardianship, Patient
from api.policy.rules import ClinicPolicy


async def is_insured(
    *, session: AsyncSession, patient: Patient, on: dt.date, policy: ClinicPolicy
) -> bool:
    """True if the patient's own coverage, or (for a child) a guardian's, is in force."""
    insurers = list(policy.insurance.insurers)
    in_force = (
        InsuranceCoverage.valid_from <= on,
        or_(InsuranceCoverage.valid_to.is_(None), InsuranceCoverage.valid_to >= on),
        InsuranceCoverage.insurer.in_(insurers),
    )
    own = await session.scalar(
        select(InsuranceCoverage.id).where(InsuranceCoverage.patient_id == patient.id, *in_force)
    )
    if own is not None:
        return True
    if not policy.covers_child(child_birth_date=patient.birth_date, on=on):
        return False
    parents = await session.scalar(
        select(InsuranceCoverage.id)
        .join(Guardianship, Guardianship.guardian_id == InsuranceCoverage.patient_id)
        .where(Guardianship.child_id == patient.id, *in_force)
    )
    return parents is not None
