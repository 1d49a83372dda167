"""Action server entry point: rasa-sdk's app, bound to loopback and guarded by a token."""

from __future__ import annotations

import hmac
import logging

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.api_client import close_api_client
from actions.common import request_id_in
from actions.settings import ActionSettings
from log_privacy import install
from log_privacy.records import set_request_id

logger = logging.getLogger(__name__)


def build_app(settings: ActionSettings) -> Sanic:
    """rasa-sdk's Sanic app for the ``actions`` package, plus our token check."""
    install()
    app = create_app("actions", cors_origins=None)
    expected = settings.actions_token.encode()

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        # Rasa sends the endpoint token as a query parameter; /health stays open for probes.
        if request.path == "/health":
            return None
        given = (request.args.get("token") or "").encode()
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "unauthorised"}, status=401)
        # Same task as the handler: the action's log lines carry the gateway's request id.
        set_request_id(_request_id_of(request))
        if request.path == "/webhook":
            logger.info("running %s", _action_name_of(request))
        return None

    @app.after_server_stop
    async def close_clients(_app: Sanic, _loop: object = None) -> None:
        await close_api_client()

    return app


def _payload(request: Request) -> dict[str, object]:
    try:
        body = request.json
    except Exception:  # sanic raises on a body that is not JSON; rasa-sdk answers it
        return {}
    return body if isinstance(body, dict) else {}


def _request_id_of(request: Request) -> str | None:
    tracker = _payload(request).get("tracker")
    if not isinstance(tracker, dict):
        return None
    return request_id_in(tracker.get("latest_message"), tracker.get("slots"))


def _action_name_of(request: Request) -> str:
    name = _payload(request).get("next_action")
    return name[:64] if isinstance(name, str) else "?"


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = ActionSettings.from_env()
    app = build_app(settings)
    app.run(settings.host, settings.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
