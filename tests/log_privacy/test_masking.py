"""Identity and phone numbers never reach a log line."""

from __future__ import annotations

import pytest

from log_privacy.masking import NATIONAL_ID_MASK, PHONE_MASK, mask


@pytest.mark.parametrize(
    "text",
    ["my fnr is 01017012345", "id 010170 12345.", "D-nummer 41017012345!", "010170-12345"],
)
def test_national_identity_numbers(text: str) -> None:
    masked = mask(text)
    assert NATIONAL_ID_MASK in masked
    assert "12345" not in masked


@pytest.mark.parametrize(
    "text",
    [
        "call me on 91234567",
        "tlf 912 34 567",
        "tlf 91 23 45 67",
        "sms from +4791234567",
        "sms from +47 912 34 567",
        "ring 0047 91234567",
        "US number +1 (555) 010-9999",
        "From=%2B4791234567",
    ],
)
def test_phone_numbers(text: str) -> None:
    masked = mask(text)
    assert PHONE_MASK in masked, masked
    assert "1234567" not in masked.replace(" ", "") and "0109999" not in masked


@pytest.mark.parametrize(
    "text",
    [
        "booking 3f2a91234567b1c4 confirmed",
        "uuid 550e8400-e29b-41d4-a716-446655440000",
        "price 1234567.50 NOK",
        "at 2026-11-26T17:00:00+01:00",
        "queue place 3, 15 minutes",
        "request 0123456789abcdef",
        "code 123456",
    ],
)
def test_other_numbers_are_left_alone(text: str) -> None:
    assert mask(text) == text
