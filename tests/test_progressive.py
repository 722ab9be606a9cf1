"""Results while they compute: fit(on_round=...) shows each round's fit as data, and a truthy answer stops there.

The dashboard draws these rounds (ui/run.py); here the seam itself, on a noisy model that takes several rounds.
"""

from __future__ import annotations

import numpy as np
import pytest

from lime_core.estimator import explain_fit, preliminary_explanation, stopped_early
from lime_core.explainer import TextExplainer
from lime_core.explanation import STOP_EARLY, STOP_INTERIM
from lime_core.formatters.trust import sampling_line, trust_summary
from lime_core.neighbourhood import FitResult
from lime_core.rounds import FIRST_LOOK_PER_FEATURE, FIRST_LOOK_SAMPLES, first_look_size
from lime_core.verdict import judge_trust
from tests.blackboxes import SENTIMENT_TEXT, sentiment_model
from tests.test_trust_adaptive import HARD_COEFS
from tests.test_trust_uncertainty import REVIEW_TEXT, NoisyLogisticModel


def _weights(e) -> dict[str, float]:
    return {w.feature: w.weight for w in e.targets[0].weights}


@pytest.fixture(scope="module")
def rounds() -> tuple[TextExplainer, list[FitResult]]:
    """An auto fit of several rounds with every interim result it showed."""
    seen: list[FitResult] = []
    explainer = TextExplainer(n_samples="auto", random_state=3)
    explainer.fit(REVIEW_TEXT, NoisyLogisticModel(HARD_COEFS, 1.0), on_round=seen.append)
    return explainer, seen


def test_every_round_but_the_last_is_shown_as_a_preliminary_result(rounds) -> None:
    explainer, seen = rounds
    final = explainer.fit_result_
    # A first look (round 0: the first round's first samples), then every round but the last.
    assert final.sampling.rounds >= 3 and len(seen) == final.sampling.rounds
    assert all(r.preliminary and r.sampling.stopped_because == STOP_INTERIM for r in seen)
    assert not final.preliminary
    sizes = [r.neighbourhood.n_samples for r in seen]
    assert sizes == sorted(sizes) and sizes[-1] < final.neighbourhood.n_samples
    assert [r.sampling.rounds for r in seen] == list(range(len(seen)))
    # Plain data a page can draw: weights with their intervals, and no check that has not run.
    first = preliminary_explanation(seen[1])
    assert first.n_samples == sizes[1] and first.sampling.stopped_because == STOP_INTERIM
    assert all(w.interval is not None for w in first.targets[0].weights)
    assert first.stability is None and first.faithfulness is None and first.methods is None
    assert "preliminary" in sampling_line(first.sampling)
    check = next(c for c in judge_trust(first).checks if c.name == "sampling")
    assert check.level == "check" and "still running" in check.message


def test_watching_the_rounds_changes_nothing(rounds) -> None:
    explainer, _ = rounds
    plain = TextExplainer(n_samples="auto", random_state=3).fit(REVIEW_TEXT, NoisyLogisticModel(HARD_COEFS, 1.0))
    assert plain.explanation() == explainer.explanation()
    assert plain.trust_seed_ == explainer.trust_seed_


def test_stopping_after_a_round_keeps_that_round_and_says_so(rounds) -> None:
    _, seen = rounds
    calls = []

    def stop_after_second(result: FitResult) -> bool:
        calls.append(result)
        return len(calls) == 3  # the first look, round 1, round 2

    model = NoisyLogisticModel(HARD_COEFS, 1.0)
    explainer = TextExplainer(n_samples="auto", random_state=3).fit(REVIEW_TEXT, model, on_round=stop_after_second)
    s = explainer.sampling_
    assert len(calls) == 3 and s.rounds == 2 and s.stopped_because == STOP_EARLY
    assert explainer.neighbourhood_.n_samples == seen[2].neighbourhood.n_samples
    kept = explainer.explanation()
    # The interim result of round 2, kept afterwards (the dashboard's Stop), is the same explanation.
    assert explain_fit(stopped_early(seen[2])) == kept
    assert _weights(kept) == _weights(preliminary_explanation(seen[2]))
    # Its verdict is computed as for any result, and it cannot say the top words settled.
    verdict = judge_trust(kept)
    sampling = next(c for c in verdict.checks if c.name == "sampling")
    assert sampling.level == "check" and "stopped early" in sampling.message
    assert verdict.level != "trust"
    assert "stopped early" in sampling_line(kept.sampling, stability=kept.stability)
    assert trust_summary(kept, kept.targets[0]).sampling.stopped_because == STOP_EARLY
    assert kept.to_dict()["sampling"]["stopped_because"] == STOP_EARLY


def test_only_a_preliminary_result_can_be_stopped_early(rounds) -> None:
    explainer, _ = rounds
    with pytest.raises(ValueError, match="preliminary"):
        stopped_early(explainer.fit_result_)


