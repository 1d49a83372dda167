"""The access log as the patient's privacy page shows it."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from api.audit.access_log import PURPOSE_WORDS, LogLine
from api.audit.models import AuditOutcome


class AccessLogEntryOut(BaseModel):
    """One read of the patient's medical data, or one refused attempt.

    ``actor_role``: patient, clinician, support or assistant. ``action`` and ``subject_type``
    are codes (e.g. ``journal_note.read``, ``journal_note``); ``purpose`` is in words.
    """

    at: dt.datetime
    actor_role: str
    actor_name: str
    action: str
    subject_type: str
    purpose: str
    outcome: AuditOutcome

    @classmethod
    def of(cls, line: LogLine) -> AccessLogEntryOut:
        event = line.event
        return cls(
            at=event.at,
            actor_role=event.actor_role,
            actor_name=line.actor_name,
            action=event.action,
            subject_type=event.subject_type,
            purpose=PURPOSE_WORDS[event.purpose],
            outcome=event.outcome,
        )
