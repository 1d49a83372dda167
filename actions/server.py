"""Action server entry point: rasa-sdk's app, bound to loopback and guarded by a token."""

from __future__ import annotations

import hmac

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.api_client import close_api_client
from actions.settings import ActionSettings


def build_app(settings: ActionSettings) -> Sanic:
    """rasa-sdk's Sanic app for the ``actions`` package, plus our token check."""
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
        return None

    @app.after_server_stop
    async def close_clients(_app: Sanic, _loop: object = None) -> None:
        await close_api_client()

    return app


def main() -> None:
    settings = ActionSettings.from_env()
    app = build_app(settings)
    app.run(settings.host, settings.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
