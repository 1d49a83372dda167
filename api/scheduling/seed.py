"""Development seed: a few clinicians and a week of shifts, so `make run` has times to book.

Idempotent: fixed identities, and days that already have shifts are left alone.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.clinicians.models import Clinician, ClinicianKind
from api.identity.national_id import make_national_id
from api.policy.rules import ClinicPolicy
from api.scheduling.models import Shift
from api.scheduling.schedules import add_shift
from api.support.models import SupportAgent

# (given name, family name, kind, HPR number, birth date, Oslo shift hours)
CLINICIANS = (
    ("Ingrid", "Berg", ClinicianKind.DOCTOR, "900000011", dt.date(1975, 3, 12), (7, 15)),
    ("Jonas", "Haugen", ClinicianKind.DOCTOR, "900000029", dt.date(1982, 8, 2), (14, 22)),
    ("Sara", "Lie", ClinicianKind.DOCTOR, "900000037", dt.date(1988, 11, 23), (10, 18)),
    ("Maja", "Dahl", ClinicianKind.PSYCHOLOGIST, "900000045", dt.date(1979, 5, 30), (8, 16)),
    ("Emil", "Strand", ClinicianKind.PSYCHOLOGIST, "900000053", dt.date(1985, 1, 17), (12, 20)),
)
SUPPORT = ("Nora", "Svendsen", dt.date(1990, 9, 9))
DAYS = 7


def _number(birth_date: dt.date) -> str:
    for individual in range(100, 500):
        number = make_national_id(birth_date, individual)
        if number:
            return number
    raise RuntimeError("no valid number for the seed")


async def seed_development(*, session: AsyncSession, today: dt.date, policy: ClinicPolicy) -> int:
    """Create the development clinicians and their shifts from today on; returns new shifts."""
    created = 0
    for given, family, kind, hpr, born, (start, end) in CLINICIANS:
        clinician = await session.scalar(select(Clinician).where(Clinician.hpr_number == hpr))
        if clinician is None:
            clinician = Clinician(
                national_id=_number(born),
                hpr_number=hpr,
                kind=kind,
                given_name=given,
                family_name=family,
            )
            session.add(clinician)
            await session.flush()
        for offset in range(DAYS):
            day = today + dt.timedelta(days=offset)
            starts = dt.datetime.combine(day, dt.time(start), tzinfo=policy.tz).astimezone(dt.UTC)
            ends = dt.datetime.combine(day, dt.time(end), tzinfo=policy.tz).astimezone(dt.UTC)
            exists = await session.scalar(
                select(Shift.id).where(
                    Shift.clinician_id == clinician.id, Shift.starts_at == starts
                )
            )
            if exists is None:
                await add_shift(
                    session=session,
                    clinician=clinician,
                    starts_at=starts,
                    ends_at=ends,
                    policy=policy,
                )
                created += 1
    given, family, born = SUPPORT
    number = _number(born)
    if await session.scalar(select(SupportAgent).where(SupportAgent.national_id == number)) is None:
        session.add(SupportAgent(national_id=number, given_name=given, family_name=family))
    return created
