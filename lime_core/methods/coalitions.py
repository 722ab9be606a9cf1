"""Word coalitions: which of an explanation's perturbed samples are subsets of whole words, and their answers.

A Shapley value treats each distinct word as a player; a sample is a coalition
when every word is either kept at all its places or removed at all of them
(the bag-of-words sampler always does this; position masking does it when the
repeated words happen to go together, and always for words that occur once).
Each distinct coalition's text is one text, so its model answer is one number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..predictor import BlackBox, LabelView
from ..tokenization import TokenizedText


@dataclass(frozen=True)
class Coalitions:
    """Distinct word subsets with the model's probability of one class on each (``kept[i, j]``: word ``j`` kept)."""

    kept: np.ndarray  # (n, n_words) bool, distinct rows
    value: np.ndarray  # (n,) float

    @property
    def sizes(self) -> np.ndarray:
        return self.kept.sum(axis=1)

    def __len__(self) -> int:
        return int(self.kept.shape[0])

    def merged(self, other: Coalitions) -> Coalitions:
        """Both sets, each distinct subset once (the first answer kept; answers of one text are identical)."""
        kept = np.vstack([self.kept, other.kept])
        value = np.concatenate([self.value, other.value])
        return distinct(kept, value)


def distinct(kept: np.ndarray, value: np.ndarray) -> Coalitions:
    """Each distinct row of ``kept`` once, with its first value."""
    if kept.shape[0] == 0:
        return Coalitions(kept.astype(bool), value.astype(np.float64))
    packed = np.packbits(kept, axis=1)
    _, first = np.unique(packed, axis=0, return_index=True)
    first = np.sort(first)
    return Coalitions(kept[first].astype(bool), value[first].astype(np.float64))


def word_coalitions(keep: np.ndarray, word_of_token: np.ndarray, n_words: int, value: np.ndarray) -> Coalitions:
    """The samples of ``keep`` ``(n, n_tokens)`` that keep or remove each word whole, as distinct coalitions."""
    n_tokens = len(word_of_token)
    to_words = sp.csr_matrix(
        (np.ones(n_tokens, dtype=np.int32), (np.arange(n_tokens), word_of_token)), shape=(n_tokens, n_words)
    )
    kept_count = np.asarray((sp.csr_matrix(keep, dtype=np.int32) @ to_words).todense())
    occurrences = np.bincount(word_of_token, minlength=n_words)
    whole = np.all((kept_count == 0) | (kept_count == occurrences), axis=1)
    kept = kept_count[whole] == occurrences
    return distinct(kept, np.asarray(value, dtype=np.float64)[whole])


def token_masks(kept: np.ndarray, word_of_token: np.ndarray) -> np.ndarray:
    """Keep-masks over tokens of word coalitions ``(n, n_words)``."""
    return np.asarray(kept, dtype=bool)[:, word_of_token]


def ask(
    kept: np.ndarray,
    tokenized: TokenizedText,
    word_of_token: np.ndarray,
    black_box: BlackBox | LabelView,
    class_index: int,
    mask_token: str | None,
) -> tuple[Coalitions, int]:
    """The model's probability of ``class_index`` on each coalition's text, and the texts sent (cache misses)."""
    if kept.shape[0] == 0:
        return Coalitions(kept.astype(bool), np.zeros(0)), 0
    texts = tokenized.rebuild(token_masks(kept, word_of_token), replacement=mask_token or "")
    answers = black_box.predict(texts)
    return Coalitions(kept.astype(bool), answers.proba[:, class_index].astype(np.float64)), int(answers.n_model_calls)


def uncached(
    kept: np.ndarray,
    tokenized: TokenizedText,
    word_of_token: np.ndarray,
    black_box: BlackBox | LabelView,
    mask_token: str | None,
) -> int:
    """How many of these coalitions' texts the model would be asked about (not in the black box's cache)."""
    if kept.shape[0] == 0:
        return 0
    texts = list(dict.fromkeys(tokenized.rebuild(token_masks(kept, word_of_token), replacement=mask_token or "")))
    return sum(row is None for row in black_box.cache.lookup(black_box.model_key, texts))


@dataclass(frozen=True, eq=False)
class CoalitionAnswers:
    """Asks the explanation's black box about word coalitions of one text, for one class (cached answers free)."""

    tokenized: TokenizedText
    word_of_token: np.ndarray
    black_box: BlackBox | LabelView
    class_index: int
    mask_token: str | None

    def ask(self, kept: np.ndarray) -> tuple[Coalitions, int]:
        """The class's probability on each coalition's text, and the texts sent (cache misses)."""
        return ask(kept, self.tokenized, self.word_of_token, self.black_box, self.class_index, self.mask_token)

    def cost(self, kept: np.ndarray) -> int:
        """How many of these coalitions' texts the model would be asked about now."""
        return uncached(kept, self.tokenized, self.word_of_token, self.black_box, self.mask_token)
