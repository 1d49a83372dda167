"""Authentication routes."""

from __future__ import annotations

from fastapi import APIRouter

from api.core.deps import CurrentPrincipal, DbSession, SettingsDep
from api.identity import service
from api.identity.provider import DevelopmentIdentityProvider
from api.identity.schemas import DevLoginRequest, MeResponse, TokenResponse

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
# Mounted only when the settings allow development login (never in production).
dev_router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@dev_router.post("/dev-login")
async def dev_login(
    body: DevLoginRequest, session: DbSession, settings: SettingsDep
) -> TokenResponse:
    """Development stand-in for BankID: log in with any valid national identity number."""
    return await service.login(
        session=session,
        provider=DevelopmentIdentityProvider(),
        assertion=body.model_dump(exclude={"role"}),
        role=body.role,
        settings=settings.auth,
    )


@router.get("/me")
async def me(principal: CurrentPrincipal, session: DbSession) -> MeResponse:
    """Who the access token belongs to."""
    return await service.describe(session=session, principal=principal)
