import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.clinicians.models import ClinicianKind
from api.policy.rules import Service
from api.scheduling.errors import ShiftRefused
from api.scheduling.models import Slot
from api.scheduling.schedules import clinicians_on_duty, slot_times
from tests.api import factories
from tests.api.factories import oslo


async def _slots(session: AsyncSession, shift_id: object) -> list[Slot]:
    return list(
        await session.scalars(
            select(Slot).where(Slot.shift_id == shift_id).order_by(Slot.starts_at)
        )
    )


def test_slot_times_fill_the_shift_back_to_back() -> None:
    start = dt.datetime(2033, 1, 1, 8, tzinfo=dt.UTC)
    times = slot_times(
        starts_at=start, ends_at=start + dt.timedelta(minutes=100), length=dt.timedelta(minutes=45)
    )
    assert times == [
        (start, start + dt.timedelta(minutes=45)),
        (start + dt.timedelta(minutes=45), start + dt.timedelta(minutes=90)),
    ]


@pytest.mark.parametrize("day", [dt.date(2033, 3, 27), dt.date(2033, 10, 30), dt.date(2033, 6, 1)])
async def test_full_day_has_sixty_doctor_slots_even_on_dst_days(
    session: AsyncSession, day: dt.date
) -> None:
    doctor = await factories.clinician(session)
    shift = await factories.shift(session, doctor, day, 7, 22)
    slots = await _slots(session, shift.id)
    assert len(slots) == 60
    assert factories.get_policy().local(slots[0].starts_at).strftime("%H:%M") == "07:00"
    assert factories.get_policy().local(slots[-1].ends_at).strftime("%H:%M") == "22:00"
    assert all(s.service is Service.DOCTOR_CONSULT for s in slots)


async def test_psychologist_shift_gives_45_minute_sessions(session: AsyncSession) -> None:
    psychologist = await factories.clinician(session, kind=ClinicianKind.PSYCHOLOGIST)
    shift = await factories.shift(session, psychologist, dt.date(2033, 2, 2), 8, 12)
    slots = await _slots(session, shift.id)
    assert len(slots) == 5  # 4 h = 5 x 45 min, the last 15 minutes left over
    assert {s.ends_at - s.starts_at for s in slots} == {dt.timedelta(minutes=45)}
    assert {s.service for s in slots} == {Service.PSYCHOLOGIST_SESSION}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (oslo(dt.date(2033, 2, 3), 6, 45), oslo(dt.date(2033, 2, 3), 9)),  # before 07:00
        (oslo(dt.date(2033, 2, 3), 20), oslo(dt.date(2033, 2, 3), 22, 15)),  # after 22:00
        (oslo(dt.date(2033, 2, 3), 21), oslo(dt.date(2033, 2, 4), 8)),  # across midnight
        (oslo(dt.date(2033, 2, 3), 12), oslo(dt.date(2033, 2, 3), 12)),  # empty
    ],
)
async def test_shifts_outside_opening_hours_are_refused(
    session: AsyncSession, start: dt.datetime, end: dt.datetime
) -> None:
    doctor = await factories.clinician(session)
    with pytest.raises(ShiftRefused):
        await factories.add_shift(
            session=session,
            clinician=doctor,
            starts_at=start,
            ends_at=end,
            policy=factories.get_policy(),
        )


async def test_overlapping_shifts_are_refused(session: AsyncSession) -> None:
    doctor = await factories.clinician(session)
    await factories.shift(session, doctor, dt.date(2033, 2, 5), 8, 12)
    with pytest.raises(ShiftRefused, match="already has a shift"):
        await factories.shift(session, doctor, dt.date(2033, 2, 5), 11, 14)
    await factories.shift(session, doctor, dt.date(2033, 2, 5), 12, 14)  # touching is fine
    count = await session.scalar(select(func.count(Slot.id)).where(Slot.clinician_id == doctor.id))
    assert count == 16 + 8


async def test_clinicians_on_duty_counts_covering_shifts(session: AsyncSession) -> None:
    day = dt.date(2033, 2, 7)
    first, second = await factories.clinician(session), await factories.clinician(session)
    await factories.shift(session, first, day, 8, 12)
    await factories.shift(session, second, day, 10, 14)
    count = await clinicians_on_duty(session=session, kind=ClinicianKind.DOCTOR, at=oslo(day, 11))
    assert count == 2
    count = await clinicians_on_duty(session=session, kind=ClinicianKind.DOCTOR, at=oslo(day, 12))
    assert count == 1
