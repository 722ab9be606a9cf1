"""Perturbation samplers: which tokens each neighbour of the text keeps.

A sampler returns a boolean matrix ``keep`` of shape ``(n_samples, n_tokens)``;
``keep[i, j]`` is False when token ``j`` is removed from sample ``i``. Row 0 is
always the original text (nothing removed), so the neighbourhood contains the
point being explained.

The number of units removed from a sample is drawn uniformly from
``1..n_units``, as eli5's ``MaskingTextSampler`` does, so the neighbourhood
covers both near copies and texts with almost everything gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .errors import InputTextError
from .kernels import Kernel


@dataclass(frozen=True)
class TokenGroups:
    """Which distinct word (vocabulary entry) each token position is."""

    word_of_token: np.ndarray  # (n_tokens,) int, index into the vocabulary
    n_words: int


class Sampler(Protocol):
    """Draws keep-masks for the neighbourhood of one text."""

    def sample(self, groups: TokenGroups, n_samples: int, rng: np.random.Generator) -> np.ndarray: ...


def _remove_random_subsets(n_rows: int, n_units: int, rng: np.random.Generator) -> np.ndarray:
    """Boolean (n_rows, n_units) removal matrix: each row removes k ~ U{1..n_units} distinct units."""
    if n_rows == 0:
        return np.zeros((0, n_units), dtype=bool)
    sizes = rng.integers(1, n_units + 1, size=n_rows)
    # Sorting a row of uniform noise gives a uniform random permutation; its first k units are a uniform
    # random k-subset.
    order = rng.random((n_rows, n_units)).argsort(axis=1)
    removed = np.empty((n_rows, n_units), dtype=bool)
    np.put_along_axis(removed, order, np.arange(n_units) < sizes[:, None], axis=1)
    return removed


class PositionSampler:
    """Removes individual token positions: "pain" can go at one place and stay at another."""

    def sample(self, groups: TokenGroups, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        return ~_remove_random_subsets(n_samples, len(groups.word_of_token), rng)

    def __repr__(self) -> str:
        return "PositionSampler()"


class BagOfWordsSampler:
    """Removes words: every occurrence of a removed word goes."""

    def sample(self, groups: TokenGroups, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        removed_words = _remove_random_subsets(n_samples, groups.n_words, rng)
        return ~removed_words[:, groups.word_of_token]

    def __repr__(self) -> str:
        return "BagOfWordsSampler()"


class MixtureSampler:
    """Each sample comes from one of several samplers, chosen with the given weights.

    The default mixture is eli5's: 70 % position masking, 30 % bag of words.
    """

    def __init__(self, samplers: Sequence[Sampler], weights: Sequence[float]) -> None:
        self.samplers = samplers
        self.weights = weights

    def sample(self, groups: TokenGroups, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        p = np.asarray(self.weights, dtype=float)
        if len(p) != len(self.samplers) or np.any(p < 0) or p.sum() <= 0:
            raise ValueError("MixtureSampler needs one non-negative weight per sampler, not all zero")
        counts = rng.multinomial(n_samples, p / p.sum())
        parts = [s.sample(groups, int(c), rng) for s, c in zip(self.samplers, counts, strict=True)]
        keep = np.vstack(parts)
        return keep[rng.permutation(n_samples)]

    def __repr__(self) -> str:
        return f"MixtureSampler({list(self.samplers)!r}, weights={list(self.weights)!r})"


def default_sampler() -> MixtureSampler:
    return MixtureSampler([PositionSampler(), BagOfWordsSampler()], [0.7, 0.3])


SAMPLERS: dict[str, Callable[[], Sampler]] = {
    "mixture": default_sampler,
    "positions": PositionSampler,
    "bow": BagOfWordsSampler,
}


def get_sampler(name: str) -> Sampler:
    """Look a sampler up by the name the CLI and the app use."""
    try:
        return SAMPLERS[name]()
    except KeyError:
        raise ValueError(f"unknown sampler {name!r}; choose one of {sorted(SAMPLERS)}") from None


def draw_neighbourhood(sampler: Sampler, groups: TokenGroups, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    """``n_samples`` keep-masks whose first row is the original text."""
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2, not {n_samples}")
    if len(groups.word_of_token) < 2:
        # Its only neighbour would be the empty text: nothing local to learn from.
        raise InputTextError(
            "the text needs at least two words to explain: LIME compares it with versions missing words"
        )
    keep = np.empty((n_samples, len(groups.word_of_token)), dtype=bool)
    keep[0] = True
    keep[1:] = sampler.sample(groups, n_samples - 1, rng)
    return keep


class AntitheticSampler:
    """Pairs every mask of ``base`` with its complement: the tokens one sample removes, its partner keeps.

    ``sample(groups, n_samples, rng)`` returns ``base.sample(groups, ceil(n_samples / 2), rng)`` with each row
    followed by its negation (an odd count drops the last partner). With the default samplers the
    complement of "remove k of n units" removes n - k of them (k ~ U{1..n} becomes U{0..n-1}), so each row's
    distribution is all but the base's. In a linear fit, a mask and its complement cancel every effect of an
    even number of words (a two-word interaction, say) out of the single-word weights: the fold-over of
    fractional factorial designs.
    """

    def __init__(self, base: Sampler | None = None) -> None:
        self.base = base

    def sample(self, groups: TokenGroups, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        base = self.base if self.base is not None else default_sampler()
        half = base.sample(groups, (n_samples + 1) // 2, rng)
        paired = np.empty((2 * half.shape[0], half.shape[1]), dtype=bool)
        paired[0::2], paired[1::2] = half, ~half
        return paired[:n_samples]

    def __repr__(self) -> str:
        return f"AntitheticSampler({self.base!r})"


class KernelSampler:
    """Draws ``base``'s masks where ``kernel`` puts its weight, by rejection: a mask is kept with probability
    ``kernel.weights(mask) / max_weight``.

    Its samples have the density of ``base`` times the kernel's weight, so a fit on them with equal weights
    (a kernel whose weights are all 1) minimises the same loss, in expectation, as the kernel-weighted
    fit on ``base``'s samples, without the samples the kernel would almost ignore. ``max_weight`` must bound
    the kernel's weights (1 for the cosine and exponential kernels).
    """

    def __init__(self, kernel: Kernel, base: Sampler | None = None, max_weight: float = 1.0) -> None:
        self.kernel = kernel
        self.base = base
        self.max_weight = max_weight

    def sample(self, groups: TokenGroups, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        base = self.base if self.base is not None else default_sampler()
        parts, have = [], 0
        while have < n_samples:
            drawn = base.sample(groups, max(16, 2 * (n_samples - have)), rng)
            accept = rng.random(drawn.shape[0]) * self.max_weight < self.kernel.weights(drawn)
            parts.append(drawn[accept])
            have += int(accept.sum())
        return np.vstack(parts)[:n_samples] if parts else np.zeros((0, len(groups.word_of_token)), dtype=bool)

    def __repr__(self) -> str:
        return f"KernelSampler({self.kernel!r}, base={self.base!r}, max_weight={self.max_weight})"
