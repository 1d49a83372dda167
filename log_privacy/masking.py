"""Masking Norwegian national identity numbers and phone numbers in free text.

Over-masking is the safe side: any 11-digit run is taken for a national identity number
(fødselsnummer or D-number), any 8-digit run starting 2-9, or a number in international
form, for a phone number.
"""

from __future__ import annotations

import re

NATIONAL_ID_MASK = "[national-id]"
PHONE_MASK = "[phone]"

# Not inside a longer word or number (hex ids, UUIDs, amounts with decimals stay intact).
_BEFORE = r"(?<![\w+.])"
_AFTER = r"(?![\w])"

_NATIONAL_ID = re.compile(_BEFORE + r"\d{6}[ -]?\d{5}" + _AFTER)
# +47 912 34 567, 0047 91234567, +4791234567, +1 (555) 010-9999, and %2B47... as
# form-encoded webhook bodies and query strings spell it.
_INTERNATIONAL = re.compile(r"(?<![\w+])(?:\+|%2[Bb]|00)\d{1,3}(?:[ .()-]{0,2}\d){6,12}" + _AFTER)
# 91234567, 912 34 567, 91 23 45 67, 22-12-34-56
_NATIONAL_PHONE = re.compile(
    _BEFORE + r"[2-9]\d(?:\d{6}|\d[ -]\d{2}[ -]\d{3}|[ -]\d{2}[ -]\d{2}[ -]\d{2})" + _AFTER
)


def mask(text: str) -> str:
    """The text with identity numbers and phone numbers replaced by placeholders."""
    text = _NATIONAL_ID.sub(NATIONAL_ID_MASK, text)
    text = _INTERNATIONAL.sub(PHONE_MASK, text)
    return _NATIONAL_PHONE.sub(PHONE_MASK, text)
