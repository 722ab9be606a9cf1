"""Samplers (keep-masks), kernels (sample weights) and the interpretable features computed from the masks."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lime_core.features import FeatureSpace
from lime_core.kernels import CosineKernel, ExponentialKernel, cosine_similarity_to_original
from lime_core.sampling import (
    AntitheticSampler,
    BagOfWordsSampler,
    KernelSampler,
    MixtureSampler,
    PositionSampler,
    TokenGroups,
    default_sampler,
    draw_neighbourhood,
    get_sampler,
)
from lime_core.tokenization import TokenizedText


def groups_of(word_of_token: list[int]) -> TokenGroups:
    return TokenGroups(word_of_token=np.asarray(word_of_token, dtype=np.intp), n_words=max(word_of_token) + 1)


# "a b a c a b d": a at 0, 2, 4; b at 1, 5; c at 3; d at 6
REPEATS = groups_of([0, 1, 0, 2, 0, 1, 3])
SAMPLERS = [PositionSampler(), BagOfWordsSampler(), default_sampler()]


# -- samplers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_same_seed_gives_identical_masks_and_another_seed_different_ones(sampler) -> None:
    a = draw_neighbourhood(sampler, REPEATS, 300, np.random.default_rng(7))
    b = draw_neighbourhood(sampler, REPEATS, 300, np.random.default_rng(7))
    c = draw_neighbourhood(sampler, REPEATS, 300, np.random.default_rng(8))
    assert a.dtype == bool and a.shape == (300, 7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_row_zero_is_the_original_and_every_other_row_removes_something(sampler) -> None:
    keep = draw_neighbourhood(sampler, REPEATS, 500, np.random.default_rng(0))
    assert keep[0].all()
    assert (~keep[1:]).any(axis=1).all()


def test_bag_of_words_removes_all_occurrences_of_a_word_together() -> None:
    keep = BagOfWordsSampler().sample(REPEATS, 2000, np.random.default_rng(1))
    for word in range(REPEATS.n_words):
        cols = keep[:, REPEATS.word_of_token == word]
        assert (cols == cols[:, :1]).all(), f"word {word} kept at one place and removed at another"
    # every word does get removed sometimes and kept sometimes
    assert keep.any(axis=0).all() and (~keep).any(axis=0).all()


def test_position_sampler_can_remove_one_occurrence_and_keep_another() -> None:
    keep = PositionSampler().sample(REPEATS, 2000, np.random.default_rng(2))
    a_cols = keep[:, [0, 2, 4]]
    mixed = (a_cols.any(axis=1) & ~a_cols.all(axis=1)).mean()
    assert mixed > 0.3


@pytest.mark.parametrize(
    ("sampler", "n_units", "units"),
    [
        (PositionSampler(), 7, lambda keep: (~keep).sum(axis=1)),
        # words removed = distinct words none of whose occurrences is kept
        (
            BagOfWordsSampler(),
            4,
            lambda keep: np.stack([~keep[:, REPEATS.word_of_token == w].any(axis=1) for w in range(4)], 1).sum(1),
        ),
    ],
    ids=["positions", "bow"],
)
def test_number_removed_covers_one_to_n_roughly_uniformly(sampler, n_units, units) -> None:
    n = 7000
    removed = units(sampler.sample(REPEATS, n, np.random.default_rng(3)))
    counts = np.bincount(removed, minlength=n_units + 1)
    assert counts[0] == 0, "a sample removed nothing"
    assert len(counts) == n_units + 1, "a sample removed more units than exist"
    expected = n / n_units
    # each count is Binomial(n, 1/n_units): 6 standard deviations is a tolerant bound
    sd = np.sqrt(n * (1 / n_units) * (1 - 1 / n_units))
    assert np.all(np.abs(counts[1:] - expected) < 6 * sd), counts


def test_every_k_subset_size_is_a_uniform_subset() -> None:
    """Given its size, the removed set is a uniform subset: each position is removed equally often."""
    keep = PositionSampler().sample(groups_of(list(range(5))), 20000, np.random.default_rng(4))
    removed = ~keep
    for k in range(1, 6):
        rows = removed[removed.sum(axis=1) == k]
        freq = rows.mean(axis=0)
        np.testing.assert_allclose(freq, k / 5, atol=0.05)


class _Constant:
    """A fake sampler whose rows are all True or all False, so the mixture's choice is visible."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def sample(self, groups: TokenGroups, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        return np.full((n_samples, len(groups.word_of_token)), self.value)


