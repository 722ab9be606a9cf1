"""Is the explanation faithful to the black box itself? Remove the words it ranks highest and watch the model.

The fidelity metrics compare the surrogate with the model on random
perturbations; these measures instead test the explanation's *ranking* on the
real model, as the ERASER benchmark (DeYoung et al. 2020) and ferret
(Attanasio et al. 2023) do:

* **comprehensiveness**: ``p(text) - p(text without the top k words)``; a
  faithful ranking removes much of the prediction (higher is better); ``k``
  is at most half the words (removing them all gives the same text whatever
  the ranking);
* **sufficiency**: ``p(text) - p(only the top k words)``; the top words alone
  should keep the prediction (lower is better, negative when they make the
  model surer);
* **deletion curve**: the probability after removing the top ``k`` words for
  ``k = 0..n`` (on a grid of at most ``max_points`` steps for long texts),
  and its normalised area (**AUC**, the mean probability over the fraction of
  words removed; lower is better), the "most relevant first" perturbation
  curve of Samek et al. (2017).

Words are ranked by their contribution to the explained class (``weight x
count``, most positive first); removing a word removes every occurrence, as
the bag-of-words sampler does, and bigram features are not ranked. Two
baselines give the numbers a scale: a **random** ranking (mean of a few
draws) and **occlusion** (leave-one-word-out: rank words by how much the
probability drops when each is removed alone).

Cost: every ranking's texts go through the explanation's black box (deduplicated
and cached) in one batch: at most ``n_words`` occlusion texts plus
``(2 + n_random) x min(n_words, max_points) + 2`` curve texts, fewer after
deduplication and cache hits. The report says how many were sent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..explanation import CurvePoint, FaithfulnessReport, FaithfulnessScores
from ..predictor import BlackBox, LabelView
from ..tokenization import TokenizedText

DEFAULT_RANDOM_DRAWS = 3
DEFAULT_MAX_POINTS = 20
# Below this drop of probability from removing every word, no ranking can show anything.
UNINFORMATIVE_DROP = 0.05
# "good": the explanation's deletion AUC is below the random ranking's by at least this share of the gap between
# random and occlusion (or of UNINFORMATIVE_DROP when occlusion itself barely beats random).
GOOD_SHARE_OF_OCCLUSION = 0.5


def curve_steps(n_words: int, k: int, max_points: int = DEFAULT_MAX_POINTS) -> np.ndarray:
    """The numbers of removed words at which the deletion curve is measured (always 0, k and n_words)."""
    if n_words <= max_points:
        steps = np.arange(n_words + 1)
    else:
        steps = np.unique(np.round(np.linspace(0, n_words, max_points + 1)).astype(int))
    return np.unique(np.concatenate([steps, [min(k, n_words)]]))


def _area(steps: np.ndarray, probs: np.ndarray, n_words: int) -> float:
    """Normalised trapezoidal area under the curve over the fraction of words removed (0..1)."""
    if n_words == 0:
        return float(probs[0])
    x = steps / n_words
    return float(np.sum((x[1:] - x[:-1]) * (probs[1:] + probs[:-1]) / 2))


class _Batch:
    """Collects keep-masks, predicts them in one call, and hands back each mask's probability."""

    def __init__(self, word_of_token: np.ndarray, n_words: int) -> None:
        self.word_of_token = word_of_token
        self.n_words = n_words
        self.masks: list[np.ndarray] = []

    def remove(self, words: Sequence[int] | np.ndarray) -> int:
        removed = np.zeros(self.n_words, dtype=bool)
        removed[list(words)] = True
        self.masks.append(~removed[self.word_of_token])
        return len(self.masks) - 1

    def keep_only(self, words: Sequence[int] | np.ndarray) -> int:
        kept = np.zeros(self.n_words, dtype=bool)
        kept[list(words)] = True
        self.masks.append(kept[self.word_of_token])
        return len(self.masks) - 1


def _scores(batch: _Batch, ranking: np.ndarray, steps: np.ndarray, k: int) -> tuple[list[int], int, int]:
    """Queue the texts of one ranking: (curve rows, comprehensiveness row, sufficiency row)."""
    curve = [batch.remove(ranking[:s]) for s in steps]
    comp = curve[int(np.searchsorted(steps, k))]
    suff = batch.keep_only(ranking[:k])
    return curve, comp, suff


