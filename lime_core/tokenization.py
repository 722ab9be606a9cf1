"""Split a text into explainable units that keep their exact character spans.

Offsets are Python string indices (Unicode code points) into the original
text, so ``text[token.start:token.end] == token.text`` always holds and
highlights land on the right characters.

Why not ``\\b\\w+\\b`` (eli5) or ``\\W+`` (lime): those split "don't" and
"l'été", cut Devanagari and Thai words at their combining vowel signs, glue a
whole Chinese sentence into one "word", and drop emoji. The patterns below use
Unicode properties through the ``regex`` package instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import regex

from .errors import InputTextError

# Scripts written without spaces between words: one unit per character is a
# defensible unit of meaning for Chinese and a safe one for Japanese kana.
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}"
_WORD_CHAR = rf"[[\p{{L}}\p{{N}}]--[{_CJK}]]"
_WORD = (
    rf"{_WORD_CHAR}"  # a word starts with a letter or digit
    rf"(?:[\p{{M}}_]|{_WORD_CHAR}|['’](?={_WORD_CHAR}))*"  # marks stay inside; apostrophes join "don't", "l'été"
)
_CJK_CHAR = rf"[{_CJK}]\p{{M}}*"
# An emoji with its modifiers, ZWJ sequences and variation selectors is one grapheme cluster.
_EMOJI = r"(?=\p{Extended_Pictographic}|\p{Regional_Indicator})\X"

# Decimal numbers ("3.14", "7,000,000") stay whole.
_NUMBER = r"\p{Nd}+(?:[.,]\p{Nd}+)+"

WORD_PATTERN = regex.compile(rf"{_NUMBER}|{_WORD}|{_CJK_CHAR}|{_EMOJI}", regex.V1)
# Characters as units: user-perceived characters (grapheme clusters), never whitespace.
CHAR_PATTERN = regex.compile(r"(?!\s)\X", regex.V1)
_SPACE = regex.compile(r"\s", regex.V1)
_NON_SPACE = regex.compile(r"\S+", regex.V1)


@dataclass(frozen=True, slots=True)
class Token:
    """One explainable unit: its text and where it stands in the original."""

    text: str
    start: int
    end: int


class Tokenizer(Protocol):
    """Splits a text into tokens with spans."""

    def tokenize(self, text: str) -> list[Token]: ...


class RegexTokenizer:
    """Tokens are the matches of a compiled pattern; everything else is a gap."""

    def __init__(self, pattern: regex.Pattern[str], name: str) -> None:
        self.pattern = pattern
        self.name = name

    def tokenize(self, text: str) -> list[Token]:
        tokens: list[Token] = []
        for m in self.pattern.finditer(text):
            if _SPACE.search(m.group()):
                # A grapheme cluster can swallow a space after a "prepend" character (e.g. U+0600); a unit
                # never contains white space, so such a match is cut at it.
                tokens.extend(
                    Token(p.group(), m.start() + p.start(), m.start() + p.end()) for p in _NON_SPACE.finditer(m.group())
                )
            else:
                tokens.append(Token(m.group(), m.start(), m.end()))
        return tokens

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def word_tokenizer() -> RegexTokenizer:
    """Words (the default): apostrophes and combining marks stay inside, CJK by character, emoji kept."""
    return RegexTokenizer(WORD_PATTERN, "words")


def char_tokenizer() -> RegexTokenizer:
    """Characters: every non-space grapheme cluster is a unit."""
    return RegexTokenizer(CHAR_PATTERN, "chars")


def get_tokenizer(name: str) -> RegexTokenizer:
    """Look a tokenizer up by the name the CLI and the app use."""
    factories = {"words": word_tokenizer, "chars": char_tokenizer}
    try:
        return factories[name]()
    except KeyError:
        raise ValueError(f"unknown tokenization {name!r}; choose one of {sorted(factories)}") from None


def check_text(text: object, max_chars: int | None = None) -> None:
    """Refuse a text that is not a string, is empty, or is longer than ``max_chars``, saying which."""
    if not isinstance(text, str):
        raise InputTextError(f"the text must be a string, not {type(text).__name__}")
    if not _NON_SPACE.search(text):
        raise InputTextError("the text is empty; paste or type the text to explain")
    if max_chars is not None and len(text) > max_chars:
        raise InputTextError(
            f"the text has {len(text):,} characters, over the limit of {max_chars:,} characters "
            "(lime_core.limits.MAX_TEXT_CHARS by default); explain a part of it, e.g. one section at a time"
        )


@dataclass(frozen=True)
class TokenizedText:
    """A text, its tokens, and the gaps between them, ready for fast masking."""

    text: str
    tokens: tuple[Token, ...]

    @classmethod
    def from_text(
        cls,
        text: str,
        tokenizer: Tokenizer | None = None,
        max_chars: int | None = None,
        tokens: tuple[Token, ...] | None = None,
    ) -> TokenizedText:
        """Tokenize ``text`` (or take its ``tokens``, already made); raise InputTextError when nothing is to explain."""
        check_text(text, max_chars)
        if tokens is None:
            tokens = tuple((tokenizer or word_tokenizer()).tokenize(text))
        if not tokens:
            raise InputTextError("the text has no words to explain (only punctuation or symbols)")
        return cls(text, tokens)

    @property
    def gaps(self) -> list[str]:
        """The ``len(tokens) + 1`` stretches of text around the tokens, in order."""
        bounds = [0] + [b for t in self.tokens for b in (t.start, t.end)] + [len(self.text)]
        return [self.text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]

    def rebuild(self, keep: np.ndarray, replacement: str = "") -> list[str]:
        """Texts in which each token whose ``keep`` flag is False is replaced (deleted by default).

        ``keep`` is a boolean matrix (n_texts, n_tokens). Gaps (spaces,
        punctuation) are kept, so the surviving words keep their places.
        """
        keep = np.asarray(keep, dtype=bool)
        n_tokens = len(self.tokens)
        if keep.ndim != 2 or keep.shape[1] != n_tokens:
            raise ValueError(f"keep must have shape (n, {n_tokens}), not {keep.shape}")
        if replacement:
            return self._rebuild_with(keep, replacement)
        return self._rebuild_deleting(keep)

    def _rebuild_with(self, keep: np.ndarray, replacement: str) -> list[str]:
        words = np.array([t.text for t in self.tokens], dtype=object)
        rows = np.empty((keep.shape[0], 2 * len(self.tokens) + 1), dtype=object)
        rows[:, 0::2] = np.array(self.gaps, dtype=object)
        rows[:, 1::2] = np.where(keep, words, replacement)
        return ["".join(row) for row in rows.tolist()]

    def _rebuild_deleting(self, keep: np.ndarray) -> list[str]:
        # Deleting is a character mask: select the kept characters of all texts of a chunk in one vectorised
        # step, decode them as one string and slice it. About 3x faster than joining pieces row by row
        # (5,000 texts of 350 characters: 7 ms instead of 19 ms).
        codes = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32)
        owner = np.full(len(codes), len(self.tokens), dtype=np.intp)  # gap characters -> an always-kept column
        for i, tok in enumerate(self.tokens):
            owner[tok.start : tok.end] = i
        texts: list[str] = []
        chunk = max(1, 4_000_000 // max(1, len(codes)))
        for start in range(0, keep.shape[0], chunk):
            block = keep[start : start + chunk]
            keep_ext = np.ones((block.shape[0], len(self.tokens) + 1), dtype=bool)
            keep_ext[:, :-1] = block
            char_keep = keep_ext[:, owner]
            joined = np.broadcast_to(codes, char_keep.shape)[char_keep].tobytes().decode("utf-32-le")
            ends = np.cumsum(char_keep.sum(axis=1))
            starts = np.concatenate(([0], ends[:-1]))
            texts.extend(joined[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True))
        return texts
