"""Levels of explanation: words, or sentences and paragraphs when a text has too many words.

A level is the unit LIME removes and weighs. Words are the default; a long
document has thousands of distinct words, and a surrogate over thousands of
features needs more model calls than anyone will pay for (a 12,000-character
post took 4,000 calls at the word level, a 35,000-character one hit the 5,000
cap with no intervals). Sentences (or paragraphs) are few, and the model's
answer to a text missing a sentence is as easy to read. A user then drills
down: the words of one sentence are explained with the rest of the text held
as it is (``TextExplainer(within=(start, end))``).

The units are tokens like any other (:class:`~lime_core.tokenization.Token`:
exact character spans into the original text, everything between them a gap
that is never removed), so sampling, the surrogate, the trust checks and the
formatters need nothing new. Sentences come from ``sentencex`` (Wikimedia's
rule-based segmenter: about 300 languages, no model files, nothing downloaded;
about 50 ms for 300,000 characters), paragraphs are its sentences grouped at
its paragraph breaks (a blank line).

``level="auto"`` (the default) keeps words while the text's distinct words
are at most :data:`AUTO_MAX_WORDS`, then takes sentences while they are at
most :data:`AUTO_MAX_UNITS`, then paragraphs, then paragraphs merged into
:data:`AUTO_MAX_UNITS` runs of adjacent ones (:func:`choose_level`). A text of
one sentence stays at words, whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex

from .errors import InputTextError
from .tokenization import Token, Tokenizer

AUTO = "auto"
WORDS = "words"
SENTENCES = "sentences"
PARAGRAPHS = "paragraphs"
LEVELS = (WORDS, SENTENCES, PARAGRAPHS)
LEVEL_CHOICES = (AUTO, *LEVELS)

# Chosen on 16 development posts (20 Newsgroups train split, not the test posts benchmarks/long_docs.py reports):
# the word level's auto spent 3,990-4,993 calls on all four posts of 350-450 distinct words, 997-4,993 on those of
# 250-350 and 1,643-3,427 on those of 150-250.
AUTO_MAX_WORDS = 300
# The most sentences (or paragraphs) auto takes as features; more are merged into this many runs of adjacent ones.
AUTO_MAX_UNITS = 300
# At the sentence and paragraph levels, n_samples="auto" stops at this many samples (or max_samples if lower). A
# long document costs the model most per call, and its sentences often weigh alike, so the top-5 set can take the
# whole 5,000 to settle (a 35,000-character post of the benchmark: 4,984 calls, 65 s); the verdict says when it has not.
COARSE_MAX_SAMPLES = 2_500

_SPACE_RUN = regex.compile(r"\s+")


@dataclass(frozen=True)
class Segment:
    """One sentence: its span in the text (white space around it trimmed) and whether a paragraph break follows."""

    start: int
    end: int
    paragraph_end: bool


def split_sentences(text: str, language: str | None = None) -> list[Segment]:
    """The sentences of ``text`` as trimmed spans, in order; paragraph breaks (blank lines) are marked."""
    import sentencex

    segments: list[Segment] = []
    # sentencex's English rules also end sentences at CJK and other scripts' full stops; a language code adds its
    # abbreviations. Not detected here: loading the language model takes seconds, more than the split itself.
    for piece in sentencex.get_sentence_boundaries(language or "en", text):
        start, end = int(piece["start_index"]), int(piece["end_index"])
        chunk = text[start:end]
        stripped = chunk.strip()
        if not stripped:
            if segments and (piece.get("is_paragraph_break") or chunk.count("\n") >= 2):
                segments[-1] = Segment(segments[-1].start, segments[-1].end, True)
            continue
        lead = len(chunk) - len(chunk.lstrip())
        s, e = start + lead, start + lead + len(stripped)
        if segments and "\n\n" in regex.sub(r"[^\S\n]+", "", text[segments[-1].end : s]):
            segments[-1] = Segment(segments[-1].start, segments[-1].end, True)
        segments.append(Segment(s, e, False))
    return segments


def _runs(segments: list[Segment], breaks: list[bool], max_units: int | None) -> list[tuple[int, int]]:
    """Spans of runs of adjacent segments, cut after each ``breaks`` flag, merged evenly down to ``max_units``."""
    groups: list[tuple[int, int]] = []
    first = 0
    for i, cut in enumerate(breaks):
        if cut or i == len(segments) - 1:
            groups.append((segments[first].start, segments[i].end))
            first = i + 1
    if max_units is not None and len(groups) > max_units:
        size = len(groups) / max_units  # adjacent groups merged into max_units runs of nearly equal count
        groups = [
            (groups[round(j * size)][0], groups[round((j + 1) * size) - 1][1]) for j in range(max_units)
        ]
    return groups


def _token(text: str, start: int, end: int) -> Token:
    return Token(text[start:end], start, end)


class SentenceTokenizer:
    """Sentences as units (``sentencex``); ``language``: an ISO 639-1 code for its abbreviations (None: English's).

    Over ``max_units`` sentences, runs of adjacent sentences (of nearly equal count) are the units."""

    name = SENTENCES

    def __init__(self, language: str | None = None, max_units: int | None = None) -> None:
        self.language = language
        self.max_units = max_units

    def tokenize(self, text: str) -> list[Token]:
        segments = split_sentences(text, self.language)
        spans = _runs(segments, [True] * len(segments), self.max_units)
        return [_token(text, a, b) for a, b in spans]

    def __repr__(self) -> str:
        return f"SentenceTokenizer(language={self.language!r}, max_units={self.max_units!r})"


class ParagraphTokenizer:
    """Paragraphs (sentences up to a blank line) as units; over ``max_units``, runs of adjacent paragraphs."""

    name = PARAGRAPHS

    def __init__(self, language: str | None = None, max_units: int | None = None) -> None:
        self.language = language
        self.max_units = max_units

    def tokenize(self, text: str) -> list[Token]:
        segments = split_sentences(text, self.language)
        spans = _runs(segments, [s.paragraph_end for s in segments], self.max_units)
        return [_token(text, a, b) for a, b in spans]

    def __repr__(self) -> str:
        return f"ParagraphTokenizer(language={self.language!r}, max_units={self.max_units!r})"


class WithinTokenizer:
    """The units of ``base`` inside ``text[start:end]`` only: the rest of the text is held as it is (drill-down)."""

    def __init__(self, base: Tokenizer, start: int, end: int) -> None:
        self.base = base
        self.start = start
        self.end = end

    def tokenize(self, text: str) -> list[Token]:
        start, end = self.start, self.end
        inner = self.base.tokenize(text[start:end])
        return [Token(t.text, t.start + start, t.end + start) for t in inner]

    def __repr__(self) -> str:
        return f"WithinTokenizer({self.base!r}, {self.start}, {self.end})"


def unit_name(unit_text: str) -> str:
    """A sentence's or paragraph's feature name: its text with runs of white space as one space."""
    return _SPACE_RUN.sub(" ", unit_text).strip()


def check_level(level: Any) -> None:
    """Refuse an unknown level, naming the choices."""
    if not isinstance(level, str) or level not in LEVEL_CHOICES:
        raise ValueError(f"level must be one of {', '.join(map(repr, LEVEL_CHOICES))}, not {level!r}")


def check_within(within: Any, text: str) -> tuple[int, int]:
    """``within`` as ``(start, end)`` inside ``text``, or a clear error."""
    try:
        start, end = (int(v) for v in within)
    except (TypeError, ValueError):
        raise ValueError(f"within must be a (start, end) pair of character offsets, not {within!r}") from None
    if not 0 <= start < end <= len(text):
        raise InputTextError(
            f"within=({start}, {end}) is not a span of this {len(text):,}-character text; "
            "pass the start and end offsets of the sentence to open"
        )
    return start, end


@dataclass(frozen=True)
class LevelChoice:
    """The level an explanation is at, the tokenizer that gives its units, and why it was chosen."""

    level: str
    tokenizer: Tokenizer
    reason: str  # empty when the level was asked for and is used as it is
    coarser_possible: bool = True  # False: the text is one sentence (or paragraph), no coarser level can help
    tokens: tuple[Token, ...] | None = None  # the word tokens, when choosing the level took them (not again)

    @property
    def max_samples(self) -> int | None:
        """The most samples auto sampling takes at this level (None: the explainer's ``max_samples``)."""
        return None if self.level == WORDS else COARSE_MAX_SAMPLES


def distinct_units(tokens: list[Token], level: str) -> int:
    """How many features the units make: distinct case-folded words, or distinct sentences / paragraphs."""
    if level == WORDS:
        return len({t.text.casefold() for t in tokens})
    return len({unit_name(t.text) for t in tokens})


def choose_level(text: str, word_tokenizer: Tokenizer, level: str = AUTO, language: str | None = None) -> LevelChoice:
    """The level for ``text``: ``level`` itself when given, else the finest one whose features stay few.

    An explicit sentence or paragraph level on a text of one sentence (or paragraph) falls back to words, and
    says so in ``reason``: one unit has no neighbour to compare with.
    """
    check_level(level)
    if level == WORDS:
        return LevelChoice(WORDS, word_tokenizer, "")
    if level == AUTO:
        words = tuple(word_tokenizer.tokenize(text))
        n_words = distinct_units(list(words), WORDS)
        if n_words <= AUTO_MAX_WORDS:
            return LevelChoice(WORDS, word_tokenizer, "", tokens=words)  # the usual case: nothing to explain
        sentences = SentenceTokenizer(language)
        n_sentences = len(sentences.tokenize(text))
        if n_sentences < 2:
            return LevelChoice(WORDS, word_tokenizer, f"{n_words:,} distinct words in one sentence: words, "
                               "the only level with more than one unit", coarser_possible=False, tokens=words)
        if n_sentences <= AUTO_MAX_UNITS:
            return LevelChoice(SENTENCES, sentences, f"{n_words:,} distinct words, over auto's {AUTO_MAX_WORDS:,}: "
                               f"{n_sentences:,} sentences instead")
        paragraphs = ParagraphTokenizer(language, max_units=AUTO_MAX_UNITS)
        n_paragraphs = len(ParagraphTokenizer(language).tokenize(text))
        if n_paragraphs >= 2:
            merged = f" (adjacent ones merged to {AUTO_MAX_UNITS:,})" if n_paragraphs > AUTO_MAX_UNITS else ""
            return LevelChoice(PARAGRAPHS, paragraphs, f"{n_words:,} distinct words and {n_sentences:,} sentences, "
                               f"over auto's {AUTO_MAX_UNITS:,}: {n_paragraphs:,} paragraphs{merged}")
        return LevelChoice(SENTENCES, SentenceTokenizer(language, max_units=AUTO_MAX_UNITS),
                           f"{n_words:,} distinct words and {n_sentences:,} sentences in one paragraph: runs of "
                           f"adjacent sentences, {AUTO_MAX_UNITS:,} of them")
    unit_tokenizer: Tokenizer = SentenceTokenizer(language) if level == SENTENCES else ParagraphTokenizer(language)
    n_units = len(unit_tokenizer.tokenize(text))
    if n_units < 2:
        return LevelChoice(WORDS, word_tokenizer, f"the text is one {level[:-1]}: explained by its words instead",
                           coarser_possible=level == PARAGRAPHS and len(SentenceTokenizer(language).tokenize(text)) > 1)
    return LevelChoice(level, unit_tokenizer, "")
