"""The one async client the actions use to reach the API."""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional
from urllib.parse import quote

import aiohttp

from actions.settings import ActionSettings

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """The API could not be reached or refused the call."""

    def __init__(self, status: Optional[int], code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ApiClient:
    """Typed calls to the API's internal routes, with timeouts and the service token."""

    def __init__(self, settings: ActionSettings) -> None:
        self._settings = settings
        self._session: Optional[aiohttp.ClientSession] = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use, inside the server's event loop, never at import time.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                base_url=self._settings.api_url,
                timeout=aiohttp.ClientTimeout(total=self._settings.api_timeout_seconds),
                headers={"Authorization": f"Bearer {self._settings.service_token}"},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(
        self,
        method: str,
        path: str,
        *,
        conversation_id: Optional[str] = None,
        request_id: Optional[str] = None,
        json: Optional[Dict[str, Any]] = None,
        params: Optional[Dict[str, str]] = None,
        idempotency_key: Optional[str] = None,
    ) -> Any:
        """One API call; the conversation id makes the API act for that conversation's patient.

        Raises ApiError with the API's own code and patient-facing message on refusal.
        """
        headers: Dict[str, str] = {}
        if request_id:
            headers["X-Request-ID"] = request_id
        if conversation_id:
            headers["X-Conversation-ID"] = conversation_id
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            async with self._client().request(
                method, path, headers=headers, json=json, params=params
            ) as response:
                body = await response.json(content_type=None)
                if not 200 <= response.status < 300:
                    body = body if isinstance(body, dict) else {}
                    raise ApiError(
                        response.status,
                        str(body.get("code", "api_error")),
                        str(body.get("message", "The clinic's system refused the request.")),
                    )
                return body
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ApiError(
                None, "unreachable", f"The clinic's system did not answer: {type(exc).__name__}"
            ) from None

    async def _get(self, path: str, *, request_id: Optional[str] = None) -> Dict[str, Any]:
        body = await self.call("GET", path, request_id=request_id)
        if not isinstance(body, dict):
            raise ApiError(200, "bad_response", "Unexpected answer from the API.")
        return body

    async def conversation_patient(
        self, conversation_id: str, *, request_id: Optional[str] = None
    ) -> Optional[Dict[str, Any]]:
        """The logged-in patient behind a conversation, or None for an anonymous one."""
        body = await self._get(
            f"/api/v1/internal/conversations/{quote(conversation_id, safe='')}/patient",
            request_id=request_id,
        )
        patient = body.get("patient")
        return patient if isinstance(patient, dict) else None


_client: Optional[ApiClient] = None


def get_api_client() -> ApiClient:
    """The process-wide client, built on first use."""
    global _client
    if _client is None:
        _client = ApiClient(ActionSettings.from_env())
    return _client


async def close_api_client() -> None:
    global _client
    if _client is not None:
        await _client.close()
    _client = None
