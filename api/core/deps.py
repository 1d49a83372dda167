"""Typed dependencies shared by the routers."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from api.core.db import session_scope
from api.core.errors import Forbidden, NotAuthenticated
from api.core.settings import Settings
from api.identity.tokens import Principal, Role, read_access_token
from api.patients.models import Patient


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in session_scope(request.app.state.sessionmaker):
        yield session


DbSession = Annotated[AsyncSession, Depends(get_db)]

_bearer = HTTPBearer(auto_error=False)
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def get_optional_principal(
    credentials: BearerCredentials, settings: SettingsDep
) -> Principal | None:
    if credentials is None:
        return None
    return read_access_token(credentials.credentials, settings=settings.auth)


OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


def get_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated("Please log in first.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_current_patient(principal: CurrentPrincipal, session: DbSession) -> Patient:
    if principal.role is not Role.PATIENT:
        raise Forbidden("Only patients can do this.")
    patient = await session.get(Patient, principal.subject)
    if patient is None:
        raise NotAuthenticated("This account no longer exists. Please log in again.")
    return patient


CurrentPatient = Annotated[Patient, Depends(get_current_patient)]


def require_service_token(credentials: BearerCredentials, settings: SettingsDep) -> None:
    """Internal routes answer only the action server, which holds the service token."""
    expected = settings.actions.service_token.get_secret_value().encode()
    given = credentials.credentials.encode() if credentials else b""
    if not hmac.compare_digest(given, expected):
        raise NotAuthenticated("This route is for the clinic's own services.")


ServiceCaller = Annotated[None, Depends(require_service_token)]
