"""Property-based fuzzing of the whole HTTP API against its own OpenAPI schema.

Schemathesis reads ``/openapi.json`` from a real app on a real database (both backends) and
generates requests for every operation, valid and invalid (Hypothesis, derandomized so CI runs
are reproducible). Routes that read a token are called mostly by the role they are for (a
patient with a child, a doctor on duty, a support agent, the action server), and briefly
anonymously (no token, or a forged one) and with the other roles' tokens, so the authenticated
code paths run too.

Random values rarely hit a real row, so some generated values are swapped for known ones:
ids harvested from earlier answers (free slots, bookings, queue places, orders, renewals),
seeded patients, valid identity numbers, the doctors' working day, medicine names, one shared
Idempotency-Key, and awkward text (NUL, blanks, emoji, right-to-left marks) for free-text
fields. Operations run in schema order, cancelling last, so later ones act on what earlier
ones made.

The test fails on any 5xx, except the two 503s that are expected here: Rasa and the action
server point at closed ports, so ``POST /api/v1/chat`` and ``GET /api/v1/health`` answer 503.
Responses must also match their documented schemas and content types. Undocumented status
codes are only reported (FastAPI documents 2xx and 422, not the 401/403/404/409 the routes
answer on purpose); run with ``-s`` to see that report and which statuses each call got.

Schemathesis's ASGI transport is synchronous (its own event loop in a thread), so this is a
plain ``def`` test with an app instance of its own, whose lifespan schemathesis starts on that
loop; it is ended with the test.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.python import asgi
from schemathesis.schemas import APIOperation, BaseSchema

import api
from api.clinicians.models import Clinician, ClinicianKind
from api.main import create_app
from api.patients.models import Patient
from api.support.models import SupportAgent
from tests.api import factories
from tests.api.conftest import Clock, OnDuty, make_settings

Committed = Callable[..., Awaitable[Any]]
Operation = APIOperation[Any, Any, Any, Any]
AnyCase = Case[Any]
API_DIR = Path(api.__file__).parent  # tracebacks show the app's own frames only

# Examples per operation for the role it is for; a quarter of that for everyone else.
MAX_EXAMPLES = 16

# Rasa and the action server are down on purpose in these tests, and no Twilio account is
# configured (no code can be texted): these 503s are the contract.
EXPECTED_503 = frozenset(
    {
        "GET /api/v1/health",
        "POST /api/v1/chat",
        "GET /api/v1/chat/history",
        "POST /api/v1/sms/verifications",
        # Taking a conversation pauses Rasa, handing it back resumes it, a reply is added to
        # its tracker: with Rasa down, nothing changes and the inbox says to try again.
        "POST /api/v1/support/tickets/{ticket_id}/take",
        "POST /api/v1/support/tickets/{ticket_id}/reply",
        "POST /api/v1/support/tickets/{ticket_id}/hand-back",
        "POST /api/v1/support/tickets/{ticket_id}/close",
    }
)

# Asserted on every response, besides the 5xx rule.
ENFORCED_CHECKS = [response_schema_conformance, content_type_conformance]
# Only reported.
REPORTED_CHECKS = [status_code_conformance]

# Known values are pooled by field name (ids harvested from answers go to the pool named like
# the field that holds them); a few names share a pool.
SHARED_POOLS = {"booking_id": "appointment_id"}
# Free-text body fields also get awkward strings, which generation finds only by luck.
TEXT_FIELDS = frozenset({"given_name", "family_name", "text", "conversation_id", "reason", "note"})
AWKWARD = "awkward text"  # the pool's name; no field is called that
AWKWARD_TEXT = (
    "a\x00b",  # NUL: valid JSON and valid for Pydantic, but PostgreSQL text cannot hold it
    "   ",
    "Åse Ødegård-Ærø 🙂👨‍👩‍👧 \u202egnp.exe",
)


def _pool(name: str) -> str:
    return SHARED_POOLS.get(name.lower(), name.lower())


def _fields(operation: Operation) -> dict[str, list[str]]:
    """The header, query and JSON body field names an operation declares."""
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    body = content.get("application/json", {}).get("schema", {})
    if body.get("$ref", "").startswith("#/components/schemas/"):
        body = operation.schema.raw_schema["components"]["schemas"][body["$ref"].split("/")[-1]]
    return {
        "headers": [parameter.name for parameter in operation.headers],
        "query": [parameter.name for parameter in operation.query],
        "body": list(body.get("properties", {})),
    }


@dataclass
class Known:
    """Values that reach real rows: seeded up front, plus ids harvested from answers."""

    # Insertion-ordered (dicts as ordered sets), so which value a derandomized run picks does
    # not depend on random UUIDs.
    pools: defaultdict[str, dict[Any, None]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, pool: str, *values: Any) -> None:
        self.pools[_pool(pool)].update(dict.fromkeys(values))

    def harvest(self, operation: Operation, answer: Any) -> None:
        """Ids of what an answer shows: ``{x}_id`` fields, and the ids of the listed resource.

        ``GET /api/v1/slots`` lists ``slot_id``s, ``/api/v1/clinician/renewals`` ``renewal_id``s;
        bookings and queue places are appointments, whichever route shows them.
        """
        resource = operation.path.removeprefix("/api/v1/").split("/")
        if resource[0] in {"clinician", "support"}:
            resource = resource[1:]
        listed = f"{resource[0].removesuffix('s')}_id"
        for item in answer if isinstance(answer, list) else [answer]:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                self.add(listed, item["id"])
        self._ids(answer)

    def _ids(self, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                self._ids(item)
        if not isinstance(value, dict):
            return
        if {"mode", "status", "id"} <= value.keys():  # AppointmentOut, wherever it is nested
            self.add("appointment_id", value["id"])
        for key, item in value.items():
            if key.endswith("_id") and isinstance(item, str):
                self.add(key, item)
            elif isinstance(item, dict) and isinstance(item.get("id"), str):
                self.add(f"{key}_id", item["id"])  # e.g. a booking's "order": {"id": ...}
            if isinstance(item, dict | list):
                self._ids(item)

    def reuse(self, case: AnyCase, fields: dict[str, list[str]], data: st.DataObject) -> None:
        """Swap some generated values for known ones (and add some optional fields left out),
        so requests get past "no such row" and reach the code behind it."""
        case.headers = case.headers if case.headers is not None else {}
        case.query = case.query if case.query is not None else {}
        body = case.body if isinstance(case.body, dict) else None
        for name, container in (
            *((name, case.path_parameters) for name in case.path_parameters or {}),
            *((name, case.headers) for name in fields["headers"]),
            *((name, case.query) for name in fields["query"]),
            *((name, body) for name in (fields["body"] if body is not None else [])),
        ):
            assert container is not None
            pool = list(self.pools.get(_pool(name), ()))
            awkward = list(self.pools[AWKWARD]) if container is body and name in TEXT_FIELDS else []
            if not pool and not awkward:
                continue
            # Generated values are replaced three times in four; absent fields added half the time.
            if name in container:
                if not data.draw(st.integers(0, 3), label=f"reuse a known {name}"):
                    continue
            elif not data.draw(st.booleans(), label=f"add a known {name}"):
                continue
            choices = [st.sampled_from(values) for values in (pool, awkward) if values]
            container[name] = data.draw(st.one_of(choices), label=name)


def _summary(exc: BaseException, indent: str = "    ") -> list[str]:
    """An exception, its causes and sub-exceptions, with the app's own frames."""
    lines: list[str] = []
    current: BaseException | None = exc
    while current is not None:
        message = str(current).strip().splitlines()
        lines.append(f"{indent}{type(current).__name__}: {message[0] if message else ''}")
        lines.extend(
            f"{indent}  at {Path(frame.filename).relative_to(API_DIR.parent)}:{frame.lineno}"
            f" in {frame.name}"
            for frame in traceback.extract_tb(current.__traceback__)
            if Path(frame.filename).is_relative_to(API_DIR)
        )
        for sub in getattr(current, "exceptions", ()):
            lines.extend(_summary(sub, indent + "  "))
        current = current.__cause__
    return lines


