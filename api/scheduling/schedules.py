"""Clinicians' shifts and the slots generated from them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.clinicians.models import Clinician, ClinicianKind
from api.policy.rules import ClinicPolicy, Service
from api.scheduling.errors import ShiftRefused
from api.scheduling.models import Shift, Slot

SERVICE_OF_KIND = {
    ClinicianKind.DOCTOR: Service.DOCTOR_CONSULT,
    ClinicianKind.PSYCHOLOGIST: Service.PSYCHOLOGIST_SESSION,
}


def slot_times(
    *, starts_at: dt.datetime, ends_at: dt.datetime, length: dt.timedelta
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Back-to-back slots of ``length`` that fit in [starts_at, ends_at).

    Arithmetic is on UTC instants, so a shift across a DST change gets its real length.
    """
    times = []
    start = starts_at
    while start + length <= ends_at:
        times.append((start, start + length))
        start += length
    return times


async def add_shift(
    *,
    session: AsyncSession,
    clinician: Clinician,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    policy: ClinicPolicy,
) -> Shift:
    """Put a clinician on duty and create the shift's slots; refuses shifts outside hours."""
    if ends_at <= starts_at:
        raise ShiftRefused("A shift must end after it starts.")
    if not policy.within_opening_hours(clinician.kind.value, starts_at, ends_at):
        hours = policy.opening_hours_text(clinician.kind.value)
        raise ShiftRefused(f"Shifts must lie within one day's opening hours ({hours}).")
    overlapping = await session.scalar(
        select(Shift.id).where(
            Shift.clinician_id == clinician.id,
            and_(Shift.starts_at < ends_at, Shift.ends_at > starts_at),
        )
    )
    if overlapping is not None:
        raise ShiftRefused("This clinician already has a shift at that time.")

    service = SERVICE_OF_KIND[clinician.kind]
    shift = Shift(clinician_id=clinician.id, starts_at=starts_at, ends_at=ends_at)
    session.add(shift)
    await session.flush()
    for start, end in slot_times(
        starts_at=starts_at, ends_at=ends_at, length=policy.slot_length(service)
    ):
        session.add(
            Slot(
                clinician_id=clinician.id,
                shift_id=shift.id,
                service=service,
                starts_at=start,
                ends_at=end,
            )
        )
    await session.flush()
    return shift


async def clinicians_on_duty(*, session: AsyncSession, kind: ClinicianKind, at: dt.datetime) -> int:
    """How many clinicians of ``kind`` have a shift covering ``at``."""
    rows = await session.scalars(
        select(Shift.clinician_id)
        .join(Clinician, Clinician.id == Shift.clinician_id)
        .where(
            Clinician.kind == kind,
            Clinician.active,
            Shift.starts_at <= at,
            Shift.ends_at > at,
        )
        .distinct()
    )
    return len(rows.all())
