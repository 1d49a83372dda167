"""Settings read from the environment, split by area, with working development defaults."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from video.ice import IceServer, parse_ice_servers

REPO_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = REPO_ROOT / "var"

# Development secrets: fine on a laptop, refused in production.
DEV_SECRET_KEY = "dev-secret-key-change-me-0123456789abcdef"  # noqa: S105
DEV_RASA_TOKEN = "dev-rasa-token-change-me"  # noqa: S105
DEV_SERVICE_TOKEN = "dev-service-token-change-me"  # noqa: S105
DEV_ACTIONS_TOKEN = "dev-actions-token-change-me"  # noqa: S105
DEV_TWILIO_AUTH_TOKEN = "dev-twilio-auth-token-change-me"  # noqa: S105
DEV_SMS_NUMBER_KEY = "dev-sms-number-key-change-me-0123456789"
_DEV_SECRETS = {
    DEV_SECRET_KEY,
    DEV_RASA_TOKEN,
    DEV_SERVICE_TOKEN,
    DEV_ACTIONS_TOKEN,
    DEV_TWILIO_AUTH_TOKEN,
    DEV_SMS_NUMBER_KEY,
}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def normalise_database_url(url: str) -> str:
    """Map the plain URLs people write to the async drivers the app uses."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    return url


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    url: str = Field(
        default=f"sqlite:///{VAR_DIR / 'telehealth.db'}",
        validation_alias="DATABASE_URL",
    )
    echo: bool = Field(default=False, validation_alias="DATABASE_ECHO")

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        url = normalise_database_url(value)
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+psycopg://")):
            raise ValueError("DATABASE_URL must be a sqlite:/// or postgresql:// URL")
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    issuer: str = "telehealth-api"
    dev_login_enabled: bool = True


class RasaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RASA_", extra="ignore")

    url: str = "http://127.0.0.1:5005"
    token: SecretStr = SecretStr(DEV_RASA_TOKEN)
    # The longest a patient waits for an answer before "try again"; below Twilio's 15 s
    # webhook timeout, so an SMS always gets our answer rather than Twilio's silence.
    timeout_seconds: float = Field(default=10.0, gt=0, le=14)


class ActionServerSettings(BaseSettings):
    """Where the action server listens, and the tokens that bind it to Rasa and the API."""

    model_config = SettingsConfigDict(env_prefix="ACTIONS_", extra="ignore")

    url: str = "http://127.0.0.1:5055"
    # Rasa presents this to the action server.
    token: SecretStr = SecretStr(DEV_ACTIONS_TOKEN)
    # The action server presents this to the API's internal routes.
    service_token: SecretStr = SecretStr(DEV_SERVICE_TOKEN)


class SchedulerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULER_", extra="ignore")

    # One scheduler per deployment: turn it off on all but one API process.
    enabled: bool = True


class VideoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIDEO_", extra="ignore")

    # JSON list of {"urls", "username", "credential"}; empty on loopback.
    ice_servers: str = ""
    # Development and tests: media only over 127.0.0.1. Production turns this off.
    loopback_only: bool = True
    # A join link works once, within these minutes of being handed out.
    join_token_minutes: int = Field(default=5, ge=1, le=60)
    # A dropped participant keeps their place (and the consult stays live) this long.
    rejoin_grace_seconds: float = Field(default=60.0, gt=0, le=600)
    # A room nobody is in closes after this long.
    empty_room_seconds: float = Field(default=600.0, gt=0, le=7200)
    # How early a patient with a booked time may enter the waiting room.
    waiting_room_opens_minutes: int = Field(default=15, ge=0, le=120)

    @field_validator("ice_servers")
    @classmethod
    def _valid_ice_servers(cls, value: str) -> str:
        parse_ice_servers(value)
        return value

    @property
    def parsed_ice_servers(self) -> tuple[IceServer, ...]:
        return parse_ice_servers(self.ice_servers)


class RateLimitSettings(BaseSettings):
    """How many messages a patient (app) or a phone number (SMS) may send; not a clinic
    rule but a guard for the assistant, so it lives here and not in the policy."""

    model_config = SettingsConfigDict(env_prefix="RATE_LIMIT_", extra="ignore")

    # Counters shared by every API process; empty: in memory (one process).
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    chat_per_minute: int = Field(default=20, ge=1)
    chat_per_hour: int = Field(default=300, ge=1)
    sms_per_minute: int = Field(default=6, ge=1)
    sms_per_hour: int = Field(default=60, ge=1)


