"""What a consult or a renewal will cost this patient, before they confirm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.policy.rules import Service, get_policy
from tests.api import factories

Login = Callable[..., Any]
POLICY = get_policy()


@pytest.mark.parametrize(
    ("param", "service"),
    [
        ("doctor", Service.DOCTOR_CONSULT),
        ("psychologist", Service.PSYCHOLOGIST_SESSION),
        ("renewal", Service.PRESCRIPTION_RENEWAL),
    ],
)
async def test_uninsured_patients_pay_the_list_price(
    client: httpx.AsyncClient, login: Login, param: str, service: Service
) -> None:
    headers = dict(await login(factories.national_id()))
    response = await client.get(f"/api/v1/quotes?service={param}", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    price = POLICY.rules_for(service).price_ore
    assert body == {
        "service": param,
        "list_price_ore": price,
        "insurance_cover_ore": 0,
        "total_ore": price,
        "insured": False,
    }


async def test_insured_patients_see_what_insurance_covers(
    client: httpx.AsyncClient, login: Login, committed: Callable[..., Any]
) -> None:
    patient = await committed(factories.patient)
    await committed(factories.insurance, patient)
    headers = dict(await login(patient.national_id))
    doctor = (await client.get("/api/v1/quotes?service=doctor", headers=headers)).json()
    assert doctor["total_ore"] == 0 and doctor["insured"] is True
    psychologist = (await client.get("/api/v1/quotes?service=psychologist", headers=headers)).json()
    # Psychologist sessions are not covered by the insurers.
    assert psychologist["total_ore"] == POLICY.rules_for(Service.PSYCHOLOGIST_SESSION).price_ore


async def test_quotes_need_a_login_and_a_known_service(
    client: httpx.AsyncClient, login: Login
) -> None:
    assert (await client.get("/api/v1/quotes?service=doctor")).status_code == 401
    headers = dict(await login(factories.national_id()))
    for bad in ("", "dentist", "doctor%00", "x" * 1000):
        response = await client.get(f"/api/v1/quotes?service={bad}", headers=headers)
        assert response.status_code == 422
    other = "/api/v1/quotes?service=doctor&patient_id=00000000-0000-0000-0000-000000000001"
    assert (await client.get(other, headers=headers)).status_code == 404
