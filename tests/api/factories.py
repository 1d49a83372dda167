"""Factories that build real rows with valid, unique national identity numbers."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from api.clinicians.models import Clinician, ClinicianKind
from api.identity.national_id import make_national_id
from api.insurance.models import InsuranceCoverage
from api.patients.models import Guardianship, Patient
from api.policy.rules import get_policy
from api.prescriptions.models import Dispensation
from api.scheduling.models import Shift
from api.scheduling.schedules import add_shift
from api.support.models import SupportAgent

_rng = random.Random()
_hpr = itertools.count(_rng.randrange(100_000, 900_000) * 10)


def national_id(*, birth_date: dt.date | None = None, d_number: bool = False) -> str:
    """A valid number, random enough that test runs sharing a database do not collide."""
    while True:
        born = birth_date or dt.date(1950, 1, 1) + dt.timedelta(days=_rng.randrange(0, 18_000))
        # Individual numbers 000-499 belong to 1900-1999 births; 500-999 to 2000-2039.
        individual = _rng.randrange(0, 500) if born.year < 2000 else _rng.randrange(500, 1000)
        number = make_national_id(born, individual, d_number=d_number)
        if number:
            return number


async def patient(
    session: AsyncSession, *, given_name: str = "Kari", birth_date: dt.date | None = None
) -> Patient:
    number = national_id(birth_date=birth_date)
    row = Patient(
        national_id=number,
        birth_date=birth_date or _birth_date_of(number),
        given_name=given_name,
        family_name="Nordmann",
    )
    session.add(row)
    await session.flush()
    return row


async def clinician(
    session: AsyncSession, *, kind: ClinicianKind = ClinicianKind.DOCTOR
) -> Clinician:
    row = Clinician(
        national_id=national_id(),
        hpr_number=str(next(_hpr))[:9],
        kind=kind,
        given_name="Lege",
        family_name="Legesen",
    )
    session.add(row)
    await session.flush()
    return row


async def support_agent(session: AsyncSession) -> SupportAgent:
    row = SupportAgent(national_id=national_id(), given_name="Sara", family_name="Support")
    session.add(row)
    await session.flush()
    return row


def _birth_date_of(number: str) -> dt.date:
    from api.identity.national_id import parse_national_id

    return parse_national_id(number).birth_date


def oslo(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An Oslo wall-clock time as an aware UTC instant."""
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Europe/Oslo"))
    return local.astimezone(dt.UTC)


async def shift(
    session: AsyncSession,
    clinician: Clinician,
    day: dt.date,
    start_hour: int,
    end_hour: int,
) -> Shift:
    return await add_shift(
        session=session,
        clinician=clinician,
        starts_at=oslo(day, start_hour),
        ends_at=oslo(day, end_hour),
        policy=get_policy(),
    )


async def guardian_of(session: AsyncSession, guardian: Patient, child: Patient) -> None:
    session.add(Guardianship(guardian_id=guardian.id, child_id=child.id))
    await session.flush()


async def insurance(session: AsyncSession, patient: Patient, *, insurer: str = "if") -> None:
    session.add(
        InsuranceCoverage(
            patient_id=patient.id,
            insurer=insurer,
            policy_number=f"P-{_rng.randrange(10**9)}",
            valid_from=dt.date(2020, 1, 1),
            valid_to=None,
        )
    )
    await session.flush()


async def dispensed(session: AsyncSession, patient: Patient, substance: str, on: dt.date) -> None:
    """A pharmacy dispensing on the stored prescription list."""
    session.add(Dispensation(patient_id=patient.id, substance=substance, dispensed_on=on))
    await session.flush()
