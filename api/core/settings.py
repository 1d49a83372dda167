"""Settings read from the environment, split by area, with working development defaults."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from video.ice import parse_ice_servers

REPO_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = REPO_ROOT / "var"

# Development secrets: fine on a laptop, refused in production.
DEV_SECRET_KEY = "dev-secret-key-change-me-0123456789abcdef"  # noqa: S105
DEV_RASA_TOKEN = "dev-rasa-token-change-me"  # noqa: S105
DEV_SERVICE_TOKEN = "dev-service-token-change-me"  # noqa: S105
DEV_ACTIONS_TOKEN = "dev-actions-token-change-me"  # noqa: S105
_DEV_SECRETS = {DEV_SECRET_KEY, DEV_RASA_TOKEN, DEV_SERVICE_TOKEN, DEV_ACTIONS_TOKEN}


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
    timeout_seconds: float = Field(default=15.0, gt=0)


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

    @field_validator("ice_servers")
    @classmethod
    def _valid_ice_servers(cls, value: str) -> str:
        parse_ice_servers(value)
        return value


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

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> Settings:
        if self.env is not Environment.PRODUCTION:
            return self
        problems = []
        if self.auth.dev_login_enabled:
            problems.append("AUTH_DEV_LOGIN_ENABLED must be false")
        secrets = {
            "AUTH_SECRET_KEY": self.auth.secret_key,
            "RASA_TOKEN": self.rasa.token,
            "ACTIONS_TOKEN": self.actions.token,
            "ACTIONS_SERVICE_TOKEN": self.actions.service_token,
        }
        for name, secret in secrets.items():
            value = secret.get_secret_value()
            if value in _DEV_SECRETS or len(value) < 32:
                problems.append(f"{name} must be set to a random value of 32+ characters")
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def dev_login_allowed(self) -> bool:
        return self.auth.dev_login_enabled and self.env is not Environment.PRODUCTION


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
