"""GET /api/v1/support/metrics on a seeded tracker store, against figures counted by hand."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.chat.tracker_store import TrackerStore
from api.core.settings import DEV_SERVICE_TOKEN
from tests.api import factories
from tests.api.conftest import Clock
from tests.api.support_metrics import scenario
from tests.api.support_metrics.scenario import Scenario

Login = Callable[..., Any]
SERVICE = {"Authorization": f"Bearer {DEV_SERVICE_TOKEN}"}
DAY1 = dt.date(2031, 1, 14)  # a Tuesday in winter: no daylight-saving change near it
RATES = ("containment_rate", "handoff_rate", "abandonment_rate", "recontact_rate")


async def seed(
    client: httpx.AsyncClient, tracker: TrackerStore, clock: Clock, day1: dt.date = DAY1
) -> Scenario:
    """The worked example in the tracker store, and its tickets opened as the actions do."""
    seeded = scenario.build(day1, prefix=uuid.uuid4().hex[:8])
    for talk in seeded.talks:
        await tracker.seed(talk.sender_id, talk.events)
    for ticket in seeded.tickets:
        clock.now = ticket.at
        body = {
            "conversation_id": ticket.conversation_id,
            "reason": ticket.reason,
            "channel": ticket.channel,
        }
        opened = await client.post("/api/v1/internal/handoffs", json=body, headers=SERVICE)
        assert opened.status_code == 201, opened.text
    # Well after the last conversation (day 3's), so every wait has ended.
    clock.now = scenario.oslo(day1 + dt.timedelta(days=3), 12)
    return seeded


async def support_headers(committed: Callable[..., Any], login: Login) -> dict[str, str]:
    agent = await committed(factories.support_agent)
    return dict(await login(agent.national_id, role="support"))


def counts(figures: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in figures.items() if key not in RATES}


async def test_the_figures_of_the_worked_example(
    client: httpx.AsyncClient,
    tracker: TrackerStore,
    clock: Clock,
    committed: Callable[..., Any],
    login: Login,
) -> None:
    await seed(client, tracker, clock)
    headers = await support_headers(committed, login)
    response = await client.get(
        "/api/v1/support/metrics",
        params={"from": DAY1.isoformat(), "to": (DAY1 + dt.timedelta(days=1)).isoformat()},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["channel"]) == ("2031-01-14", "2031-01-15", None)
    assert body["timezone"] == "Europe/Oslo"
    day1, day2 = body["days"]
    assert (day1["day"], day2["day"]) == ("2031-01-14", "2031-01-15")
    for day, expected in ((day1, scenario.EXPECTED_DAY1), (day2, scenario.EXPECTED_DAY2)):
        assert {c: counts(f) for c, f in day["by_channel"].items()} == expected, day["day"]
    assert [
        (n, day["total"]["conversations"], day["total"]["contained"], day["total"]["handed_off"])
        for n, day in enumerate(body["days"], start=1)
    ] == scenario.EXPECTED_DAY_TOTALS
    assert counts(body["total"]) == scenario.EXPECTED_TOTAL
    assert {rate: body["total"][rate] for rate in RATES} == scenario.EXPECTED_RATES
    # Day 1 by itself: 4 of 6 contained, 2 handed off.
    assert (day1["total"]["containment_rate"], day1["total"]["handoff_rate"]) == (0.6667, 0.3333)
    assert list(body["total"]["faq_topics"]) == [
        "opening_hours",
        "cancel_doctor",
        "prices",
        "receipt",
        "refunds",
    ]
    assert [(m["channel"], m["reason"], m["text"]) for m in body["unanswered"]] == (
        scenario.EXPECTED_UNANSWERED
    )
    assert body["unanswered_total"] == 4
    # The symptom answer typed into the form (H) is never shown to support.
    assert all("rash" not in m["text"] for m in body["unanswered"])
    assert set(body["definitions"]) >= {"conversations", "abandoned", "escalations"}


async def test_one_channel_only(
    client: httpx.AsyncClient,
    tracker: TrackerStore,
    clock: Clock,
    committed: Callable[..., Any],
    login: Login,
) -> None:
    await seed(client, tracker, clock)
    headers = await support_headers(committed, login)
    params = {"from": "2031-01-14", "to": "2031-01-15", "channel": "sms"}
    body = (await client.get("/api/v1/support/metrics", params=params, headers=headers)).json()
    assert body["channel"] == "sms"
    assert [list(day["by_channel"]) for day in body["days"]] == [["sms"], ["sms"]]
    assert [counts(day["total"]) for day in body["days"]] == [
        scenario.EXPECTED_DAY1["sms"],
        scenario.EXPECTED_DAY2["sms"],
    ]
    total = body["total"]
    # B E G B2: two handed off (B, E), two re-contacts (B, B2), three unanswered (E, E, G).
    assert (total["conversations"], total["handed_off"], total["contained"]) == (4, 2, 2)
    assert (total["recontacted"], total["faq_answers"], total["unanswered"]) == (2, 2, 3)
    assert total["handoff_rate"] == 0.5
    assert [m["channel"] for m in body["unanswered"]] == ["sms", "sms", "sms"]


async def test_a_conversation_counts_on_the_day_it_started(
    client: httpx.AsyncClient,
    tracker: TrackerStore,
    clock: Clock,
    committed: Callable[..., Any],
    login: Login,
) -> None:
    """F began at 23:30 on day 1: its 00:10 answer on day 2 stays with day 1."""
    await seed(client, tracker, clock)
    headers = await support_headers(committed, login)
    params = {"from": "2031-01-15", "to": "2031-01-15"}
    body = (await client.get("/api/v1/support/metrics", params=params, headers=headers)).json()
    [day] = body["days"]
    assert day["day"] == "2031-01-15"
    assert counts(day["total"]) == counts(body["total"])
    assert body["total"]["conversations"] == 6
    assert body["total"]["faq_topics"] == {"cancel_doctor": 1, "opening_hours": 1}
    # Day 0's conversation (Z) ran into day 1 but is not day 1's either.
    params = {"from": "2031-01-13", "to": "2031-01-13"}
    day0 = (await client.get("/api/v1/support/metrics", params=params, headers=headers)).json()
    assert day0["total"]["conversations"] == 1
    assert day0["total"]["faq_topics"] == {"devices": 1, "prices": 1}


async def test_days_without_conversations_are_listed_with_zeros(
    client: httpx.AsyncClient, committed: Callable[..., Any], login: Login
) -> None:
    """Before Rasa has ever started there is no events table: nothing to count, no error."""
    headers = await support_headers(committed, login)
    params = {"from": "2031-02-01", "to": "2031-02-03"}
    response = await client.get("/api/v1/support/metrics", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [day["day"] for day in body["days"]] == ["2031-02-01", "2031-02-02", "2031-02-03"]
    assert {day["total"]["conversations"] for day in body["days"]} == {0}
    assert body["total"]["containment_rate"] is None
    assert body["unanswered"] == [] and body["unanswered_total"] == 0


async def test_only_support_staff_see_the_figures(
    client: httpx.AsyncClient, committed: Callable[..., Any], login: Login
) -> None:
    params = {"from": "2031-01-14", "to": "2031-01-15"}
    assert (await client.get("/api/v1/support/metrics", params=params)).status_code == 401
    patient = await login(factories.national_id())
    doctor = await committed(factories.clinician)
    clinician = await login(doctor.national_id, role="clinician")
    for headers in (patient, clinician):
        response = await client.get("/api/v1/support/metrics", params=params, headers=headers)
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"to": "2031-01-15"}, "Field required"),
        ({"from": "yesterday", "to": "2031-01-15"}, "YYYY-MM-DD"),
        ({"from": "2031-13-01", "to": "2031-01-15"}, "month"),
        ({"from": "2031-01-14T00:00", "to": "2031-01-15"}, "YYYY-MM-DD"),
        ({"from": "1700000000", "to": "2031-01-15"}, "YYYY-MM-DD"),
        ({"from": "2031-01-15", "to": "2031-01-14"}, "'to' must not be before 'from'"),
        ({"from": "2031-01-01", "to": "2031-04-03"}, "at most 92 days"),
        ({"from": "1900-01-01", "to": "1900-01-02"}, "greater than or equal"),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "less than or equal"),
        ({"from": "2031-01-14", "to": "2031-01-15", "channel": "fax"}, "'chat' or 'sms'"),
        ({"from": "2031-01-14", "to": "2031-01-15", "page": "2"}, "Extra inputs"),
    ],
)
async def test_garbage_queries_are_refused_clearly(
    client: httpx.AsyncClient,
    committed: Callable[..., Any],
    login: Login,
    params: dict[str, str],
    says: str,
) -> None:
    headers = await support_headers(committed, login)
    response = await client.get("/api/v1/support/metrics", params=params, headers=headers)
    assert response.status_code == 422, response.text[:300]
    body = response.json()
    assert body["code"] == "invalid_request"
    assert any(says in detail["msg"] for detail in body["details"]), body["details"]
