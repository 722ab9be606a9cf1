"""Adaptive sample count: stops early on an easy case, keeps sampling on a hard one, honours the cap, reports why."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from lime_core.explainer import TextExplainer
from lime_core.explanation import STOP_EVERY_VARIATION, Explanation
from lime_core.predictor import PredictionCache
from lime_core.trust import adaptive
from lime_core.trust.adaptive import check_round, expected_set_agreement, initial_samples, next_size
from tests.blackboxes import SENTIMENT_COEFS, SENTIMENT_TEXT, LogisticWordModel, SklearnLikeModel, sentiment_model
from tests.test_trust_uncertainty import REVIEW_TEXT, NoisyLogisticModel

DEFAULTS = adaptive.DEFAULT_SETTINGS
NO_ABS_TOL = replace(DEFAULTS, abs_tol=0.0)  # ties declared by rel_tol alone

# Hard: three words of nearly equal, modest effect under heavy per-text noise; which one leads takes many samples.
HARD_COEFS = {"good": 0.6, "great": 0.55, "fine": 0.5, "bad": -0.2}


@pytest.fixture(scope="module")
def easy() -> tuple[Explanation, int]:
    model = sentiment_model()
    e = TextExplainer(n_samples="auto", random_state=0).explain(SENTIMENT_TEXT, model)
    return e, len(model.texts_seen)


@pytest.fixture(scope="module")
def hard() -> Explanation:
    return TextExplainer(n_samples="auto", random_state=0).explain(REVIEW_TEXT, NoisyLogisticModel(HARD_COEFS, 1.0))


def test_easy_case_stops_early_with_the_right_words(easy) -> None:
    e, _ = easy
    s = e.sampling
    assert s.mode == "auto" and s.max_samples == adaptive.DEFAULT_MAX_SAMPLES
    assert s.rounds == 2  # the second round confirms the first
    assert s.n_samples <= 1000 and s.stopped_because != adaptive.STOP_CAP
    assert e.n_samples == s.n_samples
    top3 = {w.feature for w in e.targets[0].top(3)}
    assert top3 == set(sorted(SENTIMENT_COEFS, key=lambda w: -abs(SENTIMENT_COEFS[w]))[:3])


def test_hard_case_keeps_sampling(easy, hard) -> None:
    e, _ = easy
    assert hard.sampling.rounds > e.sampling.rounds
    assert hard.sampling.n_samples > 2 * e.sampling.n_samples
    assert hard.sampling.n_model_calls > e.sampling.n_model_calls


def test_history_grows_and_the_report_counts_distinct_texts_sent(easy) -> None:
    e, sent = easy
    s = e.sampling
    assert len(s.history) == s.rounds
    sizes = [r.n_samples for r in s.history]
    calls = [r.n_model_calls for r in s.history]
    assert sizes == sorted(sizes) and sizes[-1] == s.n_samples
    assert calls == sorted(calls) and calls[-1] == s.n_model_calls
    assert s.n_model_calls == e.n_model_calls == sent  # every text sent once, over all rounds
    assert all(r.max_halfwidth is not None and r.max_halfwidth > 0 for r in s.history)


def test_cap_is_honoured_and_reported() -> None:
    model = NoisyLogisticModel(HARD_COEFS, 1.0)
    e = TextExplainer(n_samples="auto", max_samples=450, random_state=1).explain(REVIEW_TEXT, model)
    assert e.sampling.n_samples == 450 and e.sampling.stopped_because == adaptive.STOP_CAP
    assert e.settings.n_samples == 450 and e.settings.adaptive is True
    assert e.to_dict()["settings"]["adaptive"] is True


def test_fixed_count_explanations_are_unchanged_and_say_so() -> None:
    a = TextExplainer(n_samples=300, random_state=2).explain(SENTIMENT_TEXT, sentiment_model())
    b = TextExplainer(n_samples=300, random_state=2, uncertainty=False, stability_refits=0).explain(
        SENTIMENT_TEXT, sentiment_model()
    )
    assert [w.weight for w in a.targets[0].weights] == [w.weight for w in b.targets[0].weights]
    assert a.metrics == b.metrics
    assert a.sampling.mode == "fixed" and a.sampling.rounds == 1 and a.sampling.n_samples == 300
    assert "adaptive" not in a.to_dict()["settings"]


def test_same_seed_same_adaptive_run_and_cache_makes_reruns_free() -> None:
    cache = PredictionCache()
    model = sentiment_model()
    a = TextExplainer(n_samples="auto", random_state=3, cache=cache).explain(SENTIMENT_TEXT, model)
    b = TextExplainer(n_samples="auto", random_state=3, cache=cache).explain(SENTIMENT_TEXT, model)
    assert a.targets == b.targets
    assert [(r.n_samples, r.top_k) for r in a.sampling.history] == [(r.n_samples, r.top_k) for r in b.sampling.history]
    assert b.n_model_calls == 0 and b.sampling.n_model_calls == 0


def test_auto_works_without_known_class_names_and_reports_progress() -> None:
    calls: list[tuple[int, int]] = []
    model = SklearnLikeModel(sentiment_model())
    e = TextExplainer(n_samples="auto", random_state=4).explain(
        SENTIMENT_TEXT, model, progress=lambda d, t: calls.append((d, t))
    )
    assert e.sampling.rounds >= 2
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1][0] == calls[-1][1] == e.n_model_calls


@pytest.mark.parametrize("bad", ["AUTO", "many", 10, -5, 2.5, True])
def test_bad_sample_counts_are_refused(bad) -> None:
    with pytest.raises(ValueError, match="n_samples"):
        TextExplainer(n_samples=bad).fit(SENTIMENT_TEXT, sentiment_model())


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("max_samples", 10),
        ("top_k", 0),
        ("auto_top_k", 0),
        ("stability_refits", -1),
        ("confidence", 1.0),
        ("confidence", "0.9"),
        ("auto_tolerance", 0),
    ],
)
def test_bad_trust_parameters_are_refused(param, value) -> None:
    with pytest.raises(ValueError, match=param):
        TextExplainer(**{param: value}).fit(SENTIMENT_TEXT, sentiment_model())


# -- the stopping rule on its own -------------------------------------------------------------------------------------


def test_separated_top_words_settle_once_unchanged() -> None:
    w = np.array([3.0, -2.0, 1.5, 0.1, 0.05])
    std = np.full(5, 0.05)
    first = check_round(w, std, 3, 1.96, previous_top=None)
    assert first.top == (0, 1, 2) and first.separated and first.ranking_settled and not first.unchanged
    assert not first.settled  # a first round is never enough
    second = check_round(w, std, 3, 1.96, previous_top=(2, 1, 0))
    assert second.settled and second.reason == adaptive.STOP_SEPARATED


def test_wide_intervals_ask_for_the_samples_the_top_set_needs() -> None:
    w = np.array([3.0, -2.0, 1.5, 1.0])
    std = np.full(4, 0.6)
    c = check_round(w, std, 3, 1.96, previous_top=(0, 1, 2), rel_tol=0.01, settings=NO_ABS_TOL)
    assert not c.settled and not c.separated and not c.ranking_settled
    # The factor is the smallest multiple of the samples at which the top-3 set is expected to agree with an
    # endless sample's as well as SET_AGREEMENT: 1.5 vs 1.0 with a gap's standard error of 0.85 / sqrt(m).
    assert c.factor in DEFAULTS.set_multiples and c.factor > 1
    tie = 0.01 * 3.0 * DEFAULTS.set_tie_share
    agreement = expected_set_agreement(w, std, 3, None, DEFAULTS.set_multiples, tie)
    at = DEFAULTS.set_multiples.index(c.factor)
    assert agreement[at] >= DEFAULTS.set_agreement > agreement[at - 1]
    assert next_size(1000, c, 5000) == math.ceil(1000 * min(DEFAULTS.max_growth, DEFAULTS.headroom * c.factor))
    assert next_size(4000, c, 5000) == 5000


def test_expected_set_agreement_counts_the_set_not_its_order() -> None:
    w = np.array([3.0, 2.99, 1.0, 0.1])  # the first two swap half the time, the set never changes
    std = np.full(4, 0.05)
    assert expected_set_agreement(w, std, 2) == pytest.approx([1.0])
    # A coin flip for the 2nd place: half the draws share 1 of 3 words (Jaccard 1/3).
    w = np.array([3.0, 1.0, 1.0, 0.1])
    half = expected_set_agreement(w, std, 2, multiples=(1.0, 16.0))
    assert half == pytest.approx([2 / 3, 2 / 3], abs=0.06)
    # Declared as a near tie, the swap no longer counts.
    assert expected_set_agreement(w, std, 2, tie_tol=0.5) == pytest.approx([1.0])
    # Collinear words: each weight is uncertain, their difference is not.
    w, std = np.array([2.0, 1.0, 0.9]), np.array([0.5, 0.5, 0.5])
    cov = np.diag(std**2)
    loose = expected_set_agreement(w, std, 2, cov)
    cov[1, 2] = cov[2, 1] = 0.2499
    assert expected_set_agreement(w, std, 2, cov) > loose
    assert np.array_equal(expected_set_agreement(w, std, 2, cov), expected_set_agreement(w, std, 2, cov))


def test_near_ties_settle_when_their_gap_is_known_to_within_the_tolerance() -> None:
    w = np.array([3.0, 1.01, 1.0])  # ranks 2 and 3 tie
    std = np.array([0.01, 0.05, 0.05])
    c = check_round(w, std, 2, 1.96, previous_top=(0, 1), rel_tol=0.1)
    assert not c.separated and c.ranking_settled and c.settled and c.reason == adaptive.STOP_PRECISE


def test_a_set_that_changed_only_by_a_near_tie_counts_as_unchanged() -> None:
    # Words 2 and 3 swapped the 2nd place since the previous round; their gap is inside the declared tolerance.
    w = np.array([3.0, 1.0, 0.98, 0.1])
    assert adaptive.same_set_up_to_ties(w, (0, 1), (0, 2), tie_tol=0.05)
    assert not adaptive.same_set_up_to_ties(w, (0, 1), (0, 2), tie_tol=0.01)
    assert not adaptive.same_set_up_to_ties(w, (0, 1), (0, 3), tie_tol=0.05)  # word 3 is far behind: a real change
    assert not adaptive.same_set_up_to_ties(w, (0, 1), None, tie_tol=1.0)  # a first round has nothing to repeat
    std = np.full(4, 0.005)
    c = check_round(w, std, 2, 1.96, previous_top=(0, 2), rel_tol=0.1)
    assert c.unchanged  # the 0.02 gap is inside change_tie_share x (0.1 x 3.0 + 0.02)
    exact = replace(DEFAULTS, change_tie_share=0.0)  # the rule before its third pass: the exact set
    assert not check_round(w, std, 2, 1.96, previous_top=(0, 2), rel_tol=0.1, settings=exact).unchanged


def test_correlated_weights_have_a_precise_gap() -> None:
    # Two collinear words: each weight is uncertain, their difference is not.
    w = np.array([2.0, 1.0, 0.2])
    std = np.array([0.5, 0.5, 0.01])
    cov = np.diag(std**2)
    assert not check_round(w, std, 1, 1.96, (0,), cov=cov).separated
    cov[0, 1] = cov[1, 0] = 0.249  # correlation 0.996
    assert check_round(w, std, 1, 1.96, (0,), cov=cov).separated


def test_fit_must_also_settle() -> None:
    w = np.array([3.0, 0.1])
    std = np.array([0.01, 0.01])
    loose = check_round(w, std, 1, 1.96, (0,), excess_loss=0.02, heldout_kl=0.05)
    assert loose.ranking_settled and not loose.fit_settled and not loose.settled
    assert loose.factor == pytest.approx(0.02 / (DEFAULTS.fit_rel_tol * 0.05))
    tight = check_round(w, std, 1, 1.96, (0,), excess_loss=0.001, heldout_kl=0.05)
    assert tight.settled


def test_the_fit_is_unsettled_while_the_held_out_kl_is_far_above_the_training_kl() -> None:
    w = np.array([3.0, 0.1])
    std = np.array([0.01, 0.01])
    # Takeuchi's estimate alone says settled; the held-out KL is 0.03 above the training KL, so half of that is lost.
    on = replace(DEFAULTS, fit_measured=True)
    measured = check_round(w, std, 1, 1.96, (0,), excess_loss=0.001, heldout_kl=0.05, train_kl=0.02, settings=on)
    assert not measured.fit_settled and measured.factor == pytest.approx(0.015 / (DEFAULTS.fit_rel_tol * 0.05))
    assert check_round(w, std, 1, 1.96, (0,), excess_loss=0.001, heldout_kl=0.05, train_kl=0.048, settings=on).settled
    # The default is Takeuchi's estimate alone.
    assert check_round(w, std, 1, 1.96, (0,), excess_loss=0.001, heldout_kl=0.05, train_kl=0.02).settled


def test_a_labels_noise_estimate_grows_with_its_parameters_per_training_sample() -> None:
    # One label of a multi-label model: Takeuchi's estimate times (1 - r)^-label_noise_power, r = parameters / samples.
    assert DEFAULTS.label_noise_power == 2.0
    assert adaptive.label_noise_factor(101, 700) == pytest.approx((1 - 101 / 700) ** -2)
    assert adaptive.label_noise_factor(400, 350) == pytest.approx(0.1**-2)  # more parameters than samples: r at 0.9
    assert adaptive.label_noise_factor(101, 700, replace(DEFAULTS, label_noise_power=0.0)) == 1.0
    w, std = np.array([3.0, 0.1]), np.array([0.01, 0.01])
    # 0.01 nats of a 0.05 held-out KL is within the 25 % tolerance; at r = 0.3 (factor 2.04) it is not.
    common = {"excess_loss": 0.01, "heldout_kl": 0.05}
    assert check_round(w, std, 1, 1.96, (0,), **common).settled
    label = check_round(w, std, 1, 1.96, (0,), **common, noise_factor=adaptive.label_noise_factor(210, 700))
    assert not label.fit_settled and label.factor == pytest.approx(0.01 / 0.49 / (DEFAULTS.fit_rel_tol * 0.05))


def test_without_intervals_the_top_words_must_repeat() -> None:
    w = np.array([1.0, 0.5, 0.2])
    assert not check_round(w, None, 2, 1.96, None).settled
    c = check_round(w, None, 2, 1.96, (1, 0))
    assert c.settled and c.reason == adaptive.STOP_UNCHANGED and c.max_halfwidth is None


def test_first_round_size() -> None:
    assert initial_samples(5, 5000) == DEFAULTS.min_initial
    assert initial_samples(30, 5000) == 310
    assert initial_samples(100, 5000) == DEFAULTS.max_initial  # a long text no longer spends its budget at once
    assert initial_samples(100, 300) == 300


# Four words of exactly equal effect share the 5th place: no sample count can order them.
TIED = ("fine", "slow", "long", "pace")
TIED_COEFS = {
    "good": 1.6,
    "great": 1.3,
    "bad": -1.0,
    "awful": -0.8,
    "fine": 0.5,
    "slow": -0.5,
    "long": 0.5,
    "pace": -0.5,
}


def test_a_near_tie_at_the_last_place_is_declared_instead_of_sampled_to_the_cap() -> None:
    def run(settings: adaptive.AdaptiveSettings = DEFAULTS) -> Explanation:
        model = NoisyLogisticModel(TIED_COEFS, 0.3)
        explainer = TextExplainer(n_samples="auto", random_state=0, adaptive_settings=settings)
        return explainer.explain(REVIEW_TEXT, model, targets="positive")

    declared = run()
    s = declared.sampling
    assert s.stopped_because == adaptive.STOP_PRECISE and s.n_samples < s.max_samples / 4
    top = [w.feature for w in declared.targets[0].top(5)]
    assert set(top[:4]) == {"good", "great", "bad", "awful"} and top[4] in TIED
    no_ties = replace(DEFAULTS, set_tie_share=0.0)  # without declared ties ...
    thrifty = run(no_ties)
    # ... the cost step leaves the tie once settling it would take 3x the samples so far ...
    assert thrifty.sampling.stopped_because == adaptive.STOP_COSTLY
    assert thrifty.sampling.n_samples < thrifty.sampling.max_samples / 4
    undeclared = run(replace(no_ties, set_costly_factor=math.inf))  # ... and without it the tie is sampled much longer
    assert undeclared.sampling.n_samples >= 2 * s.n_samples


def test_a_near_tie_that_would_cost_several_times_the_samples_is_left_as_it_is() -> None:
    w = np.array([3.0, 2.0, 1.0, 0.9, 0.1])  # the 3rd and 4th words: a near tie
    std = np.full(5, 0.1)
    agreement = expected_set_agreement(w, std, 3, None, DEFAULTS.set_multiples, DEFAULTS.set_tie_share * 0.03)
    assert 0.85 <= agreement[0] < DEFAULTS.set_agreement  # close to settled, not settled

    def check(**changes: float) -> adaptive.RoundCheck:
        settings = replace(NO_ABS_TOL, **changes)
        return check_round(w, std, 3, 1.96, previous_top=(0, 1, 2), rel_tol=0.01, settings=settings)

    patient = check(set_costly_factor=math.inf)
    assert not patient.ranking_settled and patient.factor >= 3.0  # settling it takes at least 3x the samples
    thrifty = check(set_costly_factor=3.0, set_affordable_agreement=0.85)
    assert thrifty.settled and thrifty.costly and thrifty.reason == adaptive.STOP_COSTLY
    assert not check(set_affordable_agreement=float(agreement[0]) + 0.01).ranking_settled  # further: keep sampling
    # Samples that mostly repeat texts already answered cost little: then the near tie is settled after all.
    cheap = check_round(w, std, 3, 1.96, (0, 1, 2), rel_tol=0.01, settings=NO_ABS_TOL, new_text_share=0.2)
    assert not cheap.ranking_settled and not cheap.costly


def test_a_short_text_whose_variations_are_all_answered_gets_the_caps_samples_at_no_more_calls() -> None:
    # Five words: 32 variations, all asked about in the first rounds. Samples up to the cap repeat them, so auto sends
    # the same 32 texts as a fixed 5,000-sample run and gives its explanation, instead of one from 200 samples.
    model = LogisticWordModel({"superb": 2.0, "cast": 0.6, "dull": -1.5, "plot": -0.5})
    text = "Superb cast, dull plot, overall"
    auto = TextExplainer(n_samples="auto", random_state=0).explain(text, model, targets=["positive"])
    fixed = TextExplainer(n_samples=5000, random_state=0).explain(text, model, targets=["positive"])
    assert auto.n_model_calls == fixed.n_model_calls == 32
    assert auto.n_samples == 5000 and auto.sampling.rounds >= 2
    # the 5,000 samples settle the top words, or the cap is named for what it is: every variation answered
    assert auto.sampling.stopped_because in (STOP_EVERY_VARIATION, adaptive.STOP_SEPARATED, adaptive.STOP_PRECISE)
    a = {w.feature: w.weight for w in auto.targets[0].weights}
    f = {w.feature: w.weight for w in fixed.targets[0].weights}
    assert max(abs(a[k] - f[k]) for k in f) < 0.15  # two draws of 5,000 samples of the same 32 texts
    # A longer text keeps sampling in rounds: its 2^n variations are far more than any sample.
    long_text = " ".join(["superb cast"] * 6 + ["dull plot"] * 6)
    e = TextExplainer(n_samples="auto", random_state=0).explain(long_text, model, targets=["positive"])
    assert e.n_samples < 5000 and e.sampling.stopped_because != STOP_EVERY_VARIATION


def test_the_cost_step_can_be_kept_to_an_edge_tie_and_to_settling_that_costs_a_share_of_the_cap() -> None:
    w = np.array([3.0, 2.0, 1.0, 0.9, 0.1])  # the 3rd and 4th words: a near tie for the 3rd place (k = 3)
    std = np.full(5, 0.1)

    def check(n_samples: int | None = None, **changes: float) -> adaptive.RoundCheck:
        settings = replace(NO_ABS_TOL, **changes)
        return check_round(
            w, std, 3, 1.96, (0, 1, 2), rel_tol=0.01, settings=settings, max_samples=5000, n_samples=n_samples
        )

    assert check().costly  # the default: the tie is left for its cost
    assert check(costly_open_places=1).costly  # one open place (the 3rd): still left
    assert not check(costly_open_places=0).costly  # no open place allowed: the tie is sampled
    patient = check(set_costly_factor=math.inf)
    need = patient.factor * 400  # samples settling the tie takes from 400
    assert need <= 5000 / 3
    assert not check(400, costly_cap_share=1 / 3).costly  # within a third of the cap: sampled
    assert check(400, costly_cap_share=need / 5000 / 2).costly  # more than that share of the cap: left
