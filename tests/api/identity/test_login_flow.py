"""The page's login: authorization code with PKCE through the development provider."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from api.core.settings import AuthSettings, Environment
from api.identity.authorization import (
    AuthorizationRequest,
    InvalidGrant,
    SpentCodes,
    issue_code,
    pkce_challenge,
    redeem_code,
)
from api.main import create_app
from tests.api import factories
from tests.api.conftest import make_settings

PAGE = "http://testserver/"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636, appendix B


def oauth_params(**overrides: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": "patient-web",
        "redirect_uri": PAGE,
        "state": "state-0123456789",
        "code_challenge": pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
        **overrides,
    }


async def authorize(client: httpx.AsyncClient, national_id: str, **extra: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/dev/authorize",
        data={**oauth_params(), "national_id": national_id, "given_name": "Kari", **extra},
    )


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == PAGE
    query = parse_qs(location.query)
    assert query["state"] == ["state-0123456789"]
    return query["code"][0]


async def exchange(client: httpx.AsyncClient, code: str, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": PAGE,
        "client_id": "patient-web",
        "code_verifier": VERIFIER,
        **overrides,
    }
    return await client.post("/api/v1/auth/token", data=form)


def test_pkce_challenge_matches_the_rfc_example() -> None:
    assert pkce_challenge(VERIFIER) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


async def test_config_says_where_to_log_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/auth/config")
    assert response.status_code == 200
    assert response.json() == {
        "provider": "development",
        "authorization_endpoint": "/api/v1/auth/dev/authorize",
        "token_endpoint": "/api/v1/auth/token",
        "client_id": "patient-web",
        "scope": "openid",
    }


async def test_without_a_provider_there_is_no_login(database_url: str) -> None:
    settings = make_settings(
        database_url, env=Environment.TEST, auth=AuthSettings(dev_login_enabled=False)
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        config = await client.get("/api/v1/auth/config")
        assert config.status_code == 503
        assert config.json()["code"] == "login_unavailable"
        assert (await client.get("/api/v1/auth/dev/authorize")).status_code == 404
        assert (await client.post("/api/v1/auth/token", data={})).status_code == 404


async def test_the_whole_flow_logs_a_patient_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/api/v1/auth/dev/authorize", params=oauth_params())
    assert form.status_code == 200
    assert form.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in form.headers["content-security-policy"]
    assert 'name="state" value="state-0123456789"' in form.text
    assert '<label for="national_id">' in form.text

    code = code_of(await authorize(client, factories.national_id()))
    token = await exchange(client, code)
    assert token.status_code == 200, token.text
    assert token.json()["role"] == "patient"
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["given_name"] == "Kari"


async def test_a_code_works_once_and_only_with_its_verifier(client: httpx.AsyncClient) -> None:
    code = code_of(await authorize(client, factories.national_id()))
    wrong = await exchange(client, code, code_verifier="x" * 43)
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_grant"
    assert (await exchange(client, code, redirect_uri="http://testserver/other")).status_code == 400
    assert (await exchange(client, code, client_id="someone-else")).status_code == 400
    assert (await exchange(client, code)).status_code == 200
    replayed = await exchange(client, code)
    assert replayed.status_code == 400
    assert replayed.json()["code"] == "invalid_grant"


async def test_codes_and_access_tokens_are_not_interchangeable(
    client: httpx.AsyncClient,
) -> None:
    code = code_of(await authorize(client, factories.national_id()))
    as_token = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {code}"})
    assert as_token.status_code == 401
    access = (await exchange(client, code)).json()["access_token"]
    assert (await exchange(client, access)).status_code == 400


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"redirect_uri": "https://evil.example/"}, "return address"),
        ({"client_id": "other-app"}, "not known"),
        ({"response_type": "token"}, "authorization code"),
        ({"code_challenge_method": "plain"}, "PKCE"),
        ({"code_challenge": "short"}, "PKCE"),
        ({"state": ""}, "state"),
    ],
)
async def test_bad_requests_are_refused_without_a_redirect(
    client: httpx.AsyncClient, overrides: dict[str, str], reason: str
) -> None:
    shown = await client.get("/api/v1/auth/dev/authorize", params=oauth_params(**overrides))
    assert shown.status_code == 400
    assert reason in shown.text
    posted = await client.post(
        "/api/v1/auth/dev/authorize",
        data={**oauth_params(**overrides), "national_id": factories.national_id()},
    )
    assert posted.status_code == 400
    assert "location" not in posted.headers


async def test_an_invalid_number_shows_the_form_again_with_the_reason(
    client: httpx.AsyncClient,
) -> None:
    response = await authorize(client, "15076500564")
    assert response.status_code == 422
    assert "check digits" in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'name="state" value="state-0123456789"' in response.text


async def test_hostile_values_are_escaped_in_the_form(client: httpx.AsyncClient) -> None:
    state = '"><script>alert(1)</script>'
    response = await client.get("/api/v1/auth/dev/authorize", params=oauth_params(state=state))
    assert response.status_code == 200
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


async def test_cancelling_returns_to_the_page_with_access_denied(
    client: httpx.AsyncClient,
) -> None:
    form = await client.get("/api/v1/auth/dev/authorize", params=oauth_params())
    found = re.search(r'href="([^"]*error=access_denied[^"]*)"', form.text)
    assert found, form.text
    cancel = urlsplit(found.group(1).replace("&amp;", "&"))
    assert parse_qs(cancel.query) == {"error": ["access_denied"], "state": ["state-0123456789"]}


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"grant_type": "password", "code": "x", "redirect_uri": PAGE, "client_id": "patient-web"},
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": PAGE},
    ],
)
async def test_token_endpoint_refuses_malformed_forms(
    client: httpx.AsyncClient, form: dict[str, Any]
) -> None:
    response = await client.post("/api/v1/auth/token", data=form)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_an_expired_code_is_refused() -> None:
    settings = AuthSettings()
    request = AuthorizationRequest(**oauth_params())
    old = issue_code(
        settings=settings,
        subject=uuid.uuid4(),
        request=request,
        now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2),
    )
    with pytest.raises(InvalidGrant):
        redeem_code(
            settings=settings,
            code=old,
            client_id="patient-web",
            redirect_uri=PAGE,
            code_verifier=VERIFIER,
            spent=SpentCodes(),
        )


def test_spent_codes_are_forgotten_once_they_would_have_expired() -> None:
    spent = SpentCodes()
    now = dt.datetime.now(dt.UTC)
    assert spent.spend("a", expires_at=now + dt.timedelta(seconds=60), now=now)
    assert not spent.spend("a", expires_at=now + dt.timedelta(seconds=60), now=now)
    # By then the code's signature check refuses it anyway; memory does not grow for ever.
    later = now + dt.timedelta(minutes=5)
    assert spent.spend("a", expires_at=later + dt.timedelta(seconds=60), now=later)
