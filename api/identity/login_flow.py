"""The page's login, step by step: where to log in, the development provider, the token."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.core.errors import DependencyUnavailable
from api.core.settings import AuthSettings, Settings
from api.identity import service
from api.identity.authorization import (
    PATIENT_WEB_CLIENT,
    AuthorizationRequest,
    SpentCodes,
    issue_code,
    redeem_code,
)
from api.identity.provider import DevelopmentIdentityProvider
from api.identity.schemas import LoginConfig, TokenRequest, TokenResponse
from api.identity.tokens import Role, issue_access_token

DEV_AUTHORIZATION_PATH = "/api/v1/auth/dev/authorize"
TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 (a route, not a secret)


def login_config(*, settings: Settings) -> LoginConfig:
    """Where the page logs in; 503 until an identity provider is set up."""
    if not settings.dev_login_allowed:
        # The real provider (BankID over OIDC) is configured here once it exists.
        raise DependencyUnavailable(
            "No identity provider is set up on this server yet. Please contact support.",
            code="login_unavailable",
        )
    return LoginConfig(
        provider="development",
        authorization_endpoint=DEV_AUTHORIZATION_PATH,
        token_endpoint=TOKEN_PATH,
        client_id=PATIENT_WEB_CLIENT,
        scope="openid",
    )


async def authorize_development(
    *,
    session: AsyncSession,
    request: AuthorizationRequest,
    national_id: str,
    given_name: str | None,
    settings: AuthSettings,
) -> str:
    """Log a patient in with the development provider; returns where to send the browser."""
    identity = await service.verify_identity(
        provider=DevelopmentIdentityProvider(),
        assertion={"national_id": national_id, "given_name": given_name or None},
    )
    account = await service.find_account(session=session, identity=identity, role=Role.PATIENT)
    code = issue_code(settings=settings, subject=account.id, request=request)
    return request.redirect_with(code=code)


def exchange_code(
    *, form: TokenRequest, settings: AuthSettings, spent: SpentCodes
) -> TokenResponse:
    """Trade a code and its PKCE verifier for the API's access token."""
    subject = redeem_code(
        settings=settings,
        code=form.code,
        client_id=form.client_id,
        redirect_uri=form.redirect_uri,
        code_verifier=form.code_verifier,
        spent=spent,
    )
    token, expires = issue_access_token(settings=settings, subject=subject, role=Role.PATIENT)
    return TokenResponse(access_token=token, expires_at=expires, role=Role.PATIENT)
