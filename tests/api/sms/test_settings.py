import pytest
from pydantic import ValidationError

from api.core.settings import (
    ActionServerSettings,
    AuthSettings,
    Environment,
    RasaSettings,
    Settings,
    TwilioSettings,
    VideoSettings,
)
from api.main import create_app
from api.notifications.notifier import RecordingNotifier
from api.sms.notifier import TwilioNotifier
from tests.api.sms.conftest import twilio_settings

STRONG = "y" * 40


def _production(twilio: TwilioSettings) -> Settings:
    return Settings(
        env=Environment.PRODUCTION,
        auth=AuthSettings(secret_key=STRONG + "a", dev_login_enabled=False),
        rasa=RasaSettings(token=STRONG + "b"),
        actions=ActionServerSettings(token=STRONG + "c", service_token=STRONG + "d"),
        video=VideoSettings(loopback_only=False),
        twilio=twilio,
    )


def test_production_refuses_to_start_without_the_auth_token() -> None:
    with pytest.raises(ValidationError) as refused:
        _production(TwilioSettings(account_sid="AC" + "0" * 32, from_number="+4759440000"))
    message = str(refused.value)
    assert "refusing to start in production" in message
    assert "TWILIO_AUTH_TOKEN must be set" in message
    assert "TWILIO_NUMBER_KEY must be set" in message


def test_production_refuses_to_start_without_an_account_to_send_from() -> None:
    with pytest.raises(ValidationError, match="TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER"):
        _production(TwilioSettings(auth_token=STRONG + "e", number_key=STRONG + "f"))


def test_production_starts_with_twilio_configured() -> None:
    settings = _production(twilio_settings())
    assert settings.twilio.can_send


def test_production_may_send_through_a_messaging_service() -> None:
    twilio = TwilioSettings(
        account_sid="AC" + "0" * 32,
        messaging_service_sid="MG" + "0" * 32,
        auth_token=STRONG + "e",
        number_key=STRONG + "f",
    )
    assert _production(twilio).twilio.can_send


@pytest.mark.parametrize(
    ("name", "value"),
    [("account_sid", "AC123"), ("from_number", "91234567"), ("messaging_service_sid", "MGx")],
)
def test_malformed_twilio_settings_stop_the_start(name: str, value: str) -> None:
    with pytest.raises(ValidationError, match=name):
        TwilioSettings(**{name: value})


def test_development_works_without_twilio(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert not settings.twilio.can_send
    app = create_app(settings)
    assert isinstance(app.state.notifier, RecordingNotifier)
    assert not app.state.sms_sender.configured


def test_with_an_account_notifications_are_texted() -> None:
    app = create_app(Settings(twilio=twilio_settings()))
    assert isinstance(app.state.notifier, TwilioNotifier)
    app.state.sms_sender.close()
    app.state.sms_sender.close()  # twice is fine


def test_twilio_signs_the_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_PUBLIC_URL", "https://app.example/")
    assert Settings().sms_public_base == "https://app.example"
    monkeypatch.setenv("TWILIO_PUBLIC_BASE_URL", "https://sms.example/clinic")
    assert Settings().sms_public_base == "https://sms.example/clinic"


def test_the_auth_token_does_not_show_in_repr() -> None:
    assert twilio_settings().auth_token.get_secret_value() not in repr(twilio_settings())