class TwilioSettings(BaseSettings):
    """The SMS channel. Without an account (development) webhooks still work, checked
    against the development auth token, and nothing is sent."""

    model_config = SettingsConfigDict(env_prefix="TWILIO_", extra="ignore")

    account_sid: str = Field(default="", pattern=r"^(AC[0-9a-fA-F]{32})?$")
    # Signs every webhook Twilio sends us; the REST client authenticates with it too.
    auth_token: SecretStr = SecretStr(DEV_TWILIO_AUTH_TOKEN)
    # Send from one number, or from a messaging service's pool (one of the two).
    from_number: str = Field(default="", pattern=r"^(\+[1-9][0-9]{6,14})?$")
    messaging_service_sid: str = Field(default="", pattern=r"^(MG[0-9a-fA-F]{32})?$")
    # The address Twilio calls (and signs); empty: APP_PUBLIC_URL.
    public_base_url: str = ""
    # Keys the hashes that stand for phone numbers in the store and in conversation ids.
    # Opt-outs are found by it: changing it forgets who said STOP, so never rotate it.
    number_key: SecretStr = SecretStr(DEV_SMS_NUMBER_KEY)
    timeout_seconds: float = Field(default=10.0, gt=0)

    @property
    def can_send(self) -> bool:
        return bool(self.account_sid and (self.from_number or self.messaging_service_sid))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    # Logs, Rasa's tracker file and other local state (the SQLite store's default home too).
    var_dir: Path = VAR_DIR
    # Where the API listens; loopback unless a proxy in front of it needs otherwise.
    bind_host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # The address patients and Twilio use (differs from the bind address behind a proxy).
    public_url: str = "http://127.0.0.1:8000"
    # Rasa keeps its conversation trackers here; by default beside the app's own store.
    rasa_tracker_url: str | None = Field(default=None, validation_alias="RASA_TRACKER_URL")
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    rasa: RasaSettings = Field(default_factory=RasaSettings)
    actions: ActionServerSettings = Field(default_factory=ActionServerSettings)
    video: VideoSettings = Field(default_factory=VideoSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    twilio: TwilioSettings = Field(default_factory=TwilioSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)

    @property
    def tracker_store_url(self) -> str:
        """Where Rasa keeps its trackers, as a plain (sync) URL: the app's PostgreSQL when
        the store is there, else an SQLite file under var/. Rasa and the API both read it."""
        if self.rasa_tracker_url:
            return self.rasa_tracker_url
        if not self.database.is_sqlite:
            return "postgresql://" + self.database.url.split("://", 1)[1]
        return f"sqlite:///{self.var_dir / 'rasa_tracker.db'}"

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> Settings:
        if self.env is not Environment.PRODUCTION:
            return self
        problems = []
        if self.auth.dev_login_enabled:
            problems.append("AUTH_DEV_LOGIN_ENABLED must be false")
        if self.video.loopback_only:
            problems.append("VIDEO_LOOPBACK_ONLY must be false (patients are not on this host)")
        secrets = {
            "AUTH_SECRET_KEY": self.auth.secret_key,
            "RASA_TOKEN": self.rasa.token,
            "ACTIONS_TOKEN": self.actions.token,
            "ACTIONS_SERVICE_TOKEN": self.actions.service_token,
            "TWILIO_AUTH_TOKEN": self.twilio.auth_token,
            "TWILIO_NUMBER_KEY": self.twilio.number_key,
        }
        for name, secret in secrets.items():
            value = secret.get_secret_value()
            if value in _DEV_SECRETS or len(value) < 32:
                problems.append(f"{name} must be set to a random value of 32+ characters")
        if not self.twilio.can_send:
            problems.append(
                "TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID "
                "must be set (the SMS channel sends reminders and verification codes)"
            )
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def dev_login_allowed(self) -> bool:
        return self.auth.dev_login_enabled and self.env is not Environment.PRODUCTION

    @property
    def sms_public_base(self) -> str:
        """Where Twilio reaches us: the URL it signs (behind a proxy, not our own address)."""
        return (self.twilio.public_base_url or self.public_url).rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
