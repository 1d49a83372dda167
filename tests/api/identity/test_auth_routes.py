from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.core.db import create_sessionmaker
from api.core.settings import AuthSettings, Environment
from api.main import create_app
from tests.api import factories
from tests.api.conftest import make_settings

Login = Callable[..., Any]


async def test_dev_login_registers_and_identifies_a_patient(
    client: httpx.AsyncClient, login: Login
) -> None:
    number = factories.national_id()
    headers = await login(number, given_name="Kari", family_name="Nordmann")
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["role"] == "patient"
    assert me.json()["given_name"] == "Kari"
    # A second login finds the same patient rather than registering another.
    again = await login(number)
    assert (await client.get("/api/v1/auth/me", headers=again)).json()["id"] == me.json()["id"]


async def test_dev_login_accepts_d_numbers(client: httpx.AsyncClient, login: Login) -> None:
    headers = await login(factories.national_id(d_number=True))
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200


@pytest.mark.parametrize(
    ("national_id", "code"),
    [
        ("15076500564", "national_id_bad_check_digit"),
        ("29029710188", "national_id_impossible_date"),
        ("1507650056", "national_id_wrong_length"),
        ("1507650056x", "national_id_not_digits"),
        ("", "national_id_not_digits"),
    ],
)
async def test_dev_login_refuses_invalid_numbers(
    client: httpx.AsyncClient, national_id: str, code: str
) -> None:
    response = await client.post("/api/v1/auth/dev-login", json={"national_id": national_id})
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert national_id not in response.json()["message"] or not national_id


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"national_id": 15076500565},
        {"national_id": "1" * 33},
        {"national_id": "15076500565", "role": "admin"},
        {"national_id": "15076500565", "extra": "field"},
        {"national_id": None},
        [],
        "15076500565",
    ],
)
async def test_dev_login_refuses_malformed_bodies(client: httpx.AsyncClient, body: object) -> None:
    response = await client.post("/api/v1/auth/dev-login", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    # The values sent are never echoed back: they may be identity numbers.
    assert "15076500565" not in response.text


async def test_dev_login_refuses_non_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/dev-login",
        content=b"\xff\xfe\x00garbage",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422


async def test_clinician_and_support_need_an_account(
    client: httpx.AsyncClient, login: Login, engine: AsyncEngine
) -> None:
    stranger = factories.national_id()
    for role in ("clinician", "support"):
        response = await client.post(
            "/api/v1/auth/dev-login", json={"national_id": stranger, "role": role}
        )
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"

    async with create_sessionmaker(engine)() as session:
        doctor = await factories.clinician(session)
        agent = await factories.support_agent(session)
        await session.commit()
    for row, role in ((doctor, "clinician"), (agent, "support")):
        headers = await login(row.national_id, role=role)
        me = (await client.get("/api/v1/auth/me", headers=headers)).json()
        assert (me["role"], me["id"]) == (role, str(row.id))


async def test_me_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    bad = await client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    assert bad.json()["code"] == "not_authenticated"
    assert bad.headers["www-authenticate"] == "Bearer"


async def test_token_from_another_deployment_is_refused(database_url: str) -> None:
    other = create_app(make_settings(database_url, auth=AuthSettings(secret_key="z" * 40)))
    async with (
        other.router.lifespan_context(other),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=other), base_url="http://t"
        ) as other_client,
    ):
        response = await other_client.post(
            "/api/v1/auth/dev-login", json={"national_id": factories.national_id()}
        )
        token = response.json()["access_token"]
    mine = create_app(make_settings(database_url))
    async with (
        mine.router.lifespan_context(mine),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=mine), base_url="http://t") as c,
    ):
        response = await c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_dev_login_does_not_exist_when_disabled(database_url: str) -> None:
    settings = make_settings(database_url, auth=AuthSettings(dev_login_enabled=False))
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        response = await c.post(
            "/api/v1/auth/dev-login", json={"national_id": factories.national_id()}
        )
    assert response.status_code == 404
    assert settings.env is Environment.TEST


async def test_simultaneous_first_logins_register_one_patient(client: httpx.AsyncClient) -> None:
    import asyncio

    number = factories.national_id()
    responses = await asyncio.gather(
        *(client.post("/api/v1/auth/dev-login", json={"national_id": number}) for _ in range(10))
    )
    assert [r.status_code for r in responses] == [200] * 10
    ids = set()
    for response in responses:
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        ids.add((await client.get("/api/v1/auth/me", headers=headers)).json()["id"])
    assert len(ids) == 1


@pytest.mark.parametrize("field", ["given_name", "family_name"])
async def test_nul_in_names_is_refused(client: httpx.AsyncClient, field: str) -> None:
    response = await client.post(
        "/api/v1/auth/dev-login", json={"national_id": factories.national_id(), field: "a\x00b"}
    )
    assert response.status_code == 422


async def test_unknown_routes_and_unreadable_bodies_keep_the_error_shape(
    client: httpx.AsyncClient,
) -> None:
    missing = await client.get("/api/v1/no-such-thing")
    assert (missing.status_code, missing.json()["code"]) == (404, "http_404")
    wrong_method = await client.delete("/api/v1/auth/dev-login")
    assert wrong_method.json()["code"] == "http_405"
    unreadable = await client.post(
        "/api/v1/auth/dev-login",
        content=b'{"national_id": "\xff"}',
        headers={"content-type": "application/json"},
    )
    assert unreadable.status_code in (400, 422)
    assert set(unreadable.json()) >= {"code", "message"}
