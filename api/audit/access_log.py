"""The patient's view of the audit log: who read their data, in words they can read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service
from api.audit.models import ActorRole, AuditEvent, AuditOutcome, Purpose
from api.clinicians.models import Clinician
from api.patients.models import Patient
from api.support.models import SupportAgent

PURPOSE_WORDS = {
    Purpose.TREATMENT: "treating clinician",
    Purpose.OWN_ACCESS: "patient's own access",
    Purpose.GUARDIAN: "guardian on the patient's behalf",
    Purpose.ASSISTANT: "assistant on the patient's behalf",
    Purpose.RENEWAL_REVIEW: "renewal review",
    Purpose.CERTIFICATE_REVIEW: "certificate review",
    Purpose.NONE: "no permitted purpose",
}
YOU = "You"
ASSISTANT = "The assistant"
# Someone else's refused attempt: the patient learns it happened, not who the other
# patient was (a granted read by another patient is their guardian's, and named).
ANOTHER_PATIENT = "Another patient"
# Staff whose row is gone: the read still shows, with the role for a name.
UNKNOWN = {ActorRole.CLINICIAN.value: "A clinician", ActorRole.SUPPORT.value: "Support staff"}
_ROLES = {role.value for role in ActorRole}


@dataclass(frozen=True, slots=True)
class LogLine:
    """One audit row and the reader's name as the patient sees it."""

    event: AuditEvent
    actor_name: str


async def _names_of(
    session: AsyncSession, model: type[Clinician | SupportAgent | Patient], ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(model.id, model.given_name, model.family_name).where(model.id.in_(ids))
    )
    return {row.id: f"{row.given_name} {row.family_name}" for row in rows}


async def _names(
    session: AsyncSession, events: Sequence[AuditEvent]
) -> dict[tuple[str, uuid.UUID], str]:
    wanted: dict[ActorRole, set[uuid.UUID]] = {role: set() for role in ActorRole}
    for event in events:
        if event.actor_id is not None and event.actor_role in _ROLES:
            wanted[ActorRole(event.actor_role)].add(event.actor_id)
    models: dict[ActorRole, type[Clinician | SupportAgent | Patient]] = {
        ActorRole.CLINICIAN: Clinician,
        ActorRole.SUPPORT: SupportAgent,
        ActorRole.PATIENT: Patient,
    }
    names: dict[tuple[str, uuid.UUID], str] = {}
    for role, model in models.items():
        found = await _names_of(session, model, wanted[role])
        names.update({(role.value, actor_id): name for actor_id, name in found.items()})
    return names


def _name(
    event: AuditEvent, *, viewer_id: uuid.UUID, names: dict[tuple[str, uuid.UUID], str]
) -> str:
    if event.actor_role == ActorRole.ASSISTANT or event.actor_id is None:
        return ASSISTANT
    if event.actor_role == ActorRole.PATIENT:
        if event.actor_id == viewer_id:
            return YOU
        if event.outcome is AuditOutcome.DENIED:
            return ANOTHER_PATIENT
    fallback = UNKNOWN.get(event.actor_role, ANOTHER_PATIENT)
    return names.get((event.actor_role, event.actor_id), fallback)


async def for_patient(
    *, session: AsyncSession, patient_id: uuid.UUID, limit: int, offset: int
) -> list[LogLine]:
    """One page of who read the patient's medical data (or was refused), newest first."""
    events = await service.newest_reads_of_patient(
        session=session, patient_id=patient_id, limit=limit, offset=offset
    )
    names = await _names(session, events)
    return [LogLine(event, _name(event, viewer_id=patient_id, names=names)) for event in events]
