"""A copy of everything the clinic holds about a patient, as a downloadable archive.

Asking for a copy (on the privacy page, or through the assistant) records the request; the
archive is built from the store when the patient downloads it, streamed out and never
stored, so no copy of their data lies about waiting to be fetched. A request can be
downloaded until it expires (the policy says how long), only by the patient themself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.reads import MedicalReads
from api.chat.tracker_store import TrackerStore
from api.core.errors import DomainError, NotFound
from api.identity.tokens import Principal
from api.patients.models import Patient
from api.policy.rules import ClinicPolicy
from api.privacy import archive, collect, medical
from api.privacy.models import DataExport
from api.privacy.readme import FILES, readme

# How many earlier requests the privacy page lists.
LISTED = 20


class ExportExpired(DomainError):
    status_code = 410
    code = "export_expired"


def _via(principal: Principal) -> str:
    return "assistant" if principal.conversation_id is not None else "page"


async def request_export(
    *,
    session: AsyncSession,
    actor: Patient,
    principal: Principal,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> tuple[DataExport, bool]:
    """A request that can be downloaded now; an unexpired one is reused. (row, created)."""
    live = await session.scalar(
        select(DataExport)
        .where(DataExport.patient_id == actor.id, DataExport.expires_at > now)
        .order_by(DataExport.requested_at.desc())
        .limit(1)
    )
    if live is not None:
        return live, False
    row = DataExport(
        patient_id=actor.id,
        requested_via=_via(principal),
        requested_at=now,
        expires_at=now + dt.timedelta(hours=policy.privacy.export_available_hours),
        downloads=0,
    )
    session.add(row)
    await session.flush()
    return row, True


async def list_exports(*, session: AsyncSession, actor: Patient) -> list[DataExport]:
    rows = await session.scalars(
        select(DataExport)
        .where(DataExport.patient_id == actor.id)
        .order_by(DataExport.requested_at.desc())
        .limit(LISTED)
    )
    return list(rows)


async def _claim(
    *, session: AsyncSession, actor: Patient, export_id: uuid.UUID, now: dt.datetime
) -> DataExport:
    row = await session.get(DataExport, export_id)
    # Someone else's request answers as if it did not exist.
    if row is None or row.patient_id != actor.id:
        raise NotFound("We could not find that copy of your data.", code="export_not_found")
    if row.expires_at <= now:
        raise ExportExpired(
            "This copy is no longer available. Please ask for a new one on the privacy page."
        )
    row.downloads += 1
    row.downloaded_at = now
    return row


async def _contents(
    *, session: AsyncSession, reads: MedicalReads, tracker_store: TrackerStore, actor: Patient
) -> dict[str, Any]:
    found = {
        "profile.json": await collect.profile(session=session, patient=actor),
        "appointments.json": await collect.appointments(session=session, patient=actor),
        "payments.json": await collect.payments(session=session, patient=actor),
        **await medical.read_record(reads=reads, session=session),
        "prescription_list.json": await collect.prescription_list(session=session, patient=actor),
        "notifications.json": await collect.notifications(session=session, patient=actor),
        "sms.json": await collect.sms(session=session, patient=actor),
        "support_tickets.json": await collect.support_tickets(session=session, patient=actor),
        "conversation.json": await collect.conversation(tracker_store=tracker_store, patient=actor),
        "privacy_requests.json": await collect.privacy_requests(session=session, patient=actor),
        # Last: the reads recorded for this copy are in it.
        "access_log.json": await collect.access_log(session=session, patient=actor),
    }
    # README.txt describes exactly these files, in its order.
    return {name: found[name] for name in FILES}


async def download(
    *,
    session: AsyncSession,
    reads: MedicalReads,
    tracker_store: TrackerStore,
    principal: Principal,
    actor: Patient,
    export_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> archive.Archive:
    """Build the archive of one of the patient's own requests, for them alone."""
    await medical.own_eyes_only(principal, session)
    await _claim(session=session, actor=actor, export_id=export_id, now=now)
    contents = await _contents(
        session=session, reads=reads, tracker_store=tracker_store, actor=actor
    )
    # The reads are on record before the data leaves, and the store's write lock (SQLite
    # has one writer) is not held for as long as a slow download takes.
    await session.commit()
    local = policy.local(now)
    return await archive.build(
        files=contents,
        readme=readme(policy=policy, made_at=now, given_name=actor.given_name),
        at=local,
        filename=f"my-data-{local:%Y-%m-%d}.zip",
    )
