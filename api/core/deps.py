"""Typed dependencies shared by the routers."""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.conversations import patient_id_of
from api.chat.tracker_store import TrackerStore
from api.clinicians.models import Clinician
from api.core.db import session_scope
from api.core.errors import Forbidden, NotAuthenticated
from api.core.settings import Settings
from api.identity.tokens import Principal, Role, read_access_token
from api.patients.models import Patient
from api.payments.provider import PaymentProvider
from api.policy.rules import ClinicPolicy
from api.support.models import SupportAgent


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_policy_dep(request: Request) -> ClinicPolicy:
    policy: ClinicPolicy = request.app.state.policy
    return policy


PolicyDep = Annotated[ClinicPolicy, Depends(get_policy_dep)]


def get_payment_provider(request: Request) -> PaymentProvider:
    provider: PaymentProvider = request.app.state.payment_provider
    return provider


PaymentProviderDep = Annotated[PaymentProvider, Depends(get_payment_provider)]


def get_tracker_store(request: Request) -> TrackerStore:
    store: TrackerStore = request.app.state.tracker_store
    return store


TrackerStoreDep = Annotated[TrackerStore, Depends(get_tracker_store)]


def get_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=100,
            pattern=r"^[A-Za-z0-9._:-]{8,100}$",
            description="Makes a retried request safe: the same key never pays twice.",
        ),
    ] = None,
) -> str:
    # Without a key each request is new; clients that retry must send one.
    return idempotency_key or f"auto-{uuid.uuid4().hex}"


IdempotencyKey = Annotated[str, Depends(get_idempotency_key)]


def get_now(request: Request) -> dt.datetime:
    """The current instant, from the app's clock (tests move it; production never does)."""
    now: dt.datetime = request.app.state.clock()
    return now


Now = Annotated[dt.datetime, Depends(get_now)]


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in session_scope(request.app.state.sessionmaker):
        yield session


DbSession = Annotated[AsyncSession, Depends(get_db)]

_bearer = HTTPBearer(auto_error=False)
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _is_service_token(credentials: HTTPAuthorizationCredentials | None, settings: Settings) -> bool:
    expected = settings.actions.service_token.get_secret_value().encode()
    given = credentials.credentials.encode() if credentials else b""
    return hmac.compare_digest(given, expected)


def get_optional_principal(
    credentials: BearerCredentials,
    settings: SettingsDep,
    request: Request,
    conversation_id: Annotated[
        str | None,
        Header(
            alias="X-Conversation-ID",
            max_length=128,
            include_in_schema=False,
        ),
    ] = None,
) -> Principal | None:
    if credentials is None:
        return None
    if _is_service_token(credentials, settings):
        # The assistant acts for whoever the gateway bound the conversation to: a patient's
        # conversation id is derived from their verified login, so the action server can
        # never choose the patient. Without such an id the caller is anonymous.
        patient_id = patient_id_of(conversation_id) if conversation_id else None
        if patient_id is None:
            return None
        return Principal(
            subject=patient_id,
            role=Role.PATIENT,
            expires_at=request.app.state.clock() + dt.timedelta(minutes=1),
            conversation_id=conversation_id,
        )
    return read_access_token(credentials.credentials, settings=settings.auth)


OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


def get_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated("Please log in first.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_current_patient(principal: CurrentPrincipal, session: DbSession) -> Patient:
    if principal.role is not Role.PATIENT:
        raise Forbidden("Only patients can do this.")
    patient = await session.get(Patient, principal.subject)
    if patient is None:
        raise NotAuthenticated("This account no longer exists. Please log in again.")
    return patient


CurrentPatient = Annotated[Patient, Depends(get_current_patient)]


async def get_current_clinician(principal: CurrentPrincipal, session: DbSession) -> Clinician:
    if principal.role is not Role.CLINICIAN:
        raise Forbidden("Only clinicians can do this.")
    clinician = await session.get(Clinician, principal.subject)
    if clinician is None or not clinician.active:
        raise NotAuthenticated("This clinician account is not active. Please log in again.")
    return clinician


CurrentClinician = Annotated[Clinician, Depends(get_current_clinician)]


async def get_current_support(principal: CurrentPrincipal, session: DbSession) -> SupportAgent:
    if principal.role is not Role.SUPPORT:
        raise Forbidden("Only support staff can do this.")
    agent = await session.get(SupportAgent, principal.subject)
    if agent is None or not agent.active:
        raise NotAuthenticated("This support account is not active. Please log in again.")
    return agent


CurrentSupport = Annotated[SupportAgent, Depends(get_current_support)]


def require_service_token(credentials: BearerCredentials, settings: SettingsDep) -> None:
    """Internal routes answer only the action server, which holds the service token."""
    if not _is_service_token(credentials, settings):
        raise NotAuthenticated("This route is for the clinic's own services.")


ServiceCaller = Annotated[None, Depends(require_service_token)]
