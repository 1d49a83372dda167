"""Action-server settings read from the environment (this runs on Rasa's Python 3.10)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSettings:
    api_url: str
    service_token: str
    actions_token: str
    host: str
    port: int
    api_timeout_seconds: float

    @classmethod
    def from_env(cls) -> "ActionSettings":
        return cls(
            api_url=os.environ.get("ACTIONS_API_URL", "http://127.0.0.1:8000").rstrip("/"),
            service_token=os.environ.get("ACTIONS_SERVICE_TOKEN", "dev-service-token-change-me"),
            actions_token=os.environ.get("ACTIONS_TOKEN", "dev-actions-token-change-me"),
            host=os.environ.get("ACTIONS_HOST", "127.0.0.1"),
            port=int(os.environ.get("ACTIONS_PORT", "5055")),
            api_timeout_seconds=float(os.environ.get("ACTIONS_API_TIMEOUT_SECONDS", "5")),
        )
