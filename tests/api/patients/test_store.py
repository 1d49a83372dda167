"""The store on both backends: constraints hold in the database, not only in Python."""

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.clinicians.models import Clinician, ClinicianKind
from api.core.db import create_sessionmaker
from api.insurance.models import InsuranceCoverage
from api.patients.models import Guardianship, Patient
from tests.api import factories


async def test_patient_round_trip(session: AsyncSession, engine: AsyncEngine) -> None:
    patient = await factories.patient(session, given_name="Åse")
    await session.commit()
    async with create_sessionmaker(engine)() as other:
        loaded = await other.scalar(select(Patient).where(Patient.id == patient.id))
    assert loaded is not None
    assert loaded.given_name == "Åse"
    assert loaded.national_id == patient.national_id
    # Stored in UTC and read back timezone-aware on both backends.
    assert loaded.created_at.tzinfo is not None
    assert abs(loaded.created_at - patient.created_at) < dt.timedelta(seconds=1)


async def test_national_id_is_unique(session: AsyncSession) -> None:
    first = await factories.patient(session)
    session.add(
        Patient(
            national_id=first.national_id,
            birth_date=first.birth_date,
            given_name="Copy",
            family_name="Cat",
        )
    )
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_national_id_must_have_eleven_characters(session: AsyncSession) -> None:
    session.add(
        Patient(national_id="123", birth_date=dt.date(2000, 1, 1), given_name="A", family_name="B")
    )
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_guardian_links_a_child(session: AsyncSession) -> None:
    parent = await factories.patient(session, given_name="Mor")
    child = await factories.patient(session, given_name="Barn", birth_date=dt.date(2015, 6, 1))
    session.add(Guardianship(guardian_id=parent.id, child_id=child.id))
    await session.flush()
    links = (
        await session.scalars(select(Guardianship).where(Guardianship.guardian_id == parent.id))
    ).all()
    assert [link.child_id for link in links] == [child.id]


async def test_guardian_link_is_unique(session: AsyncSession) -> None:
    parent = await factories.patient(session)
    child = await factories.patient(session, birth_date=dt.date(2016, 1, 1))
    session.add(Guardianship(guardian_id=parent.id, child_id=child.id))
    await session.flush()
    session.add(Guardianship(guardian_id=parent.id, child_id=child.id))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_nobody_is_their_own_guardian(session: AsyncSession) -> None:
    patient = await factories.patient(session)
    session.add(Guardianship(guardian_id=patient.id, child_id=patient.id))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_guardian_link_needs_real_patients(session: AsyncSession) -> None:
    import uuid

    patient = await factories.patient(session)
    session.add(Guardianship(guardian_id=patient.id, child_id=uuid.uuid4()))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_clinician_kinds(session: AsyncSession) -> None:
    doctor = await factories.clinician(session)
    psychologist = await factories.clinician(session, kind=ClinicianKind.PSYCHOLOGIST)
    await session.flush()
    kinds = {
        row.id: row.kind
        for row in (
            await session.scalars(
                select(Clinician).where(Clinician.id.in_([doctor.id, psychologist.id]))
            )
        ).all()
    }
    assert kinds == {doctor.id: ClinicianKind.DOCTOR, psychologist.id: ClinicianKind.PSYCHOLOGIST}


async def test_insurance_coverage(session: AsyncSession) -> None:
    patient = await factories.patient(session)
    coverage = InsuranceCoverage(
        patient_id=patient.id,
        insurer="if",
        policy_number="IF-123",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
    )
    session.add(coverage)
    await session.flush()
    assert coverage.covers_day(dt.date(2026, 6, 1))
    assert not coverage.covers_day(dt.date(2027, 1, 1))


async def test_insurance_coverage_cannot_end_before_it_starts(session: AsyncSession) -> None:
    patient = await factories.patient(session)
    session.add(
        InsuranceCoverage(
            patient_id=patient.id,
            insurer="vertikal",
            policy_number="V-1",
            valid_from=dt.date(2026, 6, 1),
            valid_to=dt.date(2026, 1, 1),
        )
    )
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_deleting_a_patient_removes_their_links(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    parent = await factories.patient(session)
    child = await factories.patient(session, birth_date=dt.date(2018, 3, 3))
    session.add(Guardianship(guardian_id=parent.id, child_id=child.id))
    await session.commit()
    async with create_sessionmaker(engine)() as other:
        row = await other.get(Patient, child.id)
        await other.delete(row)
        await other.commit()
        remaining = await other.scalar(
            select(Guardianship).where(Guardianship.child_id == child.id)
        )
    assert remaining is None
