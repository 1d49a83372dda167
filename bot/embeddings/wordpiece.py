"""BERT's uncased WordPiece tokenizer, so that no tokenizer library is needed at run time.

It follows the reference BasicTokenizer + WordpieceTokenizer: clean, lower-case, strip
accents, split on whitespace and punctuation, then longest-match-first sub-words.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Dict, List

UNKNOWN = "[UNK]"
# Longer words are [UNK] in the reference tokenizer too; it bounds the greedy search.
_MAX_WORD_CHARS = 100


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # ASCII symbols count as punctuation in BERT's vocabulary, as they do in its tokenizer.
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char).startswith("C")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def basic_split(text: str) -> List[str]:
    """Lower-cased, accent-free words and single punctuation marks."""
    cleaned = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD or _is_control(char):
            continue
        if char.isspace() or unicodedata.category(char) == "Zs":
            cleaned.append(" ")
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    words: List[str] = []
    for word in "".join(cleaned).split():
        word = unicodedata.normalize("NFD", word.lower())
        word = "".join(c for c in word if unicodedata.category(c) != "Mn")
        current = ""
        for char in word:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                    current = ""
                words.append(char)
            else:
                current += char
        if current:
            words.append(current)
    return words


class WordPiece:
    """Maps text to vocabulary ids the way the model was trained to read it."""

    def __init__(self, vocab: Dict[str, int]) -> None:
        self.vocab = vocab
        self.unknown_id = vocab[UNKNOWN]
        self.cls_id = vocab["[CLS]"]
        self.sep_id = vocab["[SEP]"]

    @classmethod
    def load(cls, vocab_file: Path) -> WordPiece:
        lines = vocab_file.read_text(encoding="utf-8").splitlines()
        return cls({token: index for index, token in enumerate(lines)})

    def word_ids(self, word: str) -> List[int]:
        if len(word) > _MAX_WORD_CHARS:
            return [self.unknown_id]
        ids: List[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unknown_id]
            ids.append(found)
            start = end
        return ids

    def ids(self, text: str) -> List[int]:
        """Sub-word ids of a text, without [CLS] / [SEP]."""
        return [piece for word in basic_split(text) for piece in self.word_ids(word)]
