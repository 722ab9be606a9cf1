"""The interpretable representation: word (and word-pair) counts of each sample.

Unigram feature ``j`` counts the kept occurrences of vocabulary word ``j``
(case-folded). Bigram features, when enabled, count adjacent token pairs of
the original text whose two tokens are both kept; a pair counts as adjacent
only when nothing but white space separates it, so no bigram spans a
punctuation mark. Unlike eli5, which vectorizes the perturbed strings, the
features come straight from the keep-masks: no new bigram appears across a
removed word, and every feature maps to exact spans of the original text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .levels import unit_name
from .sampling import TokenGroups
from .tokenization import TokenizedText


@dataclass(frozen=True)
class FeatureSpace:
    """Names and spans of the features of one tokenized text, and how to compute them from keep-masks."""

    names: tuple[str, ...]
    spans: tuple[tuple[tuple[int, int], ...], ...]
    groups: TokenGroups
    bigram_left: np.ndarray  # token index of each bigram's first token
    bigram_index: np.ndarray  # feature index (offset by n_words) of each bigram occurrence

    @classmethod
    def build(
        cls, tokenized: TokenizedText, bigrams: bool = False, by_position: bool = False, level: str = "words"
    ) -> FeatureSpace:
        """``by_position``: every token position is its own feature, named ``[i] token`` as eli5's
        ``position_dependent=True`` names them (a word can then weigh differently where it recurs).

        ``level``: ``"words"``, or ``"sentences"`` / ``"paragraphs"`` (:mod:`lime_core.levels`), whose features are
        named by their text as written (white space collapsed, case kept); pairs are of words only."""
        tokens = tokenized.tokens
        words = level == "words"
        bigrams = bigrams and words
        vocab: dict[str | int, int] = {}
        word_of_token = np.empty(len(tokens), dtype=np.intp)
        names: list[str] = []
        spans: list[list[tuple[int, int]]] = []
        for i, tok in enumerate(tokens):
            key: str | int = i if by_position else (tok.text.casefold() if words else unit_name(tok.text))
            j = vocab.get(key)
            if j is None:
                j = vocab[key] = len(names)
                # Named as typed but in lower case ("großartig"; casefold would show "grossartig"), grouped by
                # casefold so "Straße" and "STRASSE" stay one word; a sentence is named as written.
                names.append(f"[{i}] {tok.text}" if by_position else (tok.text.lower() if words else str(key)))
                spans.append([])
            word_of_token[i] = j
            spans[j].append((tok.start, tok.end))
        n_words = len(names)

        left: list[int] = []
        index: list[int] = []
        if bigrams:
            pairs: dict[tuple[int, int], int] = {}
            text = tokenized.text
            for i in range(len(tokens) - 1):
                a, b = tokens[i], tokens[i + 1]
                if text[a.end : b.start].strip():
                    continue
                key2 = (int(word_of_token[i]), int(word_of_token[i + 1]))
                f = pairs.get(key2)
                if f is None:
                    f = pairs[key2] = len(names)
                    names.append(f"{names[key2[0]]} {names[key2[1]]}")
                    spans.append([])
                spans[f].append((a.start, b.end))
                left.append(i)
                index.append(f)
        return cls(
            names=tuple(names),
            spans=tuple(tuple(s) for s in spans),
            groups=TokenGroups(word_of_token=word_of_token, n_words=n_words),
            bigram_left=np.asarray(left, dtype=np.intp),
            bigram_index=np.asarray(index, dtype=np.intp),
        )

    @property
    def n_features(self) -> int:
        return len(self.names)

    def is_bigram(self, feature: int) -> bool:
        return feature >= self.groups.n_words

    def transform(self, keep: np.ndarray) -> sp.csr_matrix:
        """Feature counts (CSR, float64) of each keep-mask row."""
        n_tokens = keep.shape[1]
        unigram_map = sp.csr_matrix(
            (np.ones(n_tokens), (np.arange(n_tokens), self.groups.word_of_token)),
            shape=(n_tokens, self.n_features),
        )
        keep_f = sp.csr_matrix(keep, dtype=np.float64)
        X = keep_f @ unigram_map
        if len(self.bigram_left):
            both = keep[:, self.bigram_left] & keep[:, self.bigram_left + 1]
            bigram_map = sp.csr_matrix(
                (np.ones(len(self.bigram_left)), (np.arange(len(self.bigram_left)), self.bigram_index)),
                shape=(len(self.bigram_left), self.n_features),
            )
            X = X + sp.csr_matrix(both, dtype=np.float64) @ bigram_map
        return sp.csr_matrix(X)
