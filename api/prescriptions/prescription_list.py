"""The e-prescription list lookup behind an interface (consent is checked by the caller)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.prescriptions.models import Dispensation


class PrescriptionList(Protocol):
    async def last_dispensed(
        self, *, session: AsyncSession, patient_id: uuid.UUID, substance: str
    ) -> dt.date | None:
        """The last date a pharmacy dispensed ``substance`` to the patient, if ever."""
        ...


class StoredPrescriptionList:
    """Reads dispensings from the store (development, tests, imported extracts)."""

    async def last_dispensed(
        self, *, session: AsyncSession, patient_id: uuid.UUID, substance: str
    ) -> dt.date | None:
        return await session.scalar(
            select(func.max(Dispensation.dispensed_on)).where(
                Dispensation.patient_id == patient_id, Dispensation.substance == substance
            )
        )
