"""Certificate requests and doctors' decisions through the HTTP API, on both databases."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from api.clinicians.models import ClinicianKind
from api.policy.rules import get_policy
from tests.api import factories
from tests.api.audit import records
from tests.api.conftest import Clock

Login = Callable[..., Any]
Committed = Callable[..., Any]

POLICY = get_policy()
REFUSED_KINDS = sorted(kind for kind, rules in POLICY.certificates.items() if not rules.allowed)
SCHOOL = POLICY.certificates["school_absence"]
SCHOOL_BODY = {"kind": "school_absence", "education": "university", "days": 3}
PENDING = "/api/v1/clinician/certificates/pending"


def _oslo_day(clock: Clock) -> dt.date:
    return POLICY.local(clock.now).date()


async def _patient(login: Login) -> dict[str, str]:
    return dict(await login(factories.national_id()))


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def _clinician(
    committed: Committed, login: Login, kind: ClinicianKind = ClinicianKind.DOCTOR
) -> dict[str, str]:
    clinician = await committed(factories.clinician, kind=kind)
    return dict(await login(clinician.national_id, role="clinician"))


async def _ask(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post("/api/v1/certificates", json=body, headers=headers)


async def _asked(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await _ask(client, headers, **body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _decide(
    client: httpx.AsyncClient, headers: dict[str, str], request_id: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/clinician/certificates/{request_id}/decision", json=body, headers=headers
    )


# -- what can be asked for ---------------------------------------------------------------


def test_the_faq_refusals_are_in_the_policy() -> None:
    assert {
        "sick_leave",
        "drivers_licence",
        "offshore",
        "seaman",
        "gym_exemption",
        "exam_illness",
        "public_benefits",
        "needs_physical_exam",
    } <= set(REFUSED_KINDS)


@pytest.mark.parametrize("kind", REFUSED_KINDS)
async def test_refused_kinds_say_where_to_go_instead(
    client: httpx.AsyncClient, login: Login, kind: str
) -> None:
    response = await _ask(client, await _patient(login), kind=kind, days=2)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "certificate_not_offered"
    where = POLICY.certificates[kind].where_instead
    assert where and where in body["message"]


@pytest.mark.parametrize("education", ["upper_secondary", "college", "university"])
@pytest.mark.parametrize("days", [1, 5])
async def test_school_absence_can_be_asked_for_by_students(
    client: httpx.AsyncClient, login: Login, education: str, days: int
) -> None:
    headers = await _patient(login)
    me = await _me(client, headers)
    body = await _asked(
        client,
        headers,
        kind="school_absence",
        education=education,
        days=days,
        note="  Fever since yesterday, student ID at hand.  ",
    )
    assert body["status"] == "requested"
    assert (body["patient_id"], body["requested_by_id"]) == (me, me)
    assert (body["education"], body["days"]) == (education, days)
    assert body["note"] == "Fever since yesterday, student ID at hand."
    # Never a promise: nothing is valid until a doctor has assessed it.
    assert (body["valid_from"], body["valid_to"], body["decided_at"]) == (None, None, None)


@pytest.mark.parametrize(
    ("days", "code"),
    [
        (6, "days_out_of_range"),
        (31, "days_out_of_range"),
        (None, "days_out_of_range"),
        # Below one day, or more than a certificate can hold, is not a number of days at all.
        (0, "invalid_request"),
        (32, "invalid_request"),
    ],
)
async def test_school_absence_days_out_of_range(
    client: httpx.AsyncClient, login: Login, days: int | None, code: str
) -> None:
    response = await _ask(
        client, await _patient(login), kind="school_absence", education="college", days=days
    )
    assert response.status_code == 422
    assert response.json()["code"] == code


@pytest.mark.parametrize("education", ["primary", "other", None])
async def test_school_absence_is_for_upper_secondary_and_higher(
    client: httpx.AsyncClient, login: Login, education: str | None
) -> None:
    response = await _ask(
        client, await _patient(login), kind="school_absence", education=education, days=2
    )
    assert response.status_code == 422
    assert response.json()["code"] == "not_eligible"


async def test_chronic_illness_goes_to_the_gp(client: httpx.AsyncClient, login: Login) -> None:
    response = await _ask(client, await _patient(login), **SCHOOL_BODY, chronic=True)
    assert response.status_code == 422
    assert response.json()["code"] == "chronic_illness"
    assert (
        SCHOOL.refused_where_instead
        and SCHOOL.refused_where_instead in (response.json()["message"])
    )


@pytest.mark.parametrize("reason", ["gym_exemption", "exam_illness"])
async def test_gym_and_exam_absence_go_to_the_gp(
    client: httpx.AsyncClient, login: Login, reason: str
) -> None:
    response = await _ask(client, await _patient(login), **SCHOOL_BODY, reason=reason)
    assert response.status_code == 422
    assert response.json()["code"] == "certificate_not_offered"
    assert (
        SCHOOL.refused_where_instead
        and SCHOOL.refused_where_instead in (response.json()["message"])
    )


async def test_travel_cancellation_is_for_trips_not_yet_started_in_oslo(
    client: httpx.AsyncClient, login: Login, clock: Clock, day: dt.date
) -> None:
    # 00:30 in Oslo is still the day before in UTC: "today" must be Oslo's today.
    clock.set_oslo(day.year, day.month, day.day, 0, 30)
    assert clock.now.date() == day - dt.timedelta(days=1)
    headers = await _patient(login)
    past = await _ask(
        client, headers, kind="travel_cancellation", travel_date=clock.now.date().isoformat()
    )
    assert past.status_code == 422
    assert past.json()["code"] == "travel_date_in_past"
    today = await _asked(client, headers, kind="travel_cancellation", travel_date=day.isoformat())
    assert today["travel_date"] == day.isoformat()

    later = await _patient(login)
    future = await _asked(
        client,
        later,
        kind="travel_cancellation",
        travel_date=(day + dt.timedelta(days=30)).isoformat(),
    )
    assert future["status"] == "requested"


async def test_travel_date_belongs_to_travel_cancellations_only(
    client: httpx.AsyncClient, login: Login, day: dt.date
) -> None:
    headers = await _patient(login)
    missing = await _ask(client, headers, kind="travel_cancellation")
    assert missing.status_code == 422
    assert missing.json()["code"] == "travel_date_required"
    stray = await _ask(client, headers, **SCHOOL_BODY, travel_date=day.isoformat())
    assert stray.status_code == 422
    assert stray.json()["code"] == "travel_date_not_applicable"


@pytest.mark.parametrize("kind", ["dentist_note", "", "School_Absence"])
async def test_unknown_kinds_list_what_can_be_assessed(
    client: httpx.AsyncClient, login: Login, kind: str
) -> None:
    response = await _ask(client, await _patient(login), kind=kind)
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_certificate"
    assert "school absence" in response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"kind": 5},
        {"kind": "x" * 41},
        {**SCHOOL_BODY, "education": "phd"},
        {**SCHOOL_BODY, "days": "three"},
        {**SCHOOL_BODY, "days": 2.5},
        {**SCHOOL_BODY, "chronic": "maybe"},
        {**SCHOOL_BODY, "patient_id": "not-a-uuid"},
        {**SCHOOL_BODY, "note": "x" * 501},
        {**SCHOOL_BODY, "note": "fever\x00"},
        {**SCHOOL_BODY, "reason": "r" * 41},
        {**SCHOOL_BODY, "status": "issued"},
        {"kind": "travel_cancellation", "travel_date": "tomorrow"},
        {"kind": "travel_cancellation", "travel_date": "2031-02-30"},
    ],
)
async def test_garbage_bodies_are_refused(
    client: httpx.AsyncClient, login: Login, body: dict[str, Any]
) -> None:
    response = await _ask(client, await _patient(login), **body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


async def test_not_json_is_refused(client: httpx.AsyncClient, login: Login) -> None:
    headers = {**await _patient(login), "Content-Type": "application/json"}
    response = await client.post("/api/v1/certificates", content=b"{kind:", headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


# -- who may see and change what ---------------------------------------------------------


async def test_anonymous_is_401(client: httpx.AsyncClient) -> None:
    some_id = uuid.uuid4()
    for method, path, body in [
        ("POST", "/api/v1/certificates", SCHOOL_BODY),
        ("GET", "/api/v1/certificates", None),
        ("GET", f"/api/v1/certificates/{some_id}", None),
        ("POST", f"/api/v1/certificates/{some_id}/cancel", None),
        ("GET", "/api/v1/clinician/certificates/pending", None),
        ("POST", f"/api/v1/clinician/certificates/{some_id}/decision", {"decision": "issue"}),
    ]:
        response = await client.request(method, path, json=body)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"


async def test_other_patients_requests_are_404(client: httpx.AsyncClient, login: Login) -> None:
    owner, stranger = await _patient(login), await _patient(login)
    asked = await _asked(client, owner, **SCHOOL_BODY)
    for method, path in [
        ("GET", f"/api/v1/certificates/{asked['id']}"),
        ("POST", f"/api/v1/certificates/{asked['id']}/cancel"),
        ("GET", f"/api/v1/certificates/{uuid.uuid4()}"),
    ]:
        response = await client.request(method, path, headers=stranger)
        assert response.status_code == 404, path
    assert (await client.get("/api/v1/certificates", headers=stranger)).json() == []
    # Untouched for its owner.
    still = await client.get(f"/api/v1/certificates/{asked['id']}", headers=owner)
    assert still.json()["status"] == "requested"


async def test_a_guardian_asks_for_their_child(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock
) -> None:
    today = _oslo_day(clock)
    parent = await committed(factories.patient)
    child = await committed(factories.patient, birth_date=today - dt.timedelta(days=365 * 17))
    await committed(factories.guardian_of, parent, child)
    stranger = await committed(factories.patient)
    headers = await login(parent.national_id)

    for_child = await _asked(
        client, headers, **SCHOOL_BODY | {"education": "upper_secondary"}, patient_id=str(child.id)
    )
    assert (for_child["patient_id"], for_child["requested_by_id"]) == (
        str(child.id),
        str(parent.id),
    )
    own = await _asked(client, headers, **SCHOOL_BODY)
    listed = (await client.get("/api/v1/certificates", headers=headers)).json()
    assert {r["id"] for r in listed} == {for_child["id"], own["id"]}
    # The child sees the request made for them, not the parent's own.
    child_view = await client.get("/api/v1/certificates", headers=await login(child.national_id))
    assert [r["id"] for r in child_view.json()] == [for_child["id"]]

    not_mine = await _ask(client, headers, **SCHOOL_BODY, patient_id=str(stranger.id))
    assert not_mine.status_code == 404


async def test_listing_is_newest_first(
    client: httpx.AsyncClient, login: Login, clock: Clock, day: dt.date
) -> None:
    headers = await _patient(login)
    first = await _asked(client, headers, **SCHOOL_BODY)
    clock.now += dt.timedelta(minutes=5)
    second = await _asked(client, headers, kind="travel_cancellation", travel_date=day.isoformat())
    listed = (await client.get("/api/v1/certificates", headers=headers)).json()
    assert [r["id"] for r in listed] == [second["id"], first["id"]]


async def test_one_open_request_per_kind(
    client: httpx.AsyncClient, login: Login, day: dt.date
) -> None:
    headers = await _patient(login)
    first = await _asked(client, headers, **SCHOOL_BODY)
    again = await _ask(client, headers, **SCHOOL_BODY | {"days": 2})
    assert again.status_code == 409
    assert again.json()["code"] == "already_requested"
    # Another kind is fine.
    await _asked(client, headers, kind="travel_cancellation", travel_date=day.isoformat())

    cancelled = await client.post(f"/api/v1/certificates/{first['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    twice = await client.post(f"/api/v1/certificates/{first['id']}/cancel", headers=headers)
    assert twice.status_code == 409
    assert twice.json()["code"] == "not_changeable"
    # Once withdrawn, it can be asked for again.
    await _asked(client, headers, **SCHOOL_BODY)


# -- the doctors' side ---------------------------------------------------------------


async def test_a_doctor_issues_from_the_oslo_day_of_contact(
    client: httpx.AsyncClient, login: Login, committed: Committed, clock: Clock, day: dt.date
) -> None:
    doctor = await _clinician(committed, login)
    # Asked at 00:30 in Oslo (still the day before in UTC), assessed the next afternoon.
    clock.set_oslo(day.year, day.month, day.day, 0, 30)
    headers = await _patient(login)
    school = await _asked(client, headers, **SCHOOL_BODY | {"days": 3})
    clock.now += dt.timedelta(minutes=1)
    other = await _asked(client, await _patient(login), **SCHOOL_BODY | {"days": 5})
    clock.now += dt.timedelta(minutes=1)
    travel = await _asked(client, headers, kind="travel_cancellation", travel_date=day.isoformat())

    pending = await client.get("/api/v1/clinician/certificates/pending", headers=doctor)
    assert pending.status_code == 200
    mine = [r["id"] for r in pending.json() if r["id"] in {school["id"], other["id"], travel["id"]}]
    assert mine == [school["id"], other["id"], travel["id"]]  # oldest first

    clock.set_oslo(day.year, day.month, day.day, 15)
    issued = await _decide(client, doctor, school["id"], decision="issue")
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["status"] == "issued"
    assert body["valid_from"] == day.isoformat()
    assert body["valid_to"] == (day + dt.timedelta(days=2)).isoformat()
    assert body["clinician_id"] is not None
    assert body["decided_at"] is not None

    # The doctor may grant fewer days than asked, but never more than the clinic's maximum.
    too_long = await _decide(client, doctor, other["id"], decision="issue", days=6)
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "days_out_of_range"
    shorter = (await _decide(client, doctor, other["id"], decision="issue", days=1)).json()
    assert (shorter["valid_from"], shorter["valid_to"]) == (day.isoformat(), day.isoformat())

    trip = (await _decide(client, doctor, travel["id"], decision="issue")).json()
    assert (trip["status"], trip["valid_from"], trip["valid_to"]) == (
        "issued",
        day.isoformat(),
        None,
    )

    # The patient sees the decision; decided requests leave the doctors' list.
    seen = (await client.get(f"/api/v1/certificates/{school['id']}", headers=headers)).json()
    assert seen == body
    left = (await client.get("/api/v1/clinician/certificates/pending", headers=doctor)).json()
    assert not {school["id"], other["id"], travel["id"]} & {r["id"] for r in left}
    # Decided: the patient can no longer cancel it.
    late = await client.post(f"/api/v1/certificates/{school['id']}/cancel", headers=headers)
    assert late.status_code == 409


async def test_a_doctor_refuses_with_a_reason(
    client: httpx.AsyncClient, login: Login, committed: Committed
) -> None:
    doctor = await _clinician(committed, login)
    headers = await _patient(login)
    asked = await _asked(client, headers, **SCHOOL_BODY)
    for body in ({"decision": "refuse"}, {"decision": "refuse", "reason": "   "}):
        no_reason = await _decide(client, doctor, asked["id"], **body)
        assert no_reason.status_code == 422
        assert no_reason.json()["code"] == "reason_required"
    refused = await _decide(
        client, doctor, asked["id"], decision="refuse", reason="Long-lasting: see your GP."
    )
    assert refused.status_code == 200
    body = refused.json()
    assert (body["status"], body["decision_reason"]) == ("refused", "Long-lasting: see your GP.")
    assert (body["valid_from"], body["valid_to"]) == (None, None)
    seen = (await client.get(f"/api/v1/certificates/{asked['id']}", headers=headers)).json()
    assert seen["status"] == "refused"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"decision": "approve"},
        {"decision": "refuse", "reason": "no", "days": 2},
        {"decision": "issue", "days": 0},
        {"decision": "issue", "days": "two"},
        {"decision": "refuse", "reason": "x" * 301},
        {"decision": "refuse", "reason": "no\x00"},
        {"decision": "issue", "clinician_id": str(uuid.uuid4())},
    ],
)
async def test_garbage_decisions_are_refused(
    client: httpx.AsyncClient, login: Login, committed: Committed, body: dict[str, Any]
) -> None:
    doctor = await _clinician(committed, login)
    asked = await _asked(client, await _patient(login), **SCHOOL_BODY)
    response = await _decide(client, doctor, asked["id"], **body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


async def test_a_request_is_decided_once(
    client: httpx.AsyncClient, login: Login, committed: Committed
) -> None:
    doctor, colleague = await _clinician(committed, login), await _clinician(committed, login)
    headers = await _patient(login)
    asked = await _asked(client, headers, **SCHOOL_BODY)
    assert (await _decide(client, doctor, asked["id"], decision="issue")).status_code == 200
    for who, body in [
        (doctor, {"decision": "issue"}),
        (colleague, {"decision": "refuse", "reason": "Changed my mind."}),
    ]:
        again = await _decide(client, who, asked["id"], **body)
        assert again.status_code == 409
        assert again.json()["code"] == "already_decided"
    # A withdrawn request cannot be decided either.
    withdrawn = await _asked(client, headers, kind="school_absence", education="college", days=1)
    await client.post(f"/api/v1/certificates/{withdrawn['id']}/cancel", headers=headers)
    late = await _decide(client, doctor, withdrawn["id"], decision="issue")
    assert late.status_code == 409
    assert (await _decide(client, doctor, str(uuid.uuid4()), decision="issue")).status_code == 404


async def test_only_doctors_assess_certificates(
    client: httpx.AsyncClient, login: Login, committed: Committed
) -> None:
    psychologist = await _clinician(committed, login, ClinicianKind.PSYCHOLOGIST)
    headers = await _patient(login)
    asked = await _asked(client, headers, **SCHOOL_BODY)
    decided = await _decide(client, psychologist, asked["id"], decision="issue")
    assert decided.status_code == 403
    assert decided.json()["code"] == "forbidden"
    listed = await client.get("/api/v1/clinician/certificates/pending", headers=psychologist)
    assert listed.status_code == 403
    # Patients are not clinicians, not even for their own request.
    for method, path, body in [
        ("GET", "/api/v1/clinician/certificates/pending", None),
        ("POST", f"/api/v1/clinician/certificates/{asked['id']}/decision", {"decision": "issue"}),
    ]:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, path
    # And clinicians are not patients.
    assert (await client.get("/api/v1/certificates", headers=psychologist)).status_code == 403
    still = (await client.get(f"/api/v1/certificates/{asked['id']}", headers=headers)).json()
    assert still["status"] == "requested"


# -- the audit log -------------------------------------------------------------------------


async def test_every_read_of_a_request_is_audited_and_support_is_refused(
    client: httpx.AsyncClient,
    app: FastAPI,
    login: Login,
    committed: Committed,
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    headers = await _patient(login)
    me = await _me(client, headers)
    asked = await _asked(client, headers, **SCHOOL_BODY, note="Stomach flu since Monday")
    agent = await committed(factories.support_agent)
    doctor = await committed(factories.clinician)
    reads: list[tuple[dict[str, str], str, int]] = [
        (headers, f"/api/v1/certificates/{asked['id']}", 200),
        (records.assistant(app, me), "/api/v1/certificates", 200),
        (await login(doctor.national_id, role="clinician"), PENDING, 200),
        (
            await login(agent.national_id, role="support"),
            f"/api/v1/certificates/{asked['id']}",
            403,
        ),
    ]
    for who, path, status in reads:
        clock.now += dt.timedelta(seconds=1)
        response = await client.get(path, headers=who)
        assert response.status_code == status, path
        assert status == 200 or "Stomach" not in response.text

    about = ("certificate.read", "certificate", asked["id"], me)
    assert await records.on_subject(engine, asked["id"]) == [
        ("patient", me, *about, "own_access", "granted"),
        ("assistant", None, *about, "assistant_on_behalf", "granted"),
        ("clinician", str(doctor.id), *about, "certificate_review", "granted"),
        ("support", str(agent.id), *about, "none", "denied"),
    ]


async def test_garbage_certificate_ids_are_422_and_record_nothing(
    client: httpx.AsyncClient, login: Login, committed: Committed, engine: AsyncEngine
) -> None:
    agent = await committed(factories.support_agent)
    before = await records.count(engine)
    for headers in (await _patient(login), await login(agent.national_id, role="support")):
        for garbage in ("x", "42", "None", "9" * 64):
            response = await client.get(f"/api/v1/certificates/{garbage}", headers=headers)
            assert response.status_code == 422, garbage
            assert response.json()["code"] == "invalid_request"
    assert await records.count(engine) == before
