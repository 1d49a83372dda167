"""Conversations written event by event, in the JSON Rasa 3.6 stores (`Event.as_dict()`).

The shapes are Rasa's own: test_event_shapes.py feeds every event built here through the
Rasa venv's `Event.from_parameters(...).as_dict()` and expects it back unchanged.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

MODEL = {"model_id": "3f1c0c9b8e7d4a5b", "assistant_id": "telehealth-assistant"}
_NO_DATA = {
    "elements": None,
    "quick_replies": None,
    "buttons": None,
    "attachment": None,
    "image": None,
    "custom": None,
}


def _selector(topic: str | None) -> dict[str, Any]:
    """The ResponseSelector's output with one selector for all retrieval intents ("default")."""
    key = f"faq/{topic}" if topic else "faq/about"
    return {
        "all_retrieval_intents": ["faq"],
        "default": {
            "response": {
                "responses": [{"text": f"(answer to {key})"}],
                "confidence": 0.93,
                "intent_response_key": key,
                "utter_action": f"utter_{key}",
            },
            "ranking": [
                {"confidence": 0.93, "intent_response_key": key},
                {"confidence": 0.04, "intent_response_key": "faq/about"},
            ],
        },
    }


class Talk:
    """One sender's events, each a few seconds after the one before unless moved ``at``."""

    def __init__(self, sender_id: str, *, sms: bool = False) -> None:
        self.sender_id = sender_id
        self.sms = sms
        self.events: list[dict[str, Any]] = []
        self._now = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

    def at(self, instant: dt.datetime) -> Talk:
        self._now = instant
        return self

    @property
    def now(self) -> dt.datetime:
        """The time of the latest event (a ticket opened during the next action has it)."""
        return self._now

    def _stamp(self) -> float:
        self._now += dt.timedelta(seconds=2)
        return self._now.timestamp()

    def _add(self, event: dict[str, Any], metadata: dict[str, Any] | None = None) -> Talk:
        self.events.append({**event, "metadata": {**(metadata or {}), **MODEL}})
        return self

    def action(self, name: str, *, policy: str | None = "RulePolicy") -> Talk:
        return self._add(
            {
                "event": "action",
                "timestamp": self._stamp(),
                "name": name,
                "policy": policy,
                "confidence": 1.0 if policy else None,
                "action_text": None,
                "hide_rule_turn": False,
            }
        )

    def listen(self) -> Talk:
        return self.action("action_listen")

    def session_start(self, *, logged_in: bool = False) -> Talk:
        """What `action_session_start` (actions/session.py) leaves in the tracker."""
        self.action("action_session_start", policy=None)
        self._add({"event": "session_started", "timestamp": self._stamp()})
        self.slot("logged_in", logged_in)
        return self.action("action_listen", policy=None)

    def slot(self, name: str, value: Any) -> Talk:
        return self._add(
            {"event": "slot", "timestamp": self._stamp(), "name": name, "value": value}
        )

    def says(
        self,
        text: str,
        intent: str,
        *,
        topic: str | None = None,
        confidence: float = 0.91,
        retrieval_key: str = "default",
    ) -> Talk:
        """A patient message through the gateway channel, parsed by the NLU pipeline."""
        message_id = uuid.uuid4().hex
        metadata: dict[str, Any] = {"request_id": uuid.uuid4().hex[:16]}
        if self.sms:
            metadata["channel"] = "sms"
        parse: dict[str, Any] = {
            "intent": {"name": intent, "confidence": confidence},
            "entities": [],
            "text": text,
            "message_id": message_id,
            "metadata": dict(metadata),
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        }
        selector = _selector(topic)
        if retrieval_key != "default":
            selector[retrieval_key] = selector.pop("default")
        parse["response_selector"] = selector
        if intent == "faq":
            # Rasa copies the key here only when the selector is named after the intent.
            parse["intent"]["full_retrieval_intent_name"] = (
                f"faq/{topic}" if retrieval_key == "faq" else None
            )
        self._add(
            {
                "event": "user",
                "timestamp": self._stamp(),
                "text": text,
                "parse_data": parse,
                "input_channel": "gateway",
                "message_id": message_id,
            },
            metadata,
        )
        return self._add(
            {
                "event": "user_featurization",
                "timestamp": self._stamp(),
                "use_text_for_featurization": False,
            }
        )

    def bot(
        self,
        text: str,
        *,
        utter_action: str | None = None,
        buttons: list[dict[str, str]] | None = None,
    ) -> Talk:
        return self._add(
            {
                "event": "bot",
                "timestamp": self._stamp(),
                "text": text,
                "data": {**_NO_DATA, "buttons": buttons},
            },
            {"utter_action": utter_action} if utter_action else None,
        )

    def loop(self, name: str | None) -> Talk:
        return self._add({"event": "active_loop", "timestamp": self._stamp(), "name": name})

    def rewind(self) -> Talk:
        return self._add({"event": "rewind", "timestamp": self._stamp()})

    def pause(self) -> Talk:
        return self._add({"event": "pause", "timestamp": self._stamp()})

    def resume(self) -> Talk:
        return self._add({"event": "resume", "timestamp": self._stamp()})

    # -- whole turns ---------------------------------------------------------------

    def faq(self, text: str, topic: str) -> Talk:
        """A question the FAQ answers (data/rules/faq.yml)."""
        self.says(text, "faq", topic=topic)
        self.action("utter_faq").bot(f"(answer to faq/{topic})", utter_action=f"utter_faq/{topic}")
        return self.listen()

    def asks_in_form(self, form: str, slot: str, question: str) -> Talk:
        """A form (re)starts and asks for its next slot."""
        self.action(form).loop(form).slot("requested_slot", slot)
        return self.bot(question, buttons=[{"title": "Yes", "payload": "/affirm"}]).listen()

    def not_understood(self, text: str) -> Talk:
        """First stage of the two-stage fallback (data/rules/core.yml): 'did you mean...'."""
        self.says(text, "nlu_fallback", confidence=0.3)
        self.action("action_two_stage_fallback").loop("action_two_stage_fallback")
        self.bot(
            "Sorry, I'm not sure I understood. Did you mean one of these?",
            buttons=[{"title": "Something else", "payload": "/out_of_scope"}],
        )
        return self.listen()