def test_mixture_uses_each_sampler_in_proportion_to_its_weight() -> None:
    n = 20000
    keep = MixtureSampler([_Constant(True), _Constant(False)], [0.7, 0.3]).sample(REPEATS, n, np.random.default_rng(5))
    share = keep[:, 0].mean()
    assert abs(share - 0.7) < 6 * np.sqrt(0.21 / n)
    # the two kinds are shuffled together, not stacked in blocks
    assert keep[: n // 10, 0].mean() == pytest.approx(0.7, abs=0.05)
    assert keep[-n // 10 :, 0].mean() == pytest.approx(0.7, abs=0.05)


def test_default_mixture_is_70_percent_positions_30_percent_bag_of_words() -> None:
    """Statistical check on the real samplers.

    With ten words each occurring twice, a bag-of-words row always treats both
    occurrences alike; a position row does so with a small known probability q.
    The share of such "consistent" rows is 0.3 + 0.7 q.
    """
    pairs = groups_of([w for w in range(10) for _ in range(2)])
    n_tok = 20
    # P(consistent | k removed positions) = C(10, k/2) / C(20, k) for even k, k ~ U{1..20}
    q = sum(comb(10, k // 2) / comb(n_tok, k) for k in range(2, n_tok + 1, 2)) / n_tok
    n = 20000
    keep = default_sampler().sample(pairs, n, np.random.default_rng(6))
    consistent = (keep[:, 0::2] == keep[:, 1::2]).all(axis=1).mean()
    expected = 0.3 + 0.7 * q
    assert abs(consistent - expected) < 6 * np.sqrt(expected * (1 - expected) / n), (consistent, expected)
    assert isinstance(default_sampler().samplers[0], PositionSampler)
    assert list(default_sampler().weights) == [0.7, 0.3]


@pytest.mark.parametrize("weights", [[1.0], [0.5, -0.5], [0.0, 0.0]])
def test_mixture_rejects_bad_weights(weights) -> None:
    with pytest.raises(ValueError, match="weight"):
        MixtureSampler([PositionSampler(), BagOfWordsSampler()], weights).sample(REPEATS, 5, np.random.default_rng())


def test_antithetic_pairs_are_complements_and_keep_the_base_row_distribution() -> None:
    sampler = AntitheticSampler(PositionSampler())
    keep = sampler.sample(REPEATS, 2001, np.random.default_rng(3))
    assert keep.shape == (2001, 7)
    assert np.array_equal(keep[1:-1:2], ~keep[0:-1:2])  # every pair: one removes what the other keeps
    # Base rows remove k ~ U{1..7} tokens, partners 7 - k ~ U{0..6}: both average 3.5 of 7 kept.
    assert keep[0::2].sum(axis=1).mean() == pytest.approx(3.0, abs=0.15)
    assert keep[1::2].sum(axis=1).mean() == pytest.approx(4.0, abs=0.15)
    # A pair of bag-of-words masks still removes every occurrence of a word together.
    bow = AntitheticSampler(BagOfWordsSampler()).sample(REPEATS, 50, np.random.default_rng(4))
    assert np.array_equal(bow[:, 0], bow[:, 2]) and np.array_equal(bow[:, 1], bow[:, 5])
    again = AntitheticSampler(PositionSampler()).sample(REPEATS, 2001, np.random.default_rng(3))
    assert np.array_equal(keep, again)


def test_kernel_sampler_draws_in_proportion_to_the_kernel_weight() -> None:
    groups = groups_of(list(range(4)))
    kernel = ExponentialKernel(width=0.25)
    drawn = KernelSampler(kernel, PositionSampler()).sample(groups, 4000, np.random.default_rng(5))
    assert drawn.shape == (4000, 4)
    kept = drawn.sum(axis=1)
    # Base: 0-3 tokens kept with probability 1/4 each; accepted in proportion to exp(-(1 - sqrt(m/4))^2 / 0.0625).
    weight = np.exp(-((1 - np.sqrt(np.arange(4) / 4)) ** 2) / 0.25**2)
    expected = weight / weight.sum()
    observed = np.bincount(kept, minlength=4) / len(kept)
    assert observed == pytest.approx(expected, abs=0.02)
    assert observed[0] == 0  # the empty text has weight e^-16 against up to 0.42


def test_draw_neighbourhood_needs_two_samples() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        draw_neighbourhood(PositionSampler(), REPEATS, 1, np.random.default_rng())


def test_get_sampler() -> None:
    assert isinstance(get_sampler("bow"), BagOfWordsSampler)
    assert isinstance(get_sampler("positions"), PositionSampler)
    assert isinstance(get_sampler("mixture"), MixtureSampler)
    with pytest.raises(ValueError, match="unknown sampler 'nope'"):
        get_sampler("nope")


# -- kernels --------------------------------------------------------------------------------------------------------


def test_cosine_kernel_is_sqrt_of_kept_share() -> None:
    keep = np.array([[1, 1, 1, 1], [1, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], dtype=bool)
    np.testing.assert_allclose(cosine_similarity_to_original(keep), [1.0, np.sqrt(0.5), 0.5, 0.0])
    np.testing.assert_allclose(CosineKernel().weights(keep), [1.0, np.sqrt(0.5), 0.5, 0.0])


def test_exponential_kernel_decreases_with_distance_and_narrows_with_width() -> None:
    keep = np.array([[1, 1, 1, 1], [1, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]], dtype=bool)
    w = ExponentialKernel(0.25).weights(keep)
    assert w[0] == 1.0 and np.all(np.diff(w) < 0) and w[-1] > 0
    d = 1 - np.sqrt(0.75)
    assert w[1] == pytest.approx(np.exp(-(d**2) / 0.25**2))
    assert np.all(ExponentialKernel(0.1).weights(keep)[1:] < w[1:])
    with pytest.raises(ValueError, match="positive"):
        ExponentialKernel(0).weights(keep)


# -- features -------------------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.sampled_from(["pain", "Pain", "gain", "no", "NO", "é", "我"]), min_size=1, max_size=12),
    seed=st.integers(0, 2**32 - 1),
)
def test_unigram_counts_equal_kept_occurrences(words: list[str], seed: int) -> None:
    tokenized = TokenizedText.from_text(" ".join(words))
    space = FeatureSpace.build(tokenized)
    keep = np.random.default_rng(seed).random((30, len(words))) < 0.5
    X = space.transform(keep).toarray()
    assert X.shape == (30, space.n_features)
    folded = [w.casefold() for w in words]
    assert list(space.names) == list(dict.fromkeys(folded))
    for j, name in enumerate(space.names):
        positions = [i for i, w in enumerate(folded) if w == name]
        np.testing.assert_array_equal(X[:, j], keep[:, positions].sum(axis=1))


def test_feature_spans_list_every_occurrence_case_folded() -> None:
    text = "No pain, no gain. NO!"
    space = FeatureSpace.build(TokenizedText.from_text(text))
    assert space.names == ("no", "pain", "gain")
    assert space.spans[0] == ((0, 2), (9, 11), (18, 20))
    assert [text[a:b] for a, b in space.spans[0]] == ["No", "no", "NO"]


def test_bigrams_only_across_white_space_never_across_punctuation() -> None:
    text = "new york, new york  city.\tbig city"
    space = FeatureSpace.build(TokenizedText.from_text(text), bigrams=True)
    unigrams = ("new", "york", "city", "big")
    assert space.names[:4] == unigrams
    bigrams = space.names[4:]
    assert set(bigrams) == {"new york", "york city", "big city"}
    assert "york new" not in bigrams and "city big" not in bigrams  # would span ", " and ".\t"
    assert not any(space.is_bigram(j) for j in range(4)) and all(space.is_bigram(j) for j in range(4, 7))


def test_bigram_spans_cover_both_words() -> None:
    text = "new york, new york  city"
    space = FeatureSpace.build(TokenizedText.from_text(text), bigrams=True)
    j = space.names.index("new york")
    assert space.spans[j] == ((0, 8), (10, 18))
    assert [text[a:b] for a, b in space.spans[j]] == ["new york", "new york"]
    k = space.names.index("york city")
    assert [text[a:b] for a, b in space.spans[k]] == ["york  city"]


def test_bigram_counts_need_both_words_kept() -> None:
    text = "new york, new york city"  # tokens: new york new york city
    space = FeatureSpace.build(TokenizedText.from_text(text), bigrams=True)
    keep = np.array(
        [
            [1, 1, 1, 1, 1],
            [1, 0, 1, 1, 1],  # first "new york" broken
            [1, 1, 0, 1, 1],  # second broken; "york city" intact
            [1, 0, 1, 0, 1],  # no bigram survives, even though "new" and "city" become adjacent
        ],
        dtype=bool,
    )
    X = space.transform(keep).toarray()
    ny, yc = space.names.index("new york"), space.names.index("york city")
    np.testing.assert_array_equal(X[:, ny], [2, 1, 1, 0])
    np.testing.assert_array_equal(X[:, yc], [1, 1, 1, 0])
    np.testing.assert_array_equal(X[:, space.names.index("new")], [2, 2, 1, 2])
    assert "new city" not in space.names


def test_without_bigrams_there_are_only_unigrams() -> None:
    space = FeatureSpace.build(TokenizedText.from_text("new york new york"))
    assert space.names == ("new", "york")
    assert space.transform(np.ones((1, 4), dtype=bool)).toarray().tolist() == [[2.0, 2.0]]