@dataclass
class Findings:
    """Server errors fail the test; contract mismatches and answer counts are reported."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    mismatches: dict[tuple[str, str, int], str] = field(default_factory=dict)
    statuses: Counter[tuple[str, str, int]] = field(default_factory=Counter)

    def fail(self, where: str, case: AnyCase, what: list[str]) -> None:
        """Keep the first failure of each operation and identity, with a curl line."""
        if where not in self.errors:
            # The curl line hides headers that look secret; the test's own ones are not.
            sent = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
            self.errors[where] = [
                *what,
                f"    reproduce: {case.as_curl_command()}",
                f"    headers sent besides the token: {sent}",
            ]

    def report(self) -> str:
        lines = ["Answers seen (operation as identity: status x count):"]
        by_call: dict[tuple[str, str], list[str]] = {}
        for (label, identity, status), count in sorted(self.statuses.items()):
            by_call.setdefault((label, identity), []).append(f"{status}x{count}")
        lines += [f"  {label} as {who}: {' '.join(seen)}" for (label, who), seen in by_call.items()]
        if self.mismatches:
            lines.append(f"{len(self.mismatches)} documented-contract mismatch(es), not asserted:")
            lines += [
                f"  {label} -> {status} [{check}]: {message}"
                for (label, check, status), message in sorted(self.mismatches.items())
            ]
        if self.errors:
            lines.append(f"{len(self.errors)} operation(s) failing:")
            for where, what in self.errors.items():
                lines += [f"--- {where}", *what]
        return "\n".join(lines)


def _fuzz(
    operation: Operation,
    identity: str,
    token: str | None,
    examples: int,
    known: Known,
    findings: Findings,
) -> None:
    where = f"{operation.label} as {identity}"
    fields = _fields(operation)
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=strategy, data=st.data())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    def run(case: AnyCase, data: st.DataObject) -> None:
        case.headers = case.headers if case.headers is not None else {}
        if token is not None:
            case.headers["Authorization"] = f"Bearer {token}"
        elif data.draw(st.booleans(), label="drop the generated token"):
            case.headers.pop("Authorization", None)
        known.reuse(case, fields, data)

        try:
            response = case.call()
        except Exception as exc:
            # The app raised: Starlette answered 500 and the transport re-raised it here.
            findings.statuses[operation.label, identity, 500] += 1
            findings.fail(where, case, ["    500, the app raised:", *_summary(exc)])
            raise
        status = response.status_code
        findings.statuses[operation.label, identity, status] += 1
        expected_503 = operation.label in EXPECTED_503 and status == 503
        if status >= 500 and not expected_503:
            findings.fail(where, case, [f"    {status}: {response.text[:300]}"])
            # Schemathesis's own check: fails this example, with a curl line to reproduce it.
            case.validate_response(response, checks=[not_a_server_error])
            raise AssertionError(f"{where} answered {status}")
        if status < 300 and "json" in (response.headers.get("content-type") or [""])[0]:
            known.harvest(operation, response.json())

        if not expected_503:
            for check in REPORTED_CHECKS:
                try:
                    case.validate_response(response, checks=[check])
                except FailureGroup as failure:
                    titles = "; ".join(str(f.title) for f in failure.exceptions)
                    findings.mismatches.setdefault(
                        (operation.label, check.__name__, status), titles
                    )
        try:
            case.validate_response(response, checks=ENFORCED_CHECKS)
        except FailureGroup as failure:
            findings.fail(where, case, [f"    {status}, off-contract:", str(failure)])
            raise

    try:
        run()
    except Exception as exc:
        # Hypothesis's verdict (shrunk example, or "flaky" when the database had moved on).
        findings.errors.setdefault(where, []).append(f"    Hypothesis: {str(exc).splitlines()[0]}")


def _login(schema: BaseSchema, national_id: str, role: str) -> str:
    """A token from the development identity provider, asked through the schema's operation."""
    operation = schema["/api/v1/auth/dev-login"]["POST"]
    response = operation.Case(body={"national_id": national_id, "role": role}).call()
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _calls(operation: Operation) -> list[tuple[str, int]]:
    """Who calls an operation, and how many times.

    Open routes: anyone. Routes that read a token: mostly the role they are for, briefly
    anonymously (no token, or a forged one) and with the other roles' tokens.
    """
    if not list(operation.security.iter_parameters()):
        return [("anonymous", MAX_EXAMPLES)]
    path = operation.path
    if path.startswith("/api/v1/internal/"):
        return [("action server", MAX_EXAMPLES), ("anonymous", MAX_EXAMPLES // 4)]
    owner = next(
        (role for role in ("clinician", "support") if path.startswith(f"/api/v1/{role}/")),
        "patient",
    )
    others = [role for role in ("anonymous", "patient", "clinician", "support") if role != owner]
    return [(owner, MAX_EXAMPLES), *((role, MAX_EXAMPLES // 4) for role in others)]


@pytest.fixture
async def doctor(on_duty: OnDuty, day: dt.date) -> Clinician:
    """A doctor and a psychologist on duty on the test's day: free slots exist to book."""
    await on_duty(day, 8, 12, kind=ClinicianKind.PSYCHOLOGIST)
    return await on_duty(day, 8, 12)


@dataclass
class Household:
    guardian: Patient
    child: Patient


@pytest.fixture
async def household(committed: Committed, clock: Clock) -> Household:
    """An insured parent and a child, both with medicines they may renew."""
    guardian = await committed(factories.patient)
    child = await committed(factories.patient, given_name="Ola", birth_date=dt.date(2016, 5, 17))
    await committed(factories.guardian_of, guardian, child)
    await committed(factories.insurance, guardian)
    two_months_ago = clock().date() - dt.timedelta(days=60)
    for patient in (guardian, child):
        for substance in ("sertraline", "salbutamol"):
            await committed(factories.dispensed, patient, substance, two_months_ago)
    return Household(guardian, child)


@pytest.fixture
async def support_agent(committed: Committed) -> SupportAgent:
    agent: SupportAgent = await committed(factories.support_agent)
    return agent


@pytest.fixture
def fuzz_app(database_url: str, clock: Clock) -> Iterator[FastAPI]:
    """An app of the test's own; schemathesis starts its lifespan on first use."""
    app = create_app(make_settings(database_url), clock=clock)
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()


def test_no_server_errors_anywhere_in_the_api(
    fuzz_app: FastAPI,
    doctor: Clinician,
    household: Household,
    support_agent: SupportAgent,
    day: dt.date,
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations: list[Operation] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"an operation's schema is unusable: {result.err()}"
        operations.append(result.ok())
    assert len(operations) >= 10, [operation.label for operation in operations]
    # Cancelling last, so rescheduling and decisions still find something to act on.
    operations.sort(key=lambda operation: operation.path.endswith("/cancel"))

    guardian = household.guardian
    tokens = {
        "anonymous": None,
        "patient": _login(schema, guardian.national_id, "patient"),
        "clinician": _login(schema, doctor.national_id, "clinician"),
        "support": _login(schema, support_agent.national_id, "support"),
        "action server": fuzz_app.state.settings.actions.service_token.get_secret_value(),
    }
    known = Known()
    known.add(
        "national_id",
        guardian.national_id,
        doctor.national_id,
        factories.national_id(),
        factories.national_id(d_number=True),
        factories.national_id(birth_date=dt.date(2016, 5, 17)),
    )
    known.add("patient_id", str(guardian.id), str(household.child.id))
    # The app's clock stands at noon the day before `day`, when the doctors work.
    known.add("date", day.isoformat(), (day - dt.timedelta(days=1)).isoformat())
    # Renewable for the household, and refused (reseptgruppe B).
    known.add("medication", "Zoloft", "Ventoline", "Sobril")
    known.add("consent_prescription_list", True)
    known.add("supply_days", 90, 30)
    certificates = fuzz_app.state.policy.certificates
    known.add("kind", "sick_leave", *(kind for kind, rule in certificates.items() if rule.allowed))
    known.add("travel_date", (day + dt.timedelta(days=10)).isoformat())
    known.add("education", "upper_secondary")
    known.add("days", 3)
    known.add("reason", "doctor_late", "technical_failure")
    # One key for everything: a retry, or the same key sent for another purchase.
    known.add("idempotency-key", "fuzz-key-0001")
    known.add(AWKWARD, *AWKWARD_TEXT)

    findings = Findings()
    for operation in operations:
        for identity, examples in _calls(operation):
            _fuzz(operation, identity, tokens[identity], examples, known, findings)

    report = findings.report()
    print(report)
    assert not findings.errors, report
