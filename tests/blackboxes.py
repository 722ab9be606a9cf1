"""Black boxes with known behaviour, for tests of the explainer and its parts.

Each model here follows the :class:`lime_core.classifier.TextClassifier`
contract (``class_names`` and ``predict_proba(list[str])``) unless its name
says otherwise, and records every batch it is asked about, so that tests can
count model calls and see the exact texts that were sent.

The word models are exactly linear in word counts on the logit scale, i.e.
they belong to the family of the softmax surrogate: a correct LIME must
recover their coefficients, signs and order, and give words without an effect
weights near zero.

Words are counted independently of lime_core's tokenizer (case-folded runs of
letters and digits, apostrophes joining "don't"), so a tokenizer bug cannot
hide itself by making the model agree with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import regex
from scipy.special import softmax

# A Chinese or Japanese character is a word of its own; other words are runs of letters, digits and marks.
WORD_RE = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}]|[[\p{L}\p{N}\p{M}]--[\p{Han}\p{Hiragana}\p{Katakana}]]+"
    r"(?:['’][[\p{L}\p{N}\p{M}]--[\p{Han}\p{Hiragana}\p{Katakana}]]+)*",
    regex.V1,
)


def word_counts(text: str) -> Counter[str]:
    """Case-folded word counts of ``text``."""
    return Counter(w.casefold() for w in WORD_RE.findall(text))


class RecordingModel:
    """Base class: remembers every batch passed to ``predict_proba``."""

    def __init__(self, class_names: Sequence[str]) -> None:
        self._class_names = list(class_names)
        self.batches: list[list[str]] = []

    @property
    def class_names(self) -> list[str]:
        return list(self._class_names)

    @property
    def texts_seen(self) -> list[str]:
        """Every text sent to the model, in order, duplicates included."""
        return [t for batch in self.batches for t in batch]

    @property
    def n_texts_seen(self) -> int:
        return sum(len(b) for b in self.batches)

    @property
    def n_calls(self) -> int:
        return len(self.batches)

    def reset(self) -> None:
        self.batches.clear()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        self.batches.append(texts)
        return self._proba(texts)

    def _proba(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class SoftmaxWordModel(RecordingModel):
    """``P(class | text) = softmax(bias + sum_w count(w) * weights[w])``.

    ``weights`` maps a (case-folded) word to one logit per class; words not in
    it have no effect. Give each word's logits a zero sum across classes and
    the surrogate's centred coefficients must equal them.
    """

    def __init__(
        self,
        weights: Mapping[str, Sequence[float]],
        class_names: Sequence[str],
        bias: Sequence[float] | None = None,
    ) -> None:
        super().__init__(class_names)
        k = len(class_names)
        self.weights = {w.casefold(): np.asarray(v, dtype=np.float64) for w, v in weights.items()}
        for word, v in self.weights.items():
            if v.shape != (k,):
                raise ValueError(f"word {word!r} needs {k} logits, got {v.shape}")
        self.bias = np.zeros(k) if bias is None else np.asarray(bias, dtype=np.float64)

    def logits(self, text: str) -> np.ndarray:
        z = self.bias.copy()
        for word, n in word_counts(text).items():
            v = self.weights.get(word)
            if v is not None:
                z = z + n * v
        return z

    def _proba(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self._class_names)))
        return softmax(np.vstack([self.logits(t) for t in texts]), axis=1)

    def true_weight(self, word: str, class_index: int) -> float:
        """The centred logit of ``word`` for a class: what a 3+-class explanation should report."""
        v = self.weights.get(word.casefold())
        if v is None:
            return 0.0
        return float(v[class_index] - v.mean())


class LogisticWordModel(SoftmaxWordModel):
    """Two classes: ``P(positive) = sigmoid(bias + sum_w count(w) * coefs[w])``.

    For two classes lime_core reports the change in log-odds of the class
    against the other, so the explanation of ``class_names[1]`` should show
    ``coefs[w]`` and that of ``class_names[0]`` should show ``-coefs[w]``.
    """

    def __init__(
        self,
        coefs: Mapping[str, float],
        bias: float = 0.0,
        class_names: Sequence[str] = ("negative", "positive"),
    ) -> None:
        super().__init__({w: (0.0, c) for w, c in coefs.items()}, class_names, bias=(0.0, bias))
        self.coefs = {w.casefold(): float(c) for w, c in coefs.items()}

    def true_log_odds(self, word: str, class_index: int = 1) -> float:
        c = self.coefs.get(word.casefold(), 0.0)
        return c if class_index == 1 else -c


# -- ready-made models with known effects ------------------------------------------------------------------------

SENTIMENT_COEFS = {"good": 2.0, "great": 1.2, "bad": -2.6, "awful": -0.7}
SENTIMENT_BIAS = 0.2
SENTIMENT_TEXT = "The acting was good and the music was great, but the plot was bad and the ending awful."
# Words of SENTIMENT_TEXT that the model ignores.
SENTIMENT_NEUTRAL = ("the", "acting", "was", "and", "music", "but", "plot", "ending")


def sentiment_model() -> LogisticWordModel:
    """Two classes (negative, positive) with four words of known, distinct log-odds effects."""
    return LogisticWordModel(SENTIMENT_COEFS, bias=SENTIMENT_BIAS)


TOPIC_CLASSES = ("sports", "politics", "tech")
# Each word's logits sum to zero across classes, so they are what the explanation must report.
TOPIC_WEIGHTS = {
    "goal": (1.8, -0.9, -0.9),
    "vote": (-0.6, 1.2, -0.6),
    "laptop": (-0.3, -0.3, 0.6),
    "striker": (0.9, -0.2, -0.7),
}
TOPIC_BIAS = (0.1, 0.0, -0.1)
TOPIC_TEXT = "After the vote the striker scored a goal and then bought a laptop with his bonus"
TOPIC_NEUTRAL = ("after", "the", "scored", "a", "and", "then", "bought", "with", "his", "bonus")


def topic_model() -> SoftmaxWordModel:
    """Three classes (sports, politics, tech) with known per-class word effects."""
    return SoftmaxWordModel(TOPIC_WEIGHTS, TOPIC_CLASSES, bias=TOPIC_BIAS)


class ConstantModel(RecordingModel):
    """Returns the same probability row for every text."""

    def __init__(self, row: Sequence[float] = (0.3, 0.7), class_names: Sequence[str] | None = None) -> None:
        super().__init__(class_names or [f"c{i}" for i in range(len(row))])
        self.row = np.asarray(row, dtype=np.float64)

    def _proba(self, texts: list[str]) -> np.ndarray:
        return np.tile(self.row, (len(texts), 1))


class ScriptedModel(RecordingModel):
    """Returns whatever ``answer(texts)`` returns, valid or not: for testing output validation."""

    def __init__(self, answer: Callable[[list[str]], Any], class_names: Sequence[str] = ("a", "b")) -> None:
        super().__init__(class_names)
        self.answer = answer

    def _proba(self, texts: list[str]) -> Any:
        return self.answer(texts)


class SklearnLikeModel:
    """Like a fitted scikit-learn pipeline: ``classes_`` and ``predict_proba``, but no ``class_names``.

    lime_core must wrap it in an adapter. Records the texts it is asked about.
    """

    def __init__(self, inner: SoftmaxWordModel) -> None:
        self.inner = inner
        self.classes_ = np.array(inner.class_names)
        self.batches: list[list[str]] = []

    @property
    def n_texts_seen(self) -> int:
        return sum(len(b) for b in self.batches)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        self.batches.append(texts)
        return self.inner._proba(texts)


class BareProbaModel:
    """Only ``predict_proba``: no ``class_names``, no ``classes_`` (class names must be learned)."""

    def __init__(self, inner: SoftmaxWordModel) -> None:
        self.inner = inner

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner._proba(list(texts))


class NoProbaModel:
    """A classifier that only predicts labels: it cannot be explained."""

    class_names = ("a", "b")

    def predict(self, texts: Sequence[str]) -> list[str]:
        return ["a" for _ in texts]


# -- black boxes no word model can describe ---------------------------------------------------------------


def xor_words(text: str) -> tuple[str, str]:
    """Two words of ``text`` that the perturbations often remove: the first two that occur once (else the rarest)."""
    counts = word_counts(text)
    first, second = sorted(counts, key=lambda w: counts[w])[:2]  # stable: first seen among equals
    return first, second


class XorModel(RecordingModel):
    """``P(yes) = high`` when exactly one of two words is in the text, else ``1 - high``: a pure interaction."""

    def __init__(self, word_a: str, word_b: str, high: float = 0.9) -> None:
        super().__init__(("no", "yes"))
        self.words = (word_a.casefold(), word_b.casefold())
        self.high = high

    def _proba(self, texts: list[str]) -> np.ndarray:
        def yes(text: str) -> float:
            counts = word_counts(text)
            return self.high if (self.words[0] in counts) != (self.words[1] in counts) else 1.0 - self.high

        p = np.array([yes(t) for t in texts], dtype=np.float64)
        return np.column_stack([1.0 - p, p]) if len(texts) else np.zeros((0, 2))


class HashNoiseModel(RecordingModel):
    """``P(yes)`` from a hash of the whole string, uniform in [0.02, 0.98]: deterministic, but no word matters."""

    def __init__(self) -> None:
        super().__init__(("no", "yes"))

    def _proba(self, texts: list[str]) -> np.ndarray:
        import hashlib

        def yes(text: str) -> float:
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
            return 0.02 + 0.96 * int.from_bytes(digest[:8], "little") / 2**64

        p = np.array([yes(t) for t in texts], dtype=np.float64)
        return np.column_stack([1.0 - p, p]) if len(texts) else np.zeros((0, 2))


# -- an interaction that explanation methods disagree on -------------------------------------------------

REDUNDANT_TEXT = "cheap fast reliable quiet small light sturdy bright warm simple"
REDUNDANT_PAIR = ("cheap", "fast")
REDUNDANT_COEFS = {"reliable": 1.0, "quiet": 0.8, "small": 0.6, "light": 0.4, "sturdy": 0.2}


class RedundantPairModel(RecordingModel):
    """``P(yes) = sigmoid(-2 + 4 [either word of the pair is in the text] + sum of coefs of the words present)``.

    Either word of the pair suffices alone, so leaving one out changes nothing: occlusion gives both exactly 0,
    while their Shapley values share the pair's large effect. The other words are additive on the logit scale.
    """

    def __init__(self, pair: tuple[str, str] = REDUNDANT_PAIR, coefs: dict[str, float] | None = None) -> None:
        super().__init__(("no", "yes"))
        self.pair = pair
        self.coefs = dict(REDUNDANT_COEFS if coefs is None else coefs)

    def _proba(self, texts: list[str]) -> np.ndarray:
        def yes(text: str) -> float:
            counts = word_counts(text)
            z = -2.0 + 4.0 * any(w in counts for w in self.pair) + sum(c for w, c in self.coefs.items() if w in counts)
            return float(1.0 / (1.0 + np.exp(-z)))

        p = np.array([yes(t) for t in texts], dtype=np.float64)
        return np.column_stack([1.0 - p, p]) if len(texts) else np.zeros((0, 2))


def exact_shapley(model: RecordingModel, explainer: Any, class_index: int) -> np.ndarray:
    """Shapley values of every word of a fitted explainer's text for ``class_index``'s probability, enumerated
    over all 2^M subsets of its M distinct words (M <= 12), asking ``model`` directly (not through lime_core)."""
    import itertools
    import math

    nb = explainer.neighbourhood_
    groups = nb.features.groups
    n = groups.n_words
    if n > 12:
        raise ValueError(f"{n} words: enumerating every subset is for at most 12")
    subsets = np.array(list(itertools.product([False, True], repeat=n)))
    proba = model._proba(nb.tokenized.rebuild(subsets[:, groups.word_of_token]))[:, class_index]
    value = {row.tobytes(): p for row, p in zip(subsets, proba, strict=True)}
    phi = np.zeros(n)
    for j in range(n):
        for row in subsets[~subsets[:, j]]:
            s = int(row.sum())
            with_j = row.copy()
            with_j[j] = True
            weight = math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
            phi[j] += weight * (value[with_j.tobytes()] - value[row.tobytes()])
    return phi


class MultiLabelWordModel(RecordingModel):
    """Independent labels: ``P(label | text) = sigmoid(bias[label] + sum_w count(w) * coefs[label][w])``.

    Rows need not sum to 1. The explanation of a label (its own yes/no question) should show ``coefs[label][w]``
    on the log-odds scale. ``multi_label`` is what the model declares (None: it declares nothing).
    """

    def __init__(
        self,
        coefs: Mapping[str, Mapping[str, float]],
        bias: Mapping[str, float] | None = None,
        multi_label: bool | None = True,
    ) -> None:
        super().__init__(list(coefs))
        self.coefs = {label: {w.casefold(): float(c) for w, c in words.items()} for label, words in coefs.items()}
        self.bias = {label: float((bias or {}).get(label, 0.0)) for label in coefs}
        if multi_label is not None:
            self.multi_label = multi_label

    def _proba(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            counts = word_counts(text)
            z = [self.bias[label] + sum(n * words.get(w, 0.0) for w, n in counts.items()) for label, words in
                 self.coefs.items()]
            rows.append(1.0 / (1.0 + np.exp(-np.asarray(z))))
        return np.asarray(rows).reshape(len(texts), len(self.coefs))


# Three topics a post may belong to at once; each word moves one or two labels, "the" and "and" none.
MULTI_LABEL_COEFS = {
    "sport": {"goal": 2.5, "match": 1.5, "senate": -1.0},
    "politics": {"senate": 2.5, "vote": 1.5, "rain": -1.0},
    "weather": {"rain": 2.5, "sunny": 1.5, "goal": -1.0},
}
MULTI_LABEL_BIAS = {"sport": -1.0, "politics": -1.5, "weather": -0.5}
MULTI_LABEL_TEXT = "The goal of the match came in the rain, and the senate vote was held on a sunny day."
