import pytest

from api.sms.splitting import MAX_SMS_CHARS, sms_length, split_sms

SENTENCE = "Our doctors are available every day from 07:00 to 22:00, weekends included. "


def test_a_short_answer_is_one_message() -> None:
    assert split_sms("Hello there. How can I help?") == ["Hello there. How can I help?"]


def test_nothing_to_say_is_no_message() -> None:
    assert split_sms("") == []
    assert split_sms(" \n \n ") == []


def test_long_answers_break_at_sentence_ends_within_the_limit() -> None:
    text = SENTENCE * 60  # about 4,500 characters
    parts = split_sms(text)
    assert len(parts) == 3
    assert all(sms_length(part) <= MAX_SMS_CHARS for part in parts)
    assert all(part.endswith("weekends included.") for part in parts)
    assert " ".join(parts) == text.strip()


def test_lines_stay_lines() -> None:
    text = "Which time suits you?\n1 Today 10:00\n2 Today 11:00\nReply 1 or 2."
    assert split_sms(text) == [text]


def test_blank_lines_and_runs_of_spaces_are_dropped() -> None:
    assert split_sms("One.\n\n\nTwo   three.") == ["One.\nTwo three."]


def test_a_sentence_longer_than_a_message_breaks_between_words() -> None:
    words = "word " * 500  # 2,500 characters, no sentence end
    parts = split_sms(words)
    assert all(sms_length(part) <= MAX_SMS_CHARS for part in parts)
    assert " ".join(parts).split() == words.split()


def test_a_word_longer_than_a_message_is_cut() -> None:
    parts = split_sms("x" * 3500)
    assert [len(part) for part in parts] == [1600, 1600, 300]


def test_emoji_count_twice_and_are_never_cut_in_half() -> None:
    text = "👋" * 1000  # 2,000 UTF-16 code units
    parts = split_sms(text)
    assert [sms_length(part) for part in parts] == [1600, 400]
    assert "".join(parts) == text


@pytest.mark.parametrize("limit", [20, 160])
def test_any_limit_holds(limit: int) -> None:
    text = "Æ ø å. Short one! Another sentence here? " * 10 + "Ok 🙂."
    parts = split_sms(text, limit=limit)
    assert all(0 < sms_length(part) <= limit for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
