"""Stability: bootstrap refits on the stored samples, top-k agreement, which words move, no model calls."""

from __future__ import annotations

import numpy as np
import pytest

from lime_core.explainer import TextExplainer, class_weights
from lime_core.explanation import Explanation
from lime_core.surrogates import RidgeSurrogate, SoftmaxSurrogate
from lime_core.trust.stability import (
    SETTLED_JACCARD,
    bootstrap_counts,
    bootstrap_refits,
    stability_report,
    top_k_indices,
)
from lime_core.trust.uncertainty import SoftmaxAnalysis
from lime_core.verdict import judge_trust
from tests.blackboxes import SENTIMENT_TEXT, TOPIC_TEXT, sentiment_model, topic_model
from tests.test_trust_uncertainty import NoisyLogisticModel

# Six words with similar, small effects under heavy per-text noise: which of them make the top 3 is a toss-up.
CROWDED_COEFS = {"nice": 0.5, "fun": 0.45, "cute": 0.4, "dull": -0.45, "slow": -0.5, "odd": -0.4}
CROWDED_TEXT = "A nice and fun film with a cute dog, but a dull and slow middle and an odd ending."


def test_easy_case_is_stable() -> None:
    e = TextExplainer(n_samples=600, random_state=0, stability_refits=10).explain(SENTIMENT_TEXT, sentiment_model())
    r = e.stability
    assert r is not None and r.n_refits == 10 and r.k == 5
    # Only the four words with an effect are top words: the near-zero fifth is not a "word that moves".
    assert set(r.top_k) == {"good", "great", "bad", "awful"}
    assert r.top_k_jaccard == 1.0 and r.level == "high" and not r.warning
    assert r.dropped == () and r.entered == () and r.sign_flips == ()
    assert r.class_name == e.targets[0].class_name


def test_noisy_crowded_case_is_less_stable_and_says_which_words_move() -> None:
    model = NoisyLogisticModel(CROWDED_COEFS, noise=1.0, bias=0.0)
    e = TextExplainer(n_samples=300, random_state=0, stability_refits=10, top_k=3).explain(CROWDED_TEXT, model)
    easy = TextExplainer(n_samples=300, random_state=0, stability_refits=10, top_k=3).explain(
        SENTIMENT_TEXT, sentiment_model()
    )
    r = e.stability
    assert r.top_k_jaccard < easy.stability.top_k_jaccard
    assert r.top_k_jaccard < 0.8 and r.level in ("medium", "low") and r.warning
    assert r.entered and r.dropped  # some words leave the reported top 3 and others take their place
    moved = {w.feature for w in r.words if 0 < w.in_top_k < 1}
    assert moved and moved <= set(CROWDED_COEFS) | {w.feature for w in e.targets[0].weights}
    for w in r.words:
        assert 0.0 <= w.in_top_k <= 1.0 and 0.0 <= w.sign_flips <= 1.0 and w.reported_rank >= 1


def test_stability_makes_no_model_calls() -> None:
    model = sentiment_model()
    explainer = TextExplainer(n_samples=400, random_state=1, stability_refits=8).fit(SENTIMENT_TEXT, model)
    seen = model.n_texts_seen
    e = explainer.explanation()
    assert e.stability.n_refits == 8
    assert model.n_texts_seen == seen


def test_stability_can_be_turned_off() -> None:
    e = TextExplainer(n_samples=300, random_state=2, stability_refits=0).explain(SENTIMENT_TEXT, sentiment_model())
    assert e.stability is None and "stability" not in e.to_dict()


def test_same_seed_same_report_and_reports_are_cached_per_fit() -> None:
    a = TextExplainer(n_samples=400, random_state=3).fit(TOPIC_TEXT, topic_model())
    b = TextExplainer(n_samples=400, random_state=3).fit(TOPIC_TEXT, topic_model())
    assert a.explanation().stability == b.explanation().stability
    trust, name, seed = a.trust_, a.fit_result_.class_names[0], a.trust_seed_
    first = trust.stability(0, name, a.stability_refits, a.top_k, seed)
    assert trust.refits(a.stability_refits, seed) is not None
    assert trust.refits(a.stability_refits, seed) is trust.refits(a.stability_refits, seed)  # kept with the fit
    assert trust.stability(0, name, a.stability_refits, a.top_k, seed) == first


