"""Conversation ids: decided by the gateway, never trusted from the client.

Rasa believes whatever sender id it is given, so a logged-in patient's conversation id
is derived from the verified token, and anonymous ids are random and unguessable.
"""

from __future__ import annotations

import re
import uuid

from api.core.errors import Forbidden
from api.identity.tokens import Principal, Role

_PATIENT_PREFIX = "patient-"
_ANONYMOUS = re.compile(r"^anon-[0-9a-f]{32}$")


def conversation_id_for(principal: Principal | None, requested: str | None) -> str:
    """The conversation id the assistant will use for this caller."""
    if principal is not None:
        if principal.role is not Role.PATIENT:
            raise Forbidden("The assistant talks with patients; please use your own console.")
        return patient_conversation_id(principal.subject)
    if requested and _ANONYMOUS.fullmatch(requested):
        return requested
    return f"anon-{uuid.uuid4().hex}"


def patient_conversation_id(patient_id: uuid.UUID) -> str:
    """A patient's one conversation, whether they write in the app or by SMS."""
    return f"{_PATIENT_PREFIX}{patient_id.hex}"


def patient_id_of(conversation_id: str) -> uuid.UUID | None:
    """The patient a gateway-made conversation id belongs to; None if anonymous or garbage."""
    if not conversation_id.startswith(_PATIENT_PREFIX):
        return None
    try:
        return uuid.UUID(hex=conversation_id.removeprefix(_PATIENT_PREFIX))
    except ValueError:
        return None
