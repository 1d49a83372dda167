"""The gateway's request id is found wherever Rasa puts the message's metadata."""

from __future__ import annotations

from actions.common import request_id_in


def test_from_the_latest_message() -> None:
    assert request_id_in({"metadata": {"request_id": "abc12345"}}, {}) == "abc12345"


def test_from_the_session_start_slot_before_the_message_is_in_the_tracker() -> None:
    slots = {"session_started_metadata": {"request_id": "def67890"}}
    assert request_id_in({}, slots) == "def67890"
    assert request_id_in({"metadata": {}}, slots) == "def67890"


def test_garbage_gives_none() -> None:
    assert request_id_in(None, None) is None
    assert request_id_in({"metadata": "x"}, {"session_started_metadata": ["y"]}) is None
    assert request_id_in({"metadata": {"request_id": 5}}, {}) is None