def faithfulness_report(
    tokenized: TokenizedText,
    word_of_token: np.ndarray,
    word_names: Sequence[str],
    contributions: np.ndarray,
    black_box: BlackBox | LabelView,
    class_index: int,
    class_name: str,
    k: int,
    rng: np.random.Generator,
    mask_token: str | None = None,
    removal: Any = None,
    n_random: int = DEFAULT_RANDOM_DRAWS,
    max_points: int = DEFAULT_MAX_POINTS,
) -> FaithfulnessReport:
    """Comprehensiveness, sufficiency and deletion curve of the explanation's word ranking and of the baselines.

    ``contributions`` holds one number per word (vocabulary entry, not bigram): its contribution to the
    explained class in the explanation; words are removed from the highest down, by ``removal`` (a
    :class:`~lime_core.removal.Removal`; default ``mask_token`` in their place, or deletion).
    """
    n_words = len(word_names)
    # At most half the words: removing all of them gives the same text whatever the ranking.
    k = max(1, min(int(k), math.ceil(n_words / 2))) if n_words else 0
    steps = curve_steps(n_words, k, max_points)
    batch = _Batch(word_of_token, n_words)
    original = batch.remove([])
    occluded = [batch.remove([j]) for j in range(n_words)]
    ranking = np.argsort(-np.asarray(contributions, dtype=np.float64), kind="stable")
    queued = {"explanation": _scores(batch, ranking, steps, k)}
    random_rankings = [rng.permutation(n_words) for _ in range(n_random)]
    queued_random = [_scores(batch, r, steps, k) for r in random_rankings]

    # Occlusion needs its own ranking before its curve can be queued: predict in two batches.
    def rebuild(keep: np.ndarray) -> list[str]:
        return removal.texts(tokenized, keep) if removal is not None else tokenized.rebuild(keep, mask_token or "")

    texts = rebuild(np.vstack(batch.masks))
    first = black_box.predict(texts)
    proba = first.proba[:, class_index]
    p0 = float(proba[original])
    occlusion_drop = p0 - proba[occluded]
    occlusion_ranking = np.argsort(-occlusion_drop, kind="stable")
    start = len(batch.masks)
    queued_occlusion = _scores(batch, occlusion_ranking, steps, k)
    texts = rebuild(np.vstack(batch.masks[start:]))
    second = black_box.predict(texts)
    proba = np.concatenate([proba, second.proba[:, class_index]])

    def score(q: tuple[list[int], int, int]) -> FaithfulnessScores:
        curve_rows, comp, suff = q
        probs = proba[curve_rows]
        return FaithfulnessScores(
            comprehensiveness=p0 - float(proba[comp]),
            sufficiency=p0 - float(proba[suff]),
            auc=_area(steps, probs, n_words),
            curve=tuple(CurvePoint(k=int(s), probability=float(p)) for s, p in zip(steps, probs, strict=True)),
        )

    ours = score(queued["explanation"])
    occlusion = score(queued_occlusion)
    baselines = {"occlusion": occlusion}
    if queued_random:
        draws = [score(q) for q in queued_random]
        mean_curve = np.mean([[p.probability for p in d.curve] for d in draws], axis=0)
        baselines["random"] = FaithfulnessScores(
            comprehensiveness=float(np.mean([d.comprehensiveness for d in draws])),
            sufficiency=float(np.mean([d.sufficiency for d in draws])),
            auc=float(np.mean([d.auc for d in draws])),
            curve=tuple(CurvePoint(k=int(s), probability=float(p)) for s, p in zip(steps, mean_curve, strict=True)),
        )
    lowest = min(p.probability for s in [ours, *baselines.values()] for p in s.curve)
    return FaithfulnessReport(
        class_name=class_name,
        k=k,
        n_words=n_words,
        probability=p0,
        scores=ours,
        baselines=baselines,
        n_random=len(queued_random),
        level="uninformative" if n_words < 2 else faithfulness_level(ours, baselines, p0 - lowest),
        n_model_calls=int(first.n_model_calls + second.n_model_calls),
    )


def faithfulness_level(ours: FaithfulnessScores, baselines: dict[str, FaithfulnessScores], max_drop: float) -> str:
    """``good``, ``weak``, ``poor`` or ``uninformative`` (see docs/trust.md)."""
    if max_drop < UNINFORMATIVE_DROP:
        return "uninformative"
    rand = baselines.get("random")
    if rand is None:
        return "good" if ours.comprehensiveness > 0 else "poor"
    margin = rand.auc - ours.auc
    if margin <= 0 or ours.comprehensiveness <= rand.comprehensiveness:
        return "poor"
    occ = baselines.get("occlusion")
    reference = max(rand.auc - occ.auc, UNINFORMATIVE_DROP) if occ is not None else UNINFORMATIVE_DROP
    return "good" if margin >= GOOD_SHARE_OF_OCCLUSION * reference else "weak"


def max_texts(n_words: int, n_random: int = DEFAULT_RANDOM_DRAWS, max_points: int = DEFAULT_MAX_POINTS) -> int:
    """At most how many texts :func:`faithfulness_report` sends for ``n_words`` words, before deduplication.

    The original, one text per word left out (occlusion), and for each of the
    ``2 + n_random`` rankings its deletion curve (:func:`curve_steps`, plus the
    step ``k`` when it is off the grid) and one sufficiency text. What a caller
    shows as the check's cost before running it (e.g. the dashboard's request count).
    """
    curve = len(curve_steps(n_words, 0, max_points)) + 1
    return 1 + n_words + (2 + n_random) * (curve + 1)