def test_newton_refits_match_refitting_from_scratch() -> None:
    explainer = TextExplainer(n_samples=600, random_state=4).fit(TOPIC_TEXT, topic_model())
    fit = explainer.local_fit_
    rows = fit.train_index
    X, P, w = explainer.X_[rows], explainer.proba_[rows], explainer.sample_weight_[rows]
    analysis = SoftmaxAnalysis.build(X, P, w, fit.surrogate)

    def reported(s):
        return class_weights(s.coef_, s.intercept_)[0]

    fast = bootstrap_refits(X, P, w, fit.surrogate, 4, np.random.default_rng(0), reported, analysis)
    slow = bootstrap_refits(X, P, w, SoftmaxSurrogate(tol=1e-8), 4, np.random.default_rng(0), reported, None)
    assert fast.shape == slow.shape == (4, 3, X.shape[1])
    np.testing.assert_allclose(fast, slow, atol=5e-3)
    assert np.abs(fast - reported(fit.surrogate)).max() > 1e-3  # the resamples do differ from the fit


def test_other_surrogates_are_refitted_from_scratch() -> None:
    e = TextExplainer(n_samples=400, random_state=5, surrogate=RidgeSurrogate(), stability_refits=3).explain(
        SENTIMENT_TEXT, sentiment_model()
    )
    assert e.stability.n_refits == 3 and "bad" in e.stability.top_k


def test_bootstrap_counts_keep_the_original_and_resample_the_rest() -> None:
    counts = bootstrap_counts(50, 20, np.random.default_rng(0))
    assert counts.shape == (20, 50)
    assert np.all(counts[:, 0] == 1)
    assert np.all(counts[:, 1:].sum(axis=1) == 49)
    assert len({tuple(c) for c in counts}) == 20


def test_top_words_ignore_negligible_weights() -> None:
    w = np.array([2.0, -1.0, 0.05, 0.0, 0.5])
    assert top_k_indices(w, 5).tolist() == [0, 1, 4]  # 0.05 is 2.5 % of the largest weight
    assert top_k_indices(w, 2).tolist() == [0, 1]
    assert top_k_indices(np.zeros(4), 3).tolist() == []


def test_report_arithmetic() -> None:
    names = ["a", "b", "c", "d"]
    weights = np.array([3.0, 2.0, -1.0, 0.9])
    refits = np.array(
        [
            [3.0, 2.0, -1.0, 0.9],  # top 2: a, b
            [3.0, 0.5, -1.0, 2.5],  # top 2: a, d
            [3.0, 2.1, 0.2, 0.9],  # top 2: a, b; c flips sign
        ]
    )
    r = stability_report(weights, refits, names, "pos", k=2)
    # Jaccard: {a,b}~{a,d} = 1/3, {a,b}~{a,b} = 1, {a,d}~{a,b} = 1/3 -> mean 5/9.
    assert r.top_k_jaccard == pytest.approx(5 / 9)
    assert r.level == "low" and r.warning
    assert r.top_k == ("a", "b")
    assert r.dropped == ("b",) and r.entered == ("d",)
    by = {w.feature: w for w in r.words}
    assert by["b"].in_top_k == pytest.approx(2 / 3) and by["d"].in_top_k == pytest.approx(1 / 3)
    assert "c" not in by  # never in any top 2
    r3 = stability_report(weights, refits, names, "pos", k=3)
    assert "c" in r3.sign_flips and {w.feature: w for w in r3.words}["c"].sign_flips == pytest.approx(1 / 3)
    assert r.refits_agree == 1  # only "a" leads every refit; the second refit has d, not b, in its top 2
    assert r3.refits_agree == 1  # the third refit turns c round, and the second has d in its top 3
    assert stability_report(weights, refits[[0, 2]], names, "pos", k=2).refits_agree == 2


def test_refits_agree_counts_places_not_the_words_that_enter_over_all_refits() -> None:
    # Three refits, each with another word at 3rd place: three words enter the top 3, but only one place moves.
    names = ["a", "b", "c", "d", "e", "f"]
    weights = np.array([3.0, -2.0, 0.5, 0.49, 0.48, 0.47])
    refits = np.array(
        [[3.0, -2.0, 0.4, 0.5, 0.3, 0.3], [3.0, -2.1, 0.4, 0.3, 0.5, 0.3], [2.9, -2.0, 0.4, 0.3, 0.3, 0.5]]
    )
    r = stability_report(weights, refits, names, "pos", k=3)
    assert set(r.entered) == {"d", "e", "f"} and r.dropped == ("c",)
    assert r.refits_agree == 2
    swapped = refits.copy()
    swapped[1, 1] = 2.0  # b turns round in one refit: only a stays
    assert stability_report(weights, swapped, names, "pos", k=3).refits_agree == 1


