"""BERT's uncased tokenizer, rebuilt: the model only understands the ids it was trained on."""

from __future__ import annotations

import pytest

from bot.embeddings.encoder import model_dir
from bot.embeddings.wordpiece import UNKNOWN, WordPiece, basic_split


@pytest.fixture(scope="module")
def wordpiece() -> WordPiece:
    return WordPiece.load(model_dir() / "vocab.txt")


def test_splits_punctuation_lowercases_and_strips_accents() -> None:
    assert basic_split("Hei, CAFÉ naïve!!") == ["hei", ",", "cafe", "naive", "!", "!"]


def test_norwegian_letters_keep_what_bert_keeps() -> None:
    # Lower-casing then NFD: å loses its ring (a + combining ring), æ and ø are letters.
    assert basic_split("ÆØÅ") == ["æøa"]


def test_control_characters_and_odd_whitespace_are_dropped() -> None:
    # A zero-width space is a format character: dropped, as the reference tokenizer does.
    assert basic_split("a\x00b\u200bc\td\u00a0e") == ["abc", "d", "e"]


def test_cjk_characters_are_words_of_their_own() -> None:
    assert basic_split("ab中文") == ["ab", "中", "文"]


def test_words_split_longest_match_first(wordpiece: WordPiece) -> None:
    ids = wordpiece.ids("sykemelding")
    pieces = [next(k for k, v in wordpiece.vocab.items() if v == i) for i in ids]
    assert pieces == ["sy", "##ke", "##mel", "##ding"]


def test_unknown_and_overlong_words_are_unk(wordpiece: WordPiece) -> None:
    unknown = wordpiece.vocab[UNKNOWN]
    assert wordpiece.ids("😀") == [unknown]
    assert wordpiece.ids("a" * 101) == [unknown]
    assert wordpiece.ids("") == []
