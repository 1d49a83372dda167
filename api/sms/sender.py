"""Sending one SMS through Twilio's REST client, off the event loop."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from api.core.errors import DependencyUnavailable
from api.core.settings import TwilioSettings

logger = logging.getLogger(__name__)

# Twilio's error for a recipient who replied STOP: it will not deliver to them.
UNSUBSCRIBED_RECIPIENT = 21610


class SmsNotConfigured(DependencyUnavailable):
    code = "sms_not_configured"


class SmsSendFailed(Exception):
    """Twilio did not take the message. Permanent: retrying the same message is pointless."""

    def __init__(self, *, code: int | None, status: int) -> None:
        super().__init__(f"twilio refused: status {status}, code {code}")
        self.code = code
        self.status = status

    @property
    def permanent(self) -> bool:
        return 400 <= self.status < 500 and self.status != 429


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str


class TwilioSender:
    """The REST client, built once; its HTTP client is injectable (tests, proxies)."""

    def __init__(
        self,
        settings: TwilioSettings,
        *,
        status_callback_url: str,
        http_client: Any | None = None,
    ) -> None:
        self._settings = settings
        self._status_callback_url = status_callback_url
        self._client: Any | None = None
        if settings.can_send:
            self._client = Client(
                settings.account_sid,
                settings.auth_token.get_secret_value(),
                http_client=http_client or TwilioHttpClient(timeout=settings.timeout_seconds),
            )

    @property
    def configured(self) -> bool:
        return self._client is not None

    def _sender(self) -> dict[str, str]:
        if self._settings.messaging_service_sid:
            return {"messaging_service_sid": self._settings.messaging_service_sid}
        return {"from_": self._settings.from_number}

    async def send(self, *, to: str, body: str) -> SentMessage:
        """Hand one message to Twilio; its delivery is reported to the status callback."""
        if self._client is None:
            raise SmsNotConfigured(
                "Text messages cannot be sent from this server yet. Please try again later.",
            )
        create = self._client.messages.create
        try:
            # The REST client is synchronous: it runs in a worker thread, not on the loop.
            message = await asyncio.to_thread(
                create,
                to=to,
                body=body,
                status_callback=self._status_callback_url,
                **self._sender(),
            )
        except TwilioRestException as exc:
            code = exc.code if isinstance(exc.code, int) else None
            raise SmsSendFailed(code=code, status=int(exc.status)) from None
        except (TwilioException, OSError) as exc:
            # Network trouble (requests' errors are OSErrors): worth retrying later.
            logger.warning("twilio unreachable: %s", type(exc).__name__)
            raise SmsSendFailed(code=None, status=503) from None
        return SentMessage(sid=str(message.sid), status=str(message.status or "queued"))

    def close(self) -> None:
        """Release the HTTP connections; safe to call twice."""
        session = getattr(getattr(self._client, "http_client", None), "session", None)
        if session is not None:
            session.close()
