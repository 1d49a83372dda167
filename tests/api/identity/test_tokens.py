import datetime as dt
import uuid

import jwt
import pytest

from api.core.errors import NotAuthenticated
from api.core.settings import AuthSettings
from api.identity.tokens import Role, issue_access_token, read_access_token

SETTINGS = AuthSettings(secret_key="k" * 40, access_token_minutes=10)


def test_token_round_trip() -> None:
    subject = uuid.uuid4()
    token, expires = issue_access_token(settings=SETTINGS, subject=subject, role=Role.CLINICIAN)
    principal = read_access_token(token, settings=SETTINGS)
    assert principal.subject == subject
    assert principal.role is Role.CLINICIAN
    assert principal.expires_at == expires.replace(microsecond=0)


def test_expired_token_is_refused() -> None:
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    token, _ = issue_access_token(
        settings=SETTINGS, subject=uuid.uuid4(), role=Role.PATIENT, now=long_ago
    )
    with pytest.raises(NotAuthenticated, match="expired"):
        read_access_token(token, settings=SETTINGS)


def test_token_signed_with_another_key_is_refused() -> None:
    other = AuthSettings(secret_key="o" * 40)
    token, _ = issue_access_token(settings=other, subject=uuid.uuid4(), role=Role.PATIENT)
    with pytest.raises(NotAuthenticated):
        read_access_token(token, settings=SETTINGS)


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "not-a-uuid", "role": "patient"},
        {"sub": str(uuid.uuid4()), "role": "admin"},
        {"role": "patient"},
    ],
)
def test_forged_claims_are_refused(claims: dict[str, str]) -> None:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    body = {"iss": SETTINGS.issuer, "iat": now, "exp": now + 60, **claims}
    token = jwt.encode(body, SETTINGS.secret_key.get_secret_value(), algorithm="HS256")
    with pytest.raises(NotAuthenticated):
        read_access_token(token, settings=SETTINGS)


def test_unsigned_token_is_refused() -> None:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    body = {
        "sub": str(uuid.uuid4()),
        "role": "patient",
        "iss": SETTINGS.issuer,
        "iat": now,
        "exp": now + 60,
    }
    token = jwt.encode(body, key=None, algorithm="none")
    with pytest.raises(NotAuthenticated):
        read_access_token(token, settings=SETTINGS)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "x" * 5000])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(NotAuthenticated):
        read_access_token(garbage, settings=SETTINGS)
