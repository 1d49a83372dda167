import pytest

from api.sms.numbers import InvalidPhoneNumber, NumberKeys, masked, normalise

KEYS = NumberKeys(b"k" * 40)


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("91234567", "+4791234567"),
        ("912 34 567", "+4791234567"),
        ("+47 912 34 567", "+4791234567"),
        ("0047 91234567", "+4791234567"),
        ("+46 (70) 123-45-67", "+46701234567"),
    ],
)
def test_numbers_as_people_write_them(written: str, e164: str) -> None:
    assert normalise(written) == e164


@pytest.mark.parametrize("garbage", ["", "1234", "0123456789", "+0 123 456", "ring me", "+4" * 9])
def test_what_is_not_a_number_is_refused_clearly(garbage: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as refused:
        normalise(garbage)
    assert refused.value.status_code == 422
    assert "mobile number" in refused.value.message


def test_hashes_are_keyed_stable_and_never_the_number() -> None:
    number = "+4791234567"
    assert KEYS.number_hash(number) == KEYS.number_hash(number)
    assert KEYS.number_hash(number) != NumberKeys(b"other key").number_hash(number)
    conversation = KEYS.conversation_id(number)
    assert conversation.startswith("sms-") and len(conversation) == 36
    assert "91234567" not in conversation + KEYS.number_hash(number)
    # Separate purposes: the conversation id is not a prefix of the stored hash.
    assert not KEYS.number_hash(number).startswith(conversation.removeprefix("sms-"))
    assert KEYS.conversation_id("+4791234568") != conversation


def test_codes_are_bound_to_their_verification() -> None:
    assert KEYS.code_hash("a", "123456") != KEYS.code_hash("b", "123456")


def test_masked_numbers_show_only_the_ends() -> None:
    assert masked("+4791234567") == "+47…567"
