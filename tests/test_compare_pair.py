"""The Compare page's pair while it computes and after Stop (dashboard.pair), without Streamlit.

Each side is a real automatic-sampling fit of several rounds on a noisy word model, with the rounds it showed
(``fit(on_round=...)``), wrapped as the dashboard's RunResults, as ui.run does.
"""

from __future__ import annotations

import pytest

from dashboard.examples import COMPARE_CLASS
from dashboard.pair import (
    COMPUTING,
    FAILED,
    FINISHED,
    NOT_RUN,
    PRELIMINARY,
    STOPPED,
    WAITING,
    LivePair,
    default_class,
    pair_note,
    shared_scale,
    side_status,
    target_of,
)
from dashboard.report import max_abs_weight
from dashboard.results import ExplainOptions, RunResult
from lime_core.explainer import TextExplainer
from lime_core.formatters.highlight import default_scale
from tests.blackboxes import SENTIMENT_TEXT, topic_model
from tests.test_trust_adaptive import HARD_COEFS
from tests.test_trust_uncertainty import REVIEW_TEXT, NoisyLogisticModel

RIGHT_TEXT = "The cast was fine and the music was good, but the story was bad and the pace was slow and long."


def _side(text: str, model) -> tuple[RunResult, list[RunResult]]:
    """A finished side and the rounds drawn while it computed."""
    seen = []
    explainer = TextExplainer(n_samples="auto", random_state=3).fit(text, model, on_round=seen.append)
    options = ExplainOptions()

    def wrap(fit):
        return RunResult(text, "noisy", "Noisy model", fit, options, 1.0)

    return wrap(explainer.fit_result_), [wrap(fit) for fit in seen]


@pytest.fixture(scope="module")
def sides() -> dict[str, tuple[RunResult, list[RunResult]]]:
    model = NoisyLogisticModel(HARD_COEFS, 1.0)
    return {"left": _side(REVIEW_TEXT, model), "right": _side(RIGHT_TEXT, model)}


def test_each_side_shows_its_latest_round_while_it_computes_then_its_result(sides) -> None:
    (left, left_rounds), (right, right_rounds) = sides["left"], sides["right"]
    assert len(left_rounds) >= 2 and len(right_rounds) >= 2
    pair = LivePair()
    pair.start("left")
    assert (pair.status("left"), pair.status("right")) == (COMPUTING, WAITING) and pair.shown() == {}
    for a_round in left_rounds:
        pair.round(a_round)
        assert pair.shown() == {"left": a_round}  # refined in place: the latest round only
        assert (pair.status("left"), pair.status("right")) == (PRELIMINARY, WAITING)
    pair.finish("left", left)
    pair.start("right")
    assert (pair.status("left"), pair.status("right")) == (FINISHED, COMPUTING)
    pair.round(right_rounds[0])
    assert list(pair.shown()) == ["left", "right"] and pair.shown()["right"] is right_rounds[0]
    assert (pair.status("left"), pair.status("right")) == (FINISHED, PRELIMINARY)
    pair.finish("right", right)
    assert pair.shown() == {"left": left, "right": right} and pair.kept_on_stop() == pair.shown()
    assert pair_note(pair.shown()) is None  # two finished sides: nothing to say


def test_stop_while_the_right_side_computes_keeps_the_finished_left_and_the_rights_latest_round(sides) -> None:
    (left, _), (_, right_rounds) = sides["left"], sides["right"]
    pair = LivePair()
    pair.start("left")
    pair.finish("left", left)
    pair.start("right")
    for a_round in right_rounds[:2]:
        pair.round(a_round)
    kept = pair.kept_on_stop()
    assert kept["left"] is left  # a finished side is kept as it is
    right = kept["right"]
    assert right.stopped_early and not right.preliminary
    assert right.fit.neighbourhood is right_rounds[1].fit.neighbourhood  # the latest round shown, no new samples
    assert [side_status(kept.get(s)) for s in ("left", "right")] == [FINISHED, STOPPED]
    note = pair_note(kept)
    assert note is not None and "stopped early" in note and note.count("Right") == 1 and "Left" not in note
    # The colour scale and the axis belong to what is shown: the kept round's weights, not the finished run's.
    targets = [target_of(kept[s], None) for s in ("left", "right")]
    scale, domain = shared_scale(targets)
    assert scale == default_scale(targets) == max(default_scale([t]) for t in targets)
    assert domain == pytest.approx(max_abs_weight(targets, top=8, intervals=True) * 1.05)
    shown_round = target_of(right_rounds[1], None)  # what was on screen when Stop was pressed
    assert {w.feature: w.weight for w in targets[1].weights} == pytest.approx(
        {w.feature: w.weight for w in shown_round.weights}
    )


def test_stop_while_the_left_side_computes_keeps_its_round_and_leaves_the_right_side_out(sides) -> None:
    _, left_rounds = sides["left"]
    pair = LivePair()
    pair.start("left")
    pair.round(left_rounds[0])
    kept = pair.kept_on_stop()
    assert list(kept) == ["left"] and kept["left"].stopped_early
    assert side_status(kept.get("right")) == NOT_RUN
    note = pair_note(kept)
    assert note is not None and "Right was not explained" in note and "Left is the latest round" in note
    scale, _ = shared_scale([target_of(kept["left"], None)])  # the scale of the one side shown
    assert scale == default_scale([target_of(kept["left"], None)])


def test_a_side_that_fails_is_said_so_and_stop_before_any_round_keeps_nothing() -> None:
    pair = LivePair()
    pair.start("left")
    assert pair.kept_on_stop() == {}  # no round yet: nothing to keep
    pair.finish("left", None, "The text is empty.")
    assert pair.status("left") == FAILED and pair.failed == {"left": "The text is empty."}


def test_both_sides_explain_one_class_when_they_share_their_classes(sides) -> None:
    (left, left_rounds), (right, _) = sides["left"], sides["right"]
    assert COMPARE_CLASS not in left.class_names
    assert default_class([left, right]) == left.predicted_class  # like with like: the first side's prediction
    assert default_class([left_rounds[0]]) == left_rounds[0].predicted_class  # while only a round of the left exists
    other = TextExplainer(n_samples=300, random_state=0).fit(SENTIMENT_TEXT, topic_model()).fit_result_
    topics = RunResult(SENTIMENT_TEXT, "topics", "Topics", other, ExplainOptions(), 1.0)
    assert default_class([left, topics]) is None  # other classes: each side's predicted class
    assert default_class([]) is None
    assert target_of(left, "no such class").class_name == left.predicted_class  # an unknown class falls back
