"""Logging in: a verified identity becomes a principal with a role and a signed token."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.clinicians.models import Clinician
from api.core.errors import DomainError, Forbidden, NotFound
from api.core.settings import AuthSettings
from api.identity.national_id import InvalidNationalId
from api.identity.provider import IdentityProvider, VerifiedIdentity
from api.identity.schemas import MeResponse, TokenResponse
from api.identity.tokens import Principal, Role, issue_access_token
from api.patients.models import Patient
from api.support.models import SupportAgent

Account = Patient | Clinician | SupportAgent


async def _patient_for(session: AsyncSession, identity: VerifiedIdentity) -> Patient:
    number = identity.national_id.value
    patient = await session.scalar(select(Patient).where(Patient.national_id == number))
    if patient is None:
        # First login registers the patient; names come from the identity provider.
        patient = Patient(
            national_id=number,
            birth_date=identity.national_id.birth_date,
            given_name=identity.given_name or "Patient",
            family_name=identity.family_name or "",
        )
        try:
            async with session.begin_nested():
                session.add(patient)
        except IntegrityError:
            # Two first logins at once: the other one registered the patient.
            patient = await session.scalar(select(Patient).where(Patient.national_id == number))
            assert patient is not None
    return patient


async def login(
    *,
    session: AsyncSession,
    provider: IdentityProvider,
    assertion: dict[str, str | None],
    role: Role,
    settings: AuthSettings,
) -> TokenResponse:
    """Verify the assertion with the provider and issue a token for the requested role."""
    identity = await verify_identity(provider=provider, assertion=assertion)
    subject_row = await find_account(session=session, identity=identity, role=role)
    token, expires = issue_access_token(settings=settings, subject=subject_row.id, role=role)
    return TokenResponse(access_token=token, expires_at=expires, role=role)


async def verify_identity(
    *, provider: IdentityProvider, assertion: dict[str, str | None]
) -> VerifiedIdentity:
    """Who the provider vouches for; an invalid national identity number is a clear 422."""
    try:
        return await provider.verify(assertion)
    except InvalidNationalId as exc:
        raise DomainError(exc.message, code=f"national_id_{exc.code}") from None


async def find_account(*, session: AsyncSession, identity: VerifiedIdentity, role: Role) -> Account:
    """The account a verified person logs in to; a patient's is made on first login."""
    number = identity.national_id.value
    subject_row: Account | None
    if role is Role.PATIENT:
        subject_row = await _patient_for(session, identity)
    elif role is Role.CLINICIAN:
        subject_row = await session.scalar(
            select(Clinician).where(Clinician.national_id == number, Clinician.active)
        )
    else:
        subject_row = await session.scalar(
            select(SupportAgent).where(SupportAgent.national_id == number, SupportAgent.active)
        )
    if subject_row is None:
        raise Forbidden(f"There is no active {role.value} account for this person.")
    return subject_row


_ROLE_TABLES: dict[Role, type[Account]] = {
    Role.PATIENT: Patient,
    Role.CLINICIAN: Clinician,
    Role.SUPPORT: SupportAgent,
}


async def describe(*, session: AsyncSession, principal: Principal) -> MeResponse:
    """Who the token belongs to; a token for a deleted account is refused."""
    row: Account | None = await session.get(_ROLE_TABLES[principal.role], principal.subject)
    if row is None:
        raise NotFound("This account no longer exists.")
    return MeResponse(
        id=row.id, role=principal.role, given_name=row.given_name, family_name=row.family_name
    )
