"""Long answers cut into SMS-sized messages at sentence boundaries."""

from __future__ import annotations

import re

# Twilio refuses bodies over 1,600 characters. Lengths are counted in UTF-16 code units
# (an emoji counts twice), which is never less than Twilio's count.
MAX_SMS_CHARS = 1600

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def sms_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> list[str]:
    """A piece longer than a message: at word boundaries, or hard when a word is that long."""
    pieces: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if sms_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        while sms_length(word) > limit:
            head = word[:limit]
            while sms_length(head) > limit:  # surrogate pairs count twice
                head = head[:-1]
            head = head or word[:1]
            pieces.append(head)
            word = word[len(head) :]
        current = word
    if current:
        pieces.append(current)
    return pieces


def _units(text: str) -> list[tuple[str, str]]:
    """(separator before it, sentence): lines stay lines, sentences within them are joined."""
    units: list[tuple[str, str]] = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        for index, sentence in enumerate(_SENTENCE_END.split(line)):
            units.append(("\n" if index == 0 else " ", sentence))
    return units


def split_sms(text: str, *, limit: int = MAX_SMS_CHARS) -> list[str]:
    """Messages of at most `limit` characters, each ending at a sentence or line end."""
    messages: list[str] = []
    current = ""
    for separator, sentence in _units(text):
        candidate = f"{current}{separator}{sentence}" if current else sentence
        if sms_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        if sms_length(sentence) <= limit:
            current = sentence
        else:
            *full, current = _cut(sentence, limit)
            messages.extend(full)
    if current:
        messages.append(current)
    return messages
