"""Request and response bodies for authentication."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.core.text import CleanText
from api.identity.tokens import Role


class DevLoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    national_id: str = Field(max_length=32)
    role: Role = Role.PATIENT
    given_name: CleanText | None = Field(default=None, min_length=1, max_length=100)
    family_name: CleanText | None = Field(default=None, min_length=1, max_length=100)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth token type, not a secret)
    expires_at: dt.datetime
    role: Role


class MeResponse(BaseModel):
    id: uuid.UUID
    role: Role
    given_name: str
    family_name: str


class LoginConfig(BaseModel):
    """Where the page sends people to log in, in OIDC's terms (the page follows this)."""

    provider: str
    authorization_endpoint: str
    token_endpoint: str
    client_id: str
    scope: str


class TokenRequest(BaseModel):
    """The token endpoint's form (RFC 6749 §4.1.3 with the PKCE verifier of RFC 7636)."""

    grant_type: Literal["authorization_code"]
    code: str = Field(min_length=1, max_length=4000)
    redirect_uri: str = Field(min_length=1, max_length=500)
    client_id: str = Field(min_length=1, max_length=100)
    code_verifier: str = Field(min_length=43, max_length=128)
