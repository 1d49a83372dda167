"""The only input channel Rasa opens: the API gateway, authenticated by a shared token.

Rasa's stock REST channel trusts any caller and any sender id. Here only the gateway
(which authenticates patients and picks the conversation id) may post messages.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from log_privacy import bind_request_id, install

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000
MAX_SENDER_CHARS = 128


class GatewayInput(InputChannel):
    """Accepts messages from the API gateway only."""

    def __init__(self, token: Text) -> None:
        if not token:
            raise ValueError("the gateway channel needs a token (RASA_TOKEN)")
        self._token = token.encode()

    @classmethod
    def name(cls) -> Text:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GatewayInput":
        token = (credentials or {}).get("token") or os.environ.get("RASA_TOKEN", "")
        # Rasa loads its channels at start-up, before the first message: from here on
        # every log line of this process is masked and carries the gateway's request id.
        install()
        return cls(str(token))

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), self._token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("gateway_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "unauthorised"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            sender = body.get("sender")
            text = body.get("message")
            metadata = body.get("metadata") or {}
            if (
                not isinstance(sender, str)
                or not 0 < len(sender) <= MAX_SENDER_CHARS
                or not isinstance(text, str)
                or len(text) > MAX_TEXT_CHARS
                or not isinstance(metadata, dict)
            ):
                return response.json({"error": "sender, message and metadata required"}, status=400)
            collector = CollectingOutputChannel()
            with bind_request_id(str(metadata.get("request_id") or "")):
                # The text is health data: never logged, here or on failure.
                logger.info("message received from the gateway")
                try:
                    await on_new_message(
                        UserMessage(
                            text,
                            collector,
                            sender,
                            input_channel=self.name(),
                            metadata=metadata,
                        )
                    )
                except Exception:
                    logger.exception("gateway message failed")
                    return response.json({"error": "processing failed"}, status=500)
            return response.json(collector.messages)

        return webhook
