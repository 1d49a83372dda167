"""The assistant's answer as SMS: plain text, buttons as numbered choices, TwiML around it."""

from __future__ import annotations

import re

from twilio.twiml.messaging_response import MessagingResponse

from api.chat.schemas import BotMessage, Button
from api.sms import choices
from api.sms.splitting import split_sms

# XML 1.0 cannot carry most control characters; a stray one would make the TwiML unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def answer_text(messages: list[BotMessage]) -> tuple[str, list[Button]]:
    """One text for the whole answer, and the buttons it numbered (in that order)."""
    parts: list[str] = []
    buttons: list[Button] = []
    for message in messages:
        if message.text and message.text.strip():
            parts.append(message.text.strip())
        if message.image:
            parts.append(message.image)
        buttons.extend(b for b in message.buttons if b.title.strip() and b.payload)
    if buttons:
        parts.append(choices.numbered(buttons))
    return "\n".join(parts), buttons


def twiml(text: str) -> str:
    """A TwiML <Response>: the text in SMS-sized <Message>s, or nothing to send."""
    response = MessagingResponse()
    for part in split_sms(_NOT_XML.sub("", text)):
        response.message(part)
    return str(response.to_xml(xml_declaration=True))


def clean_inbound(body: str) -> str:
    """What a patient wrote, without characters no store or XML can hold."""
    return _NOT_XML.sub("", body).strip()
