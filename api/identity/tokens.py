"""Signed access tokens with expiry (JWT, HS256)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum

import jwt

from api.core.errors import NotAuthenticated
from api.core.settings import AuthSettings

_ALGORITHM = "HS256"


class Role(StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    SUPPORT = "support"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a row id in the table its role names."""

    subject: uuid.UUID
    role: Role
    expires_at: dt.datetime
    # Set when the action server acts for the patient of a gateway-made conversation.
    conversation_id: str | None = None


def issue_access_token(
    *, settings: AuthSettings, subject: uuid.UUID, role: Role, now: dt.datetime | None = None
) -> tuple[str, dt.datetime]:
    """Sign a token for ``subject`` in ``role``; returns the token and its expiry."""
    issued = now or dt.datetime.now(dt.UTC)
    expires = issued + dt.timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(subject),
        "role": role.value,
        "iss": settings.issuer,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=_ALGORITHM)
    return token, expires


def read_access_token(token: str, *, settings: AuthSettings) -> Principal:
    """Verify signature, issuer and expiry; raise NotAuthenticated otherwise."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[_ALGORITHM],
            issuer=settings.issuer,
            options={"require": ["sub", "role", "exp", "iat", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise NotAuthenticated("Your session has expired. Please log in again.") from None
    except jwt.InvalidTokenError:
        raise NotAuthenticated("The access token is not valid. Please log in again.") from None
    try:
        return Principal(
            subject=uuid.UUID(claims["sub"]),
            role=Role(claims["role"]),
            expires_at=dt.datetime.fromtimestamp(claims["exp"], dt.UTC),
        )
    except (ValueError, TypeError):
        raise NotAuthenticated("The access token is not valid. Please log in again.") from None
