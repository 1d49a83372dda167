"""Logging that carries the request id and never shows identity or phone numbers.

Shared by the three processes (API on Python 3.11, Rasa and the action server on 3.10), so
it uses the standard library only.
"""

from log_privacy.masking import mask
from log_privacy.records import bind_request_id, current_request_id, install

__all__ = ["bind_request_id", "current_request_id", "install", "mask"]
