"""Renewal requests through the HTTP API, on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from api.clinicians.models import ClinicianKind
from api.core.db import create_sessionmaker
from tests.api import factories
from tests.api.audit import records
from tests.api.conftest import Clock
from tests.api.factories import oslo

Login = Callable[..., Any]
Committed = Callable[..., Any]


async def _patient_with(
    committed: Committed, substance: str, clock: Clock, months_ago: int = 2
) -> Any:
    patient = await committed(factories.patient)
    on = clock().date() - dt.timedelta(days=30 * months_ago)
    await committed(factories.dispensed, patient, substance, on)
    return patient


async def _doctor_headers(
    engine: AsyncEngine, login: Login, kind: ClinicianKind = ClinicianKind.DOCTOR
) -> dict[str, str]:
    async with create_sessionmaker(engine)() as session:
        doctor = await factories.clinician(session, kind=kind)
        await session.commit()
    return dict(await login(doctor.national_id, role="clinician"))


def _body(medication: str, **extra: Any) -> dict[str, Any]:
    return {"medication": medication, "consent_prescription_list": True, **extra}


async def test_renewal_is_paid_queued_and_due_within_opening_hours(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock, day: dt.date
) -> None:
    clock.now = oslo(day, 21, 0)
    patient = await _patient_with(committed, "levothyroxine", clock)
    headers = await login(patient.national_id)
    response = await client.post("/api/v1/renewals", json=_body("levotyroksin 50"), headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["substance"], body["atc"], body["status"]) == (
        "levothyroxine",
        "H03AA01",
        "requested",
    )
    assert body["due_at"] == oslo(day + dt.timedelta(days=1), 8, 0).isoformat().replace(
        "+00:00", "Z"
    )
    assert body["queue_position"] >= 1
    receipt = (await client.get(f"/api/v1/orders/{body['order_id']}", headers=headers)).json()
    assert receipt["total_ore"] == 275_00
    again = await client.post("/api/v1/renewals", json=_body("Levaxin"), headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "renewal_already_open"


@pytest.mark.parametrize(
    ("medication", "code"),
    [
        ("Imovane", "addictive_drug"),
        ("oxycodone", "addictive_drug"),
        ("Lyrica", "excluded_substance"),
        ("amoxicillin", "limited_period_drug"),
        ("qwertyuiop", "unknown_medication"),
    ],
)
async def test_refused_at_once_without_charge(
    client: httpx.AsyncClient,
    login: Login,
    committed: Committed,
    clock: Clock,
    medication: str,
    code: str,
) -> None:
    patient = await committed(factories.patient)
    for substance in ("zopiclone", "oxycodone", "pregabalin", "amoxicillin"):
        await committed(factories.dispensed, patient, substance, clock().date())
    headers = await login(patient.national_id)
    response = await client.post("/api/v1/renewals", json=_body(medication), headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert (await client.get("/api/v1/renewals", headers=headers)).json() == []


async def test_without_consent_or_recent_dispensing_nothing_is_renewed(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock
) -> None:
    patient = await _patient_with(committed, "sertraline", clock, months_ago=16)
    headers = await login(patient.national_id)
    no_consent = await client.post(
        "/api/v1/renewals",
        json={"medication": "sertralin", "consent_prescription_list": False},
        headers=headers,
    )
    assert no_consent.json()["code"] == "consent_required"
    stale = await client.post("/api/v1/renewals", json=_body("sertralin"), headers=headers)
    assert stale.json()["code"] == "not_dispensed_recently"
    too_much = await client.post(
        "/api/v1/renewals", json=_body("sertralin", supply_days=120), headers=headers
    )
    assert too_much.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"medication": "", "consent_prescription_list": True},
        {"medication": "x" * 201, "consent_prescription_list": True},
        {"medication": "Levaxin"},
        {"medication": "Levaxin", "consent_prescription_list": True, "supply_days": 0},
        {"medication": "Levaxin", "consent_prescription_list": "yes please"},
        {"medication": "Levaxin", "consent_prescription_list": True, "extra": 1},
    ],
)
async def test_garbage_is_refused(
    client: httpx.AsyncClient, login: Login, body: dict[str, Any]
) -> None:
    response = await client.post(
        "/api/v1/renewals", json=body, headers=await login(factories.national_id())
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("decision", "status", "refunded"),
    [
        ("approve", "approved", 0),
        ("refuse", "refused", 275_00),
        ("consult", "consult_requested", 275_00),
    ],
)
async def test_doctor_decides_and_refusals_are_refunded(
    client: httpx.AsyncClient,
    login: Login,
    committed: Committed,
    clock: Clock,
    engine: AsyncEngine,
    decision: str,
    status: str,
    refunded: int,
) -> None:
    patient = await _patient_with(committed, "escitalopram", clock)
    headers = await login(patient.national_id)
    renewal = (
        await client.post("/api/v1/renewals", json=_body("Cipralex"), headers=headers)
    ).json()
    doctor = await _doctor_headers(engine, login)
    queue = (await client.get("/api/v1/clinician/renewals", headers=doctor)).json()
    assert renewal["id"] in {r["id"] for r in queue}
    decided = await client.post(
        f"/api/v1/clinician/renewals/{renewal['id']}/decision",
        json={"decision": decision, "reason": None if decision == "approve" else "Needs a talk"},
        headers=doctor,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == status
    receipt = (await client.get(f"/api/v1/orders/{renewal['order_id']}", headers=headers)).json()
    assert receipt["refunded_ore"] == refunded
    twice = await client.post(
        f"/api/v1/clinician/renewals/{renewal['id']}/decision",
        json={"decision": "approve"},
        headers=doctor,
    )
    assert twice.status_code == 409
    # The patient can ask again once the first is decided.
    assert (
        await client.post("/api/v1/renewals", json=_body("Cipralex"), headers=headers)
    ).status_code == 201


async def test_refusal_needs_a_reason_and_only_doctors_decide(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock, engine: AsyncEngine
) -> None:
    patient = await _patient_with(committed, "atorvastatin", clock)
    headers = await login(patient.national_id)
    renewal = (await client.post("/api/v1/renewals", json=_body("Lipitor"), headers=headers)).json()
    doctor = await _doctor_headers(engine, login)
    no_reason = await client.post(
        f"/api/v1/clinician/renewals/{renewal['id']}/decision",
        json={"decision": "refuse"},
        headers=doctor,
    )
    assert no_reason.json()["code"] == "reason_required"
    psychologist = await _doctor_headers(engine, login, ClinicianKind.PSYCHOLOGIST)
    assert (await client.get("/api/v1/clinician/renewals", headers=psychologist)).status_code == 403
    assert (await client.get("/api/v1/clinician/renewals", headers=headers)).status_code == 403


async def test_parent_renews_for_child_and_others_see_nothing(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock
) -> None:
    parent = await committed(factories.patient)
    child = await committed(factories.patient, birth_date=clock().date() - dt.timedelta(days=3650))
    await committed(factories.guardian_of, parent, child)
    await committed(
        factories.dispensed, child, "salbutamol", clock().date() - dt.timedelta(days=40)
    )
    headers = await login(parent.national_id)
    renewal = await client.post(
        "/api/v1/renewals", json=_body("Ventolin", patient_id=str(child.id)), headers=headers
    )
    assert renewal.status_code == 201, renewal.text
    assert renewal.json()["patient_id"] == str(child.id)
    stranger = await login(factories.national_id())
    assert (
        await client.get(f"/api/v1/renewals/{renewal.json()['id']}", headers=stranger)
    ).status_code == 404
    assert (
        await client.post(f"/api/v1/renewals/{renewal.json()['id']}/cancel", headers=stranger)
    ).status_code == 404


async def test_insured_renewal_is_free_and_cancel_refunds_paid_ones(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock
) -> None:
    insured = await _patient_with(committed, "omeprazole", clock)
    await committed(factories.insurance, insured)
    renewal = (
        await client.post(
            "/api/v1/renewals", json=_body("Losec"), headers=await login(insured.national_id)
        )
    ).json()
    receipt = (
        await client.get(
            f"/api/v1/orders/{renewal['order_id']}", headers=await login(insured.national_id)
        )
    ).json()
    assert (receipt["total_ore"], receipt["insurance_cover_ore"]) == (0, 275_00)

    payer = await _patient_with(committed, "cetirizine", clock)
    headers = await login(payer.national_id)
    paid = (await client.post("/api/v1/renewals", json=_body("Zyrtec"), headers=headers)).json()
    cancelled = await client.post(f"/api/v1/renewals/{paid['id']}/cancel", headers=headers)
    assert cancelled.json()["status"] == "cancelled"
    receipt = (await client.get(f"/api/v1/orders/{paid['order_id']}", headers=headers)).json()
    assert receipt["refunded_ore"] == 275_00


# -- the audit log -------------------------------------------------------------------------


async def test_every_read_of_a_renewal_is_audited_with_its_purpose(
    client: httpx.AsyncClient,
    app: FastAPI,
    login: Login,
    committed: Committed,
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    parent = await committed(factories.patient)
    child = await committed(factories.patient, birth_date=clock().date() - dt.timedelta(days=3650))
    await committed(factories.guardian_of, parent, child)
    await committed(factories.dispensed, parent, "levothyroxine", clock().date())
    await committed(factories.dispensed, child, "salbutamol", clock().date())
    headers = await login(parent.national_id)
    own = (await client.post("/api/v1/renewals", json=_body("Levaxin"), headers=headers)).json()
    for_child = (
        await client.post(
            "/api/v1/renewals", json=_body("Ventolin", patient_id=str(child.id)), headers=headers
        )
    ).json()
    parent_id, child_id = str(parent.id), str(child.id)

    # A list is one audit row per renewal in it, each in its own patient's log.
    listed = await client.get("/api/v1/renewals", headers=headers)
    assert records.ids(listed.json()) == {own["id"], for_child["id"]}
    assert await records.of_patient(engine, parent_id) == [
        (
            "patient",
            parent_id,
            "renewal.read",
            "renewal",
            own["id"],
            parent_id,
            "own_access",
            "granted",
        )
    ]
    assert await records.of_patient(engine, child_id) == [
        (
            "patient",
            parent_id,
            "renewal.read",
            "renewal",
            for_child["id"],
            child_id,
            "guardian",
            "granted",
        )
    ]

    clock.now += dt.timedelta(seconds=1)
    bot = await client.get(
        f"/api/v1/renewals/{own['id']}", headers=records.assistant(app, parent.id)
    )
    assert bot.status_code == 200
    clock.now += dt.timedelta(seconds=1)
    doctor = await committed(factories.clinician)
    queue = await client.get(
        "/api/v1/clinician/renewals", headers=await login(doctor.national_id, role="clinician")
    )
    assert {own["id"], for_child["id"]} <= records.ids(queue.json())
    assert (await records.on_subject(engine, own["id"]))[1:] == [
        (
            "assistant",
            None,
            "renewal.read",
            "renewal",
            own["id"],
            parent_id,
            "assistant_on_behalf",
            "granted",
        ),
        (
            "clinician",
            str(doctor.id),
            "renewal.read",
            "renewal",
            own["id"],
            parent_id,
            "renewal_review",
            "granted",
        ),
    ]


async def test_support_is_refused_renewal_details_and_each_refusal_is_audited(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock, engine: AsyncEngine
) -> None:
    patient = await _patient_with(committed, "losartan", clock)
    renewal = (
        await client.post(
            "/api/v1/renewals", json=_body("Cozaar"), headers=await login(patient.national_id)
        )
    ).json()
    agent = await committed(factories.support_agent)
    support = await login(agent.national_id, role="support")
    for path in (
        f"/api/v1/renewals/{renewal['id']}",
        "/api/v1/renewals",
        "/api/v1/clinician/renewals",
    ):
        clock.now += dt.timedelta(seconds=1)
        refused = await client.get(path, headers=support)
        assert refused.status_code == 403, path
        assert refused.json()["code"] == "forbidden"
        assert "losartan" not in refused.text.lower()
    # The one about a known renewal names its patient; the lists reached no one's row.
    denied = ("renewal.read", "renewal")
    assert await records.by_actor(engine, agent.id) == [
        ("support", str(agent.id), *denied, renewal["id"], str(patient.id), "none", "denied"),
        ("support", str(agent.id), *denied, None, None, "none", "denied"),
        ("support", str(agent.id), *denied, None, None, "none", "denied"),
    ]
    # A psychologist may not review renewals either: refused, and recorded as such.
    psychologist = await committed(factories.clinician, kind=ClinicianKind.PSYCHOLOGIST)
    queue = await client.get(
        "/api/v1/clinician/renewals",
        headers=await login(psychologist.national_id, role="clinician"),
    )
    assert queue.status_code == 403
    assert await records.by_actor(engine, psychologist.id) == [
        ("clinician", str(psychologist.id), *denied, None, None, "renewal_review", "denied")
    ]


async def test_garbage_renewal_ids_are_422_and_record_nothing(
    client: httpx.AsyncClient, login: Login, committed: Committed, engine: AsyncEngine
) -> None:
    agent = await committed(factories.support_agent)
    before = await records.count(engine)
    for headers in (
        await login(factories.national_id()),
        await login(agent.national_id, role="support"),
    ):
        for garbage in ("x", "1", "true", "9" * 64, "{}"):
            response = await client.get(f"/api/v1/renewals/{garbage}", headers=headers)
            assert response.status_code == 422, garbage
            assert response.json()["code"] == "invalid_request"
    assert await records.count(engine) == before
