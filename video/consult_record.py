"""Writes a room's life onto its booking: start when the clinician enters, end when they end."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.clinicians.models import Clinician
from api.core.db import session_scope
from api.core.errors import NotAuthenticated
from api.policy.rules import ClinicPolicy
from api.scheduling import consults


class ConsultRecord:
    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        policy: ClinicPolicy,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._sessionmaker = sessionmaker
        self._policy = policy
        self._clock = clock

    async def _clinician(self, session: AsyncSession, clinician_id: uuid.UUID) -> Clinician:
        clinician = await session.get(Clinician, clinician_id)
        if clinician is None or not clinician.active:
            raise NotAuthenticated("This clinician account is not active. Please log in again.")
        return clinician

    async def arrived(self, appointment_id: uuid.UUID, _patient_id: uuid.UUID) -> None:
        async for session in session_scope(self._sessionmaker):
            await consults.arrive(session=session, appointment_id=appointment_id)

    async def started(self, appointment_id: uuid.UUID, clinician_id: uuid.UUID) -> None:
        async for session in session_scope(self._sessionmaker):
            await consults.start(
                session=session,
                clinician=await self._clinician(session, clinician_id),
                appointment_id=appointment_id,
                now=self._clock(),
                policy=self._policy,
            )

    async def ended(self, appointment_id: uuid.UUID, clinician_id: uuid.UUID) -> None:
        async for session in session_scope(self._sessionmaker):
            await consults.complete(
                session=session,
                clinician=await self._clinician(session, clinician_id),
                appointment_id=appointment_id,
                now=self._clock(),
            )