def test_resamples_the_shared_hessian_cannot_handle_get_their_own(monkeypatch) -> None:
    # With many features for few samples the shared Hessian is a poor guide; simulate it with one iteration.
    explainer = TextExplainer(n_samples=600, random_state=6).fit(TOPIC_TEXT, topic_model())
    fit = explainer.local_fit_
    rows = fit.train_index
    X, P, w = explainer.X_[rows], explainer.proba_[rows], explainer.sample_weight_[rows]
    analysis = SoftmaxAnalysis.build(X, P, w, fit.surrogate)
    full = analysis.problem.refit_many
    monkeypatch.setattr(analysis.problem, "refit_many", lambda *a, **k: full(*a, **{**k, "max_iter": 1}))
    resampled = w * bootstrap_counts(len(w), 3, np.random.default_rng(1))
    assert not analysis.problem.refit_many(analysis.theta, resampled, analysis.factor)[1].any()

    def reported(s):
        return class_weights(s.coef_, s.intercept_)[0]

    own = bootstrap_refits(X, P, w, fit.surrogate, 3, np.random.default_rng(1), reported, analysis)
    slow = bootstrap_refits(X, P, w, SoftmaxSurrogate(tol=1e-8), 3, np.random.default_rng(1), reported, None)
    np.testing.assert_allclose(own, slow, atol=5e-3)


# Two words a hair apart at the edge of the top 2: a longer run would often pick the other one.
TIED_COEFS = {"good": 2.0, "great": 0.8, "fine": 0.78, "long": -0.1}
CLEAR_COEFS = {"good": 2.0, "great": 1.2, "fine": 0.3, "long": -0.1}
EDGE_TEXT = "A good film with a great cast and a fine score, a long middle and a plain ending."


def test_the_intervals_say_when_the_top_set_is_a_near_tie() -> None:
    def run(coefs: dict[str, float], seed: int) -> Explanation:
        model = NoisyLogisticModel(coefs, noise=0.5, bias=0.0)
        return TextExplainer(n_samples=400, random_state=seed, top_k=2).explain(EDGE_TEXT, model)

    tied = [run(TIED_COEFS, seed) for seed in range(4)]
    clear = [run(CLEAR_COEFS, seed) for seed in range(4)]
    for e in clear:
        assert e.stability.expected_jaccard >= SETTLED_JACCARD and e.stability.settled
        assert judge_trust(e).check("stability").level == "trust"
    assert sum(not e.stability.settled for e in tied) >= 2
    for e in tied:
        r = e.stability
        assert 0.0 <= r.expected_jaccard <= 1.0 and r.settled == (r.expected_jaccard >= SETTLED_JACCARD)
        if not r.settled:  # whatever the refits say, the verdict does not call the top words stable
            assert r.level != "high" and r.warning
            assert judge_trust(e).check("stability").level == "check"
    data = tied[0].to_dict()["stability"]
    assert Explanation.from_dict(tied[0].to_dict()).stability.expected_jaccard == data["expected_jaccard"]


def test_refits_that_agree_do_not_make_an_unsettled_set_stable() -> None:
    weights = np.array([2.0, 0.8, 0.79, 0.0])
    refits = np.tile(weights, (5, 1))  # every refit picks the same two words
    names = ["good", "great", "fine", "long"]
    assert stability_report(weights, refits, names, "positive", 2).level == "high"  # no intervals: refits decide
    r = stability_report(weights, refits, names, "positive", 2, expected_jaccard=0.7)
    assert r.top_k_jaccard == 1.0 and r.level == "medium" and r.warning and not r.settled
    assert stability_report(weights, refits, names, "positive", 2, expected_jaccard=SETTLED_JACCARD).level == "high"
    # Intervals turned off: the refits alone decide, and no covariance is computed for the figure.
    bare = TextExplainer(n_samples=300, random_state=0, uncertainty=False).explain(EDGE_TEXT, sentiment_model())
    assert bare.stability is not None and bare.stability.expected_jaccard is None
