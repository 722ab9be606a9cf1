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
    assert final.sampling.rounds >= 3 and len(seen) == final.sampling.rounds - 1
    assert all(r.preliminary and r.sampling.stopped_because == STOP_INTERIM for r in seen)
    assert not final.preliminary
    sizes = [r.neighbourhood.n_samples for r in seen]
    assert sizes == sorted(sizes) and sizes[-1] < final.neighbourhood.n_samples
    assert [r.sampling.rounds for r in seen] == list(range(1, len(seen) + 1))
    # Plain data a page can draw: weights with their intervals, and no check that has not run.
    first = preliminary_explanation(seen[0])
    assert first.n_samples == sizes[0] and first.sampling.stopped_because == STOP_INTERIM
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
        return len(calls) == 2

    model = NoisyLogisticModel(HARD_COEFS, 1.0)
    explainer = TextExplainer(n_samples="auto", random_state=3).fit(REVIEW_TEXT, model, on_round=stop_after_second)
    s = explainer.sampling_
    assert len(calls) == 2 and s.rounds == 2 and s.stopped_because == STOP_EARLY
    assert explainer.neighbourhood_.n_samples == seen[1].neighbourhood.n_samples
    kept = explainer.explanation()
    # The interim result of round 2, kept afterwards (the dashboard's Stop), is the same explanation.
    assert explain_fit(stopped_early(seen[1])) == kept
    assert _weights(kept) == _weights(preliminary_explanation(seen[1]))
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
    assert len(seen) == explainer.sampling_.rounds - 1
    first = seen[0].neighbourhood.proba
    assert np.array_equal(first, explainer.neighbourhood_.proba[: len(first)])  # later rounds add to the first


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