def test_a_fixed_count_or_a_one_round_fit_shows_no_interim_result() -> None:
    seen: list[FitResult] = []
    TextExplainer(n_samples=300, random_state=0).fit(SENTIMENT_TEXT, sentiment_model(), on_round=seen.append)
    assert seen == []
    explainer = TextExplainer(n_samples="auto", random_state=0)
    explainer.fit(SENTIMENT_TEXT, sentiment_model(), on_round=seen.append)
    assert len(seen) == explainer.sampling_.rounds  # a first look, then every round but the last
    for shown in seen:  # later rounds add to the first look and to each other
        proba = shown.neighbourhood.proba
        assert np.array_equal(proba, explainer.neighbourhood_.proba[: len(proba)])


def test_the_dashboard_keeps_a_stopped_round_without_asking_the_model(rounds) -> None:
    """dashboard.results: a preliminary RunResult kept by Stop is a finished result that says it was stopped early;
    its faithfulness is 'not checked' (a stop asks the model nothing more), and it needs no model to be drawn."""
    from dashboard.results import ExplainOptions, RunResult

    _, seen = rounds
    interim = RunResult(REVIEW_TEXT, "noisy", "Noisy model", seen[0], ExplainOptions(faithfulness=True), 1.5)
    assert interim.preliminary and not interim.stopped_early
    shown = interim.preliminary_explanation("positive")
    assert shown.targets[0].class_name == "positive" and shown.stability is None
    kept = interim.kept_early()
    assert kept.stopped_early and not kept.preliminary and kept.id != interim.id
    assert kept.fit.neighbourhood is interim.fit.neighbourhood and kept.elapsed == interim.elapsed
    explanation = kept.explanation()  # no black box: it would raise if the faithfulness check were still due
    assert explanation.faithfulness is None and explanation.stability is not None
    assert explanation.sampling.stopped_because == STOP_EARLY
    assert judge_trust(explanation).level != "trust"


def test_a_first_look_comes_before_the_first_round_has_been_answered() -> None:
    """The first round's first samples go to the model first and are shown as a first look (round 0); the rest of
    the round follows, and the explanation, its model calls and its reused answers are those of an unwatched run."""
    model = sentiment_model()
    asked_before: list[int] = []

    def watch(result: FitResult) -> None:
        asked_before.append(model.n_texts_seen)

    explainer = TextExplainer(n_samples="auto", random_state=0).fit(SENTIMENT_TEXT, model, on_round=watch)
    look = first_look_size(explainer.sampling_.history[0].n_samples, explainer.neighbourhood_.X.shape[1])
    assert look >= FIRST_LOOK_SAMPLES
    # When the first look was shown, the model had been asked about its samples only (their distinct texts).
    assert 0 < asked_before[0] <= look < explainer.sampling_.history[0].n_samples
    plain_model = sentiment_model()
    plain = TextExplainer(n_samples="auto", random_state=0).fit(SENTIMENT_TEXT, plain_model)
    assert plain.explanation() == explainer.explanation()
    assert (plain.n_model_calls_, plain.sampling_.n_model_calls) == (explainer.n_model_calls_, model.n_texts_seen)
    assert plain.explanation().n_answers_reused == explainer.explanation().n_answers_reused
    assert sorted(plain_model.texts_seen) == sorted(model.texts_seen)  # the same texts, in two requests


def test_a_first_look_kept_by_stop_says_what_it_is() -> None:
    explainer = TextExplainer(n_samples="auto", random_state=0)
    explainer.fit(SENTIMENT_TEXT, sentiment_model(), on_round=lambda result: True)
    s = explainer.sampling_
    assert s.rounds == 0 and s.stopped_because == STOP_EARLY and s.n_samples >= FIRST_LOOK_SAMPLES
    kept = explainer.explanation()
    assert kept.n_samples == s.n_samples and all(w.interval is not None for w in kept.targets[0].weights)
    sampling = judge_trust(kept).check("sampling")
    assert sampling.level == "check" and "first look at part of its first round" in sampling.message
    assert "in a first look at part of its first round" in sampling_line(kept.sampling, stability=kept.stability)


def test_a_first_look_needs_enough_samples_per_word() -> None:
    assert first_look_size(200, 10) == FIRST_LOOK_SAMPLES
    assert first_look_size(500, 60) == FIRST_LOOK_PER_FEATURE * 61
    assert first_look_size(500, 124) == 250 and first_look_size(500, 125) == 0  # at most half the round
    assert first_look_size(100, 5) == 0  # a small first round comes almost as soon as its half


def test_a_multi_label_model_has_a_first_look_at_the_explained_label() -> None:
    from tests.blackboxes import MULTI_LABEL_BIAS, MULTI_LABEL_COEFS, MULTI_LABEL_TEXT, MultiLabelWordModel

    seen: list[FitResult] = []
    model = MultiLabelWordModel(MULTI_LABEL_COEFS, MULTI_LABEL_BIAS)
    watched = TextExplainer(n_samples="auto", random_state=1).fit(MULTI_LABEL_TEXT, model, on_round=seen.append)
    first_look = preliminary_explanation(seen[0])
    assert seen[0].sampling.rounds == 0 and first_look.multi_label is not None
    assert first_look.targets[0].class_name == watched.explanation().targets[0].class_name
    plain = TextExplainer(n_samples="auto", random_state=1).fit(
        MULTI_LABEL_TEXT, MultiLabelWordModel(MULTI_LABEL_COEFS, MULTI_LABEL_BIAS)
    )
    assert plain.explanation() == watched.explanation()
