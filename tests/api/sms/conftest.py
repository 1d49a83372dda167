"""The SMS channel's app: Twilio configured, its REST API and Rasa stood in for over HTTP.

Twilio's side is the real twilio library: requests are signed with its RequestValidator,
and the REST client runs as in production with a substitute `twilio.http.HttpClient`
(as the library's own tests do), so only the HTTP exchange is ours.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import httpx
import pytest
from fastapi import FastAPI
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator

from api.chat.rasa_client import RasaClient
from api.core.settings import RasaSettings, TwilioSettings
from api.main import create_app
from api.sms.notifier import TwilioNotifier
from api.sms.numbers import NumberKeys
from api.sms.sender import TwilioSender
from tests.api.conftest import Clock, make_settings

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "a1b2c3d4" * 4
PUBLIC_BASE = "https://clinic.example"
INBOUND_URL = f"{PUBLIC_BASE}/api/v1/sms/twilio"
STATUS_URL = f"{PUBLIC_BASE}/api/v1/sms/twilio/status"
FROM_NUMBER = "+4759440000"


def twilio_settings() -> TwilioSettings:
    return TwilioSettings(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number=FROM_NUMBER,
        # Behind a proxy: Twilio calls (and signs) this address, not http://testserver.
        public_base_url=PUBLIC_BASE,
        number_key="k" * 40,
    )


KEYS = NumberKeys.of(twilio_settings())


def message_sid() -> str:
    return "SM" + uuid.uuid4().hex


def sign(url: str, fields: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """The signature Twilio would send, computed by the twilio library itself."""
    return str(RequestValidator(token).compute_signature(url, fields))


@dataclass
class TwilioApi:
    """Twilio's REST API over the library's own HttpClient interface."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    # Answers to give, in order: (status, body); after them, a created message.
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def client(self) -> HttpClient:
        api = self

        class SubstituteHttpClient(HttpClient):  # type: ignore[misc]
            def __init__(self) -> None:
                super().__init__(logger=None, is_async=False)

            def request(
                self,
                method: str,
                uri: str,
                params: dict[str, object] | None = None,
                data: dict[str, object] | None = None,
                headers: dict[str, str] | None = None,
                auth: tuple[str, str] | None = None,
                timeout: float | None = None,
                allow_redirects: bool = False,
            ) -> TwilioResponse:
                return api.answer(method, uri, data or {}, auth)

        return SubstituteHttpClient()

    def answer(
        self, method: str, uri: str, data: dict[str, object], auth: tuple[str, str] | None
    ) -> TwilioResponse:
        assert method == "POST"
        assert uri == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        assert auth == (ACCOUNT_SID, AUTH_TOKEN)
        self.sent.append(dict(data))
        if self.answers:
            status, body = self.answers.pop(0)
            return TwilioResponse(status, json.dumps(body))
        sid = message_sid()
        body = {"sid": sid, "status": "queued", "to": data.get("To"), "body": data.get("Body")}
        return TwilioResponse(201, json.dumps(body))

    @property
    def bodies(self) -> list[str]:
        return [str(message["Body"]) for message in self.sent]


@dataclass
class SubstituteRasa:
    """Rasa's gateway webhook: answers by a rule, records what it was sent."""

    received: list[dict[str, Any]] = field(default_factory=list)
    reply: Callable[[dict[str, Any]], httpx.Response] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.received.append(body)
        if self.reply is not None:
            return self.reply(body)
        return httpx.Response(200, json=[{"text": f"you said: {body['message']}"}])

    @property
    def texts(self) -> list[str]:
        return [str(body["message"]) for body in self.received]


@pytest.fixture
def twilio_api() -> TwilioApi:
    return TwilioApi()


@pytest.fixture
def rasa() -> SubstituteRasa:
    return SubstituteRasa()


@pytest.fixture
async def app(
    database_url: str, clock: Clock, twilio_api: TwilioApi, rasa: SubstituteRasa
) -> AsyncIterator[FastAPI]:
    settings = make_settings(database_url, twilio=twilio_settings())
    sender = TwilioSender(
        settings.twilio, status_callback_url=STATUS_URL, http_client=twilio_api.client()
    )
    app = create_app(settings, clock=clock, notifier=TwilioNotifier(sender=sender, keys=KEYS))
    app.state.sms_sender.close()
    app.state.sms_sender = sender
    async with app.router.lifespan_context(app):
        await app.state.rasa.aclose()
        app.state.rasa = RasaClient(
            RasaSettings(url="http://rasa", token="tok"), transport=httpx.MockTransport(rasa)
        )
        yield app


class Phone:
    """One phone texting the clinic through Twilio: signed webhooks, fresh MessageSids."""

    def __init__(self, client: httpx.AsyncClient, number: str) -> None:
        self.client = client
        self.number = number

    def fields(self, body: str, **extra: str) -> dict[str, str]:
        return {
            "MessageSid": message_sid(),
            "AccountSid": ACCOUNT_SID,
            "From": self.number,
            "To": FROM_NUMBER,
            "Body": body,
            "NumSegments": "1",
            "NumMedia": "0",
            **extra,
        }

    async def post(self, fields: dict[str, str], *, signature: str | None = None) -> httpx.Response:
        headers = {"content-type": "application/x-www-form-urlencoded"}
        headers["X-Twilio-Signature"] = (
            signature if signature is not None else sign(INBOUND_URL, fields)
        )
        return await self.client.post(
            "/api/v1/sms/twilio", content=urlencode(fields), headers=headers
        )

    async def text(self, body: str, **extra: str) -> list[str]:
        """Send a text; the messages of the TwiML answer."""
        response = await self.post(self.fields(body, **extra))
        assert response.status_code == 200, response.text
        return twiml_messages(response)


def twiml_messages(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 (the app's own TwiML)
    assert root.tag == "Response"
    return [element.text or "" for element in root.findall("Message")]


def new_number() -> str:
    """A Norwegian mobile number no other test uses (tests share a database)."""
    return f"+479{uuid.uuid4().int % 10_000_000:07d}"


@pytest.fixture
def phone(client: httpx.AsyncClient) -> Phone:
    return Phone(client, new_number())
