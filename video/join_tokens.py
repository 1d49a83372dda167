"""Join tokens: single use, for one room and one role, valid a few minutes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

import jwt

from api.core.errors import DomainError

_ALGORITHM = "HS256"
_AUDIENCE = "video-join"


class JoinRole(StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"


class JoinRefused(DomainError):
    """Not let into a room (or not allowed to act in it); ``code`` says why."""

    def __init__(self, code: str, message: str, *, status_code: int = 401) -> None:
        super().__init__(message, code=code)
        self.status_code = status_code


@dataclass(frozen=True, slots=True)
class JoinClaims:
    room_id: uuid.UUID
    role: JoinRole
    subject: uuid.UUID
    token_id: str
    expires_at: dt.datetime


@dataclass
class JoinTokens:
    """Issues and redeems join tokens; a redeemed token id is refused until it expires.

    Rooms live in the API process that holds their peer connections, so the spent ids
    live there too.
    """

    secret: bytes
    ttl: dt.timedelta
    _spent: dict[str, dt.datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A key of its own: an access token can never pass for a join token, nor the reverse.
        self._key = hmac.new(self.secret, b"video-join-token", hashlib.sha256).digest()

    def issue(
        self, *, room_id: uuid.UUID, role: JoinRole, subject: uuid.UUID, now: dt.datetime
    ) -> tuple[str, dt.datetime]:
        expires = now + self.ttl
        claims = {
            "aud": _AUDIENCE,
            "room": str(room_id),
            "role": role.value,
            "sub": str(subject),
            "jti": uuid.uuid4().hex,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
        }
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM), expires

    def redeem(
        self, token: str, *, room_id: uuid.UUID, role: JoinRole, now: dt.datetime
    ) -> JoinClaims:
        """Check and spend ``token`` for joining ``room_id`` as ``role``."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                # Expiry is checked below against the app's clock, which tests can move.
                options={
                    "require": ["room", "role", "sub", "jti", "exp"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
            claimed = JoinClaims(
                room_id=uuid.UUID(claims["room"]),
                role=JoinRole(claims["role"]),
                subject=uuid.UUID(claims["sub"]),
                token_id=str(claims["jti"]),
                expires_at=dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC),
            )
        except (jwt.InvalidTokenError, ValueError, TypeError):
            raise JoinRefused("token_invalid", "This join link is not valid.") from None
        if claimed.expires_at <= now:
            raise JoinRefused("token_expired", "This join link has expired. Ask for a new one.")
        if claimed.room_id != room_id:
            raise JoinRefused(
                "wrong_room", "This join link is for another consult.", status_code=403
            )
        if claimed.role is not role:
            raise JoinRefused(
                "wrong_role", f"This join link is not for the {role.value}.", status_code=403
            )
        self._forget_expired(now)
        if claimed.token_id in self._spent:
            raise JoinRefused("token_used", "This join link has been used. Ask for a new one.")
        self._spent[claimed.token_id] = claimed.expires_at
        return claimed

    def release(self, claims: JoinClaims) -> None:
        """Make a spent token usable again: the join failed on the joiner's offer, not on
        the token, and they should not need a new link to try again."""
        self._spent.pop(claims.token_id, None)

    def _forget_expired(self, now: dt.datetime) -> None:
        for token_id in [t for t, expires in self._spent.items() if expires <= now]:
            del self._spent[token_id]
