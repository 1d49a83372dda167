import pytest
from pydantic import ValidationError

from api.core.settings import (
    ActionServerSettings,
    AuthSettings,
    DatabaseSettings,
    Environment,
    RasaSettings,
    Settings,
    TwilioSettings,
    VideoSettings,
    normalise_database_url,
)

STRONG = "x" * 40


def _production(**auth: object) -> Settings:
    return Settings(
        env=Environment.PRODUCTION,
        auth=AuthSettings(**{"secret_key": STRONG + "a", "dev_login_enabled": False, **auth}),
        rasa=RasaSettings(token=STRONG + "b"),
        actions=ActionServerSettings(token=STRONG + "c", service_token=STRONG + "d"),
        twilio=TwilioSettings(
            account_sid="AC" + "0" * 32,
            auth_token=STRONG + "e",
            from_number="+4759440000",
            number_key=STRONG + "f",
        ),
        video=VideoSettings(loopback_only=False),
    )


def test_development_defaults_work() -> None:
    settings = Settings()
    assert settings.env is Environment.DEVELOPMENT
    assert settings.dev_login_allowed
    assert settings.database.url.startswith("sqlite+aiosqlite:///")
    assert settings.database.url.endswith("var/telehealth.db")


def test_production_with_real_secrets_starts() -> None:
    settings = _production()
    assert not settings.dev_login_allowed


def test_production_refuses_development_login() -> None:
    with pytest.raises(ValidationError, match="AUTH_DEV_LOGIN_ENABLED"):
        _production(dev_login_enabled=True)


def test_production_refuses_loopback_only_video() -> None:
    settings = _production()
    with pytest.raises(ValidationError, match="VIDEO_LOOPBACK_ONLY"):
        Settings(**{**dict(settings), "video": VideoSettings(loopback_only=True)})


def test_production_refuses_default_secrets() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(env=Environment.PRODUCTION, auth=AuthSettings(dev_login_enabled=False))
    message = str(error.value)
    for name in ("AUTH_SECRET_KEY", "RASA_TOKEN", "ACTIONS_TOKEN", "ACTIONS_SERVICE_TOKEN"):
        assert name in message


def test_production_refuses_short_secret() -> None:
    with pytest.raises(ValidationError, match="AUTH_SECRET_KEY"):
        _production(secret_key="short")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example:5432/clinic")
    monkeypatch.setenv("AUTH_ACCESS_TOKEN_MINUTES", "5")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:6005")
    settings = Settings()
    assert settings.env is Environment.TEST
    assert settings.database.url == "postgresql+psycopg://u:p@db.example:5432/clinic"
    assert settings.auth.access_token_minutes == 5
    assert settings.rasa.url == "http://127.0.0.1:6005"


def test_production_from_environment_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ValidationError, match="refusing to start in production"):
        Settings()


@pytest.mark.parametrize("url", ["mysql://x/y", "garbage", ""])
def test_unknown_database_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        DatabaseSettings(DATABASE_URL=url)


def test_database_urls_are_normalised() -> None:
    assert normalise_database_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert normalise_database_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"


def test_secrets_do_not_show_in_repr() -> None:
    assert "dev-secret-key" not in repr(Settings())


def test_bad_ice_servers_stop_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDEO_ICE_SERVERS", '[{"urls": "turn:x"}]')
    with pytest.raises(ValidationError, match="TURN server needs"):
        Settings()
