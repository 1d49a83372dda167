"""How notifications leave the system. The SMS channel plugs in here (Twilio)."""

from __future__ import annotations

from typing import Protocol

from api.notifications.models import Notification


class Notifier(Protocol):
    channel: str

    async def deliver(self, notification: Notification) -> None:
        """Deliver a recorded notification; raise to have the job retry it later."""
        ...


class RecordingNotifier:
    """Development: notifications are recorded in the store and shown in the app only."""

    channel = "app"

    async def deliver(self, notification: Notification) -> None:
        return None
