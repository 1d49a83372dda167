"""A request id on every request: taken from X-Request-ID when sane, made otherwise."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from log_privacy import bind_request_id, install

_SAFE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "X-Request-ID"
logger = logging.getLogger("api.access")


def install_request_id(app: FastAPI) -> None:
    # Every log line of the API is masked and carries the id of the request it belongs to.
    install()

    @app.middleware("http")
    async def request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        given = request.headers.get(HEADER, "")
        request.state.request_id = given if _SAFE.fullmatch(given) else uuid.uuid4().hex
        started = time.perf_counter()
        with bind_request_id(request.state.request_id):
            response = await call_next(request)
            # The path only: query strings may hold what patients typed.
            logger.info(
                "%s %s -> %d in %.0f ms",
                request.method,
                request.url.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        response.headers[HEADER] = request.state.request_id
        return response
