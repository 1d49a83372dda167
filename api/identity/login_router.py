"""The page's login routes: where to log in, the development authorization form, the token.

`/config` is always there; the development form and the token endpoint that redeems its
codes are mounted only when the settings allow development login (never in production).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.core.deps import DbSession, SettingsDep
from api.core.errors import DomainError
from api.core.settings import Settings
from api.identity import login_flow, login_pages
from api.identity.authorization import (
    AuthorizationRequest,
    InvalidAuthorizationRequest,
    SpentCodes,
)
from api.identity.schemas import LoginConfig, TokenRequest, TokenResponse
from api.web.headers import PAGE_HEADERS

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
dev_router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

# OAuth parameters are short; anything longer is refused before it is looked at.
OAuthParam = Annotated[str, Query(max_length=500)]
OAuthField = Annotated[str, Form(max_length=500)]


def get_spent_codes(request: Request) -> SpentCodes:
    spent: SpentCodes = request.app.state.spent_authorization_codes
    return spent


SpentCodesDep = Annotated[SpentCodes, Depends(get_spent_codes)]


def _allowed_redirects(request: Request, settings: Settings) -> frozenset[str]:
    # The page that asked: this API's own `/`, by the address it was reached at or its
    # public address (they differ behind a proxy).
    return frozenset({str(request.base_url), settings.public_url.rstrip("/") + "/"})


def _page(html: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


@router.get("/config")
async def login_config(settings: SettingsDep) -> LoginConfig:
    """Where the page sends people to log in (an OIDC provider's endpoints, in its terms)."""
    return login_flow.login_config(settings=settings)


@dev_router.get("/dev/authorize", include_in_schema=False)
async def dev_authorize_form(
    request: Request,
    settings: SettingsDep,
    response_type: OAuthParam = "",
    client_id: OAuthParam = "",
    redirect_uri: OAuthParam = "",
    state: OAuthParam = "",
    code_challenge: OAuthParam = "",
    code_challenge_method: OAuthParam = "",
) -> HTMLResponse:
    """The development stand-in for BankID's login page."""
    oauth = AuthorizationRequest(
        response_type, client_id, redirect_uri, state, code_challenge, code_challenge_method
    )
    try:
        oauth.check(allowed_redirects=_allowed_redirects(request, settings))
    except InvalidAuthorizationRequest as exc:
        return _page(login_pages.refusal(exc.message), status_code=exc.status_code)
    return _page(login_pages.login_form(request=oauth))


@dev_router.post("/dev/authorize", include_in_schema=False, response_model=None)
async def dev_authorize(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    response_type: OAuthField = "",
    client_id: OAuthField = "",
    redirect_uri: OAuthField = "",
    state: OAuthField = "",
    code_challenge: OAuthField = "",
    code_challenge_method: OAuthField = "",
    national_id: Annotated[str, Form(max_length=32)] = "",
    given_name: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse | RedirectResponse:
    """Check the number, then send the browser back to the page with a code."""
    oauth = AuthorizationRequest(
        response_type, client_id, redirect_uri, state, code_challenge, code_challenge_method
    )
    try:
        oauth.check(allowed_redirects=_allowed_redirects(request, settings))
    except InvalidAuthorizationRequest as exc:
        return _page(login_pages.refusal(exc.message), status_code=exc.status_code)
    try:
        target = await login_flow.authorize_development(
            session=session,
            request=oauth,
            national_id=national_id.strip(),
            given_name=given_name.strip().replace("\x00", ""),
            settings=settings.auth,
        )
    except DomainError as exc:
        # The form again, saying what is wrong with the number (a page, not JSON: a person
        # is looking at it).
        form = login_pages.login_form(
            request=oauth, national_id=national_id, given_name=given_name, error=exc.message
        )
        return _page(form, status_code=exc.status_code)
    return RedirectResponse(target, status_code=303, headers={"Referrer-Policy": "no-referrer"})


@dev_router.post("/token")
async def token(
    form: Annotated[TokenRequest, Form()], settings: SettingsDep, spent: SpentCodesDep
) -> TokenResponse:
    """Trade the login's code and PKCE verifier for an access token (RFC 6749 §4.1.3)."""
    return login_flow.exchange_code(form=form, settings=settings.auth, spent=spent)
