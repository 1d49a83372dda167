"""Who may act for whom: a patient for themself, a guardian for a child."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.core.errors import NotFound
from api.patients.models import Guardianship, Patient
from api.policy.rules import ClinicPolicy


async def get_actable(
    *,
    session: AsyncSession,
    actor: Patient,
    patient_id: uuid.UUID | None,
    today: dt.date,
    policy: ClinicPolicy,
) -> Patient:
    """The patient ``actor`` acts for: themself, or a child they are guardian of.

    Anyone else answers 404, so that ids of other patients reveal nothing.
    """
    if patient_id is None or patient_id == actor.id:
        return actor
    child = await session.scalar(
        select(Patient)
        .join(Guardianship, Guardianship.child_id == Patient.id)
        .where(Guardianship.guardian_id == actor.id, Patient.id == patient_id)
    )
    if child is None or not policy.guardian_may_act(child_birth_date=child.birth_date, on=today):
        raise NotFound("No such patient.")
    return child


async def actable_ids(
    *, session: AsyncSession, actor: Patient, today: dt.date, policy: ClinicPolicy
) -> list[uuid.UUID]:
    """The actor and the children they may act for today."""
    children = await session.scalars(
        select(Patient)
        .join(Guardianship, Guardianship.child_id == Patient.id)
        .where(Guardianship.guardian_id == actor.id)
    )
    return [actor.id] + [
        c.id for c in children if policy.guardian_may_act(child_birth_date=c.birth_date, on=today)
    ]
