"""The page's login: OAuth 2 authorization code with PKCE (RFC 6749, RFC 7636).

The patient page logs in exactly as it will with a real OIDC provider (BankID): it asks
``/api/v1/auth/config`` where to log in, sends the browser to the authorization endpoint
with a PKCE challenge and a ``state``, comes back to its redirect URI with a code, and
trades the code for the API's access token at the token endpoint. In development the
authorization endpoint is the API's own form, and its codes are made here: signed,
short-lived, single-use, bound to the client, the redirect URI and the PKCE challenge.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import jwt

from api.core.errors import DomainError
from api.core.settings import AuthSettings

# The patient chat page is the one client; its redirect URI is the page itself.
PATIENT_WEB_CLIENT = "patient-web"
CODE_LIFETIME = dt.timedelta(seconds=60)
_ALGORITHM = "HS256"
# RFC 7636: 43-128 characters of the unreserved set; an S256 challenge is 43 base64url chars.
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_STATE = re.compile(r"^[\x21-\x7e]{8,200}$")


class InvalidAuthorizationRequest(DomainError):
    """A login request the authorization endpoint will not answer by redirecting."""

    status_code = 400
    code = "invalid_authorization_request"


class InvalidGrant(DomainError):
    """A code that is unknown, expired, spent, or presented by the wrong client."""

    status_code = 400
    code = "invalid_grant"


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """What the page sends to the authorization endpoint (all checked before any login)."""

    response_type: str
    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    code_challenge_method: str

    def check(self, *, allowed_redirects: frozenset[str]) -> None:
        """Refuse anything but this API's page asking for a code with an S256 challenge."""
        if self.client_id != PATIENT_WEB_CLIENT:
            raise InvalidAuthorizationRequest("This application is not known here.")
        # An unknown redirect would hand the code to someone else: never redirect there.
        if self.redirect_uri not in allowed_redirects:
            raise InvalidAuthorizationRequest("This return address is not allowed.")
        if self.response_type != "code":
            raise InvalidAuthorizationRequest("Only the authorization code flow is supported.")
        if self.code_challenge_method != "S256" or not _CHALLENGE.fullmatch(self.code_challenge):
            raise InvalidAuthorizationRequest("A PKCE challenge (S256) is required.")
        if not _STATE.fullmatch(self.state):
            raise InvalidAuthorizationRequest("The request's state is missing or malformed.")

    def redirect_with(self, **params: str) -> str:
        """The redirect URI with the answer (code or error) and the page's state."""
        return f"{self.redirect_uri}?{urlencode({**params, 'state': self.state})}"


def pkce_challenge(verifier: str) -> str:
    """The S256 challenge of a verifier: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _code_key(settings: AuthSettings) -> bytes:
    # A key of its own, derived from the token secret: a code can never pass as an access
    # token (or the other way round), even though both are JWTs signed by the API.
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, b"authorization-code", hashlib.sha256).digest()


def issue_code(
    *,
    settings: AuthSettings,
    subject: uuid.UUID,
    request: AuthorizationRequest,
    now: dt.datetime | None = None,
) -> str:
    """A signed code for ``subject``, valid for a minute, for this request's client only."""
    # Real time, like access tokens: the JWT library checks expiry against the real clock.
    now = now or dt.datetime.now(dt.UTC)
    claims = {
        "sub": str(subject),
        "aud": request.client_id,
        "iss": settings.issuer,
        "redirect_uri": request.redirect_uri,
        "code_challenge": request.code_challenge,
        "iat": int(now.timestamp()),
        "exp": int((now + CODE_LIFETIME).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, _code_key(settings), algorithm=_ALGORITHM)


@dataclass
class SpentCodes:
    """Codes already traded for a token, remembered until they would have expired anyway.

    In memory: enough for the development provider, which runs in one API process. A real
    OIDC provider keeps its own codes single-use.
    """

    _expiry_by_id: dict[str, dt.datetime] = field(default_factory=dict)

    def spend(self, code_id: str, *, expires_at: dt.datetime, now: dt.datetime) -> bool:
        """Mark a code spent; False if it already was."""
        self._expiry_by_id = {k: v for k, v in self._expiry_by_id.items() if v > now}
        if code_id in self._expiry_by_id:
            return False
        self._expiry_by_id[code_id] = expires_at
        return True


def redeem_code(
    *,
    settings: AuthSettings,
    code: str,
    client_id: str,
    redirect_uri: str,
    code_verifier: str,
    spent: SpentCodes,
) -> uuid.UUID:
    """The patient a code was issued for, once, to the client that proves the PKCE secret."""
    refused = InvalidGrant("This login link is invalid or has expired. Please log in again.")
    try:
        claims = jwt.decode(
            code,
            _code_key(settings),
            algorithms=[_ALGORITHM],
            audience=client_id,
            issuer=settings.issuer,
            options={"require": ["sub", "aud", "exp", "jti", "code_challenge", "redirect_uri"]},
        )
        subject = uuid.UUID(str(claims["sub"]))
    except (jwt.InvalidTokenError, ValueError):
        raise refused from None
    if claims["redirect_uri"] != redirect_uri:
        raise refused
    if not _VERIFIER.fullmatch(code_verifier) or not hmac.compare_digest(
        pkce_challenge(code_verifier), str(claims["code_challenge"])
    ):
        raise refused
    expires = dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC)
    if not spent.spend(str(claims["jti"]), expires_at=expires, now=dt.datetime.now(dt.UTC)):
        raise refused
    return subject
