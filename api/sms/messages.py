"""What the SMS channel itself says (the assistant's answers come from Rasa)."""

from __future__ import annotations

from api.policy.rules import ClinicPolicy


def help_text(policy: ClinicPolicy) -> str:
    return (
        "This is the clinic's assistant. Ask a question, or describe your symptoms. "
        "To book or see your appointments, link this number in the app first. "
        "Reply STOP to get no more texts, START to get them again. "
        f"In an emergency, call {policy.emergency.life_threatening}."
    )


OPTED_OUT = "You will get no more texts from us. Reply START if you want them again."
OPTED_IN = "You will get texts from us again. Reply STOP at any time to stop them."
EMPTY = "I can only read text messages. Please write your question in words."
TOO_LONG = (
    "That message is longer than I can read ({limit} characters at most). "
    "Please send it again in a shorter form."
)
ASSISTANT_DOWN = (
    "Sorry, the assistant is not answering right now. Please send your message again in a "
    "few minutes. In an emergency, call {emergency}."
)
NUMBER_LINKED = (
    "Thank you: this number is now linked to your account. You can book and see your "
    "appointments here by text."
)
WRONG_CODE = (
    "That code is not right. Please check it and send it again, or ask the app for a new one."
)


def verification_text(code: str, minutes: int) -> str:
    # No name or health detail: whoever holds the phone reads this.
    return (
        f"Your code is {code}. Type it in the app, or reply with it here. "
        f"It is valid for {minutes} minutes."
    )
