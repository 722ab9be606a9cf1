"""The trust reports as data (JSON round trip, old JSON still readable) and the trust verdict built from them."""

from __future__ import annotations

import dataclasses
import json

import pytest

from dashboard.wording import TRUST_HELP
from lime_core.explainer import TextExplainer
from lime_core.explanation import (
    CurvePoint,
    Explanation,
    FaithfulnessReport,
    FaithfulnessScores,
    FeatureWeight,
    SamplingReport,
    SamplingRound,
    StabilityReport,
    UncertaintyInfo,
    WordStability,
)
from lime_core.verdict import judge_explanation, judge_trust
from tests.blackboxes import SENTIMENT_TEXT, TOPIC_TEXT, ConstantModel, sentiment_model, topic_model


@pytest.fixture(scope="module")
def full() -> Explanation:
    """Every trust report present: adaptive sampling, intervals, stability, faithfulness."""
    return TextExplainer(n_samples="auto", random_state=0, faithfulness=True).explain(
        SENTIMENT_TEXT, sentiment_model(), targets="all"
    )


def test_json_round_trip_of_every_trust_report(full) -> None:
    e = full
    assert e.uncertainty and e.stability and e.faithfulness and e.sampling
    back = Explanation.from_json(e.to_json())
    assert back == e
    assert back.extras == {}  # the trust keys are fields, not unknown extras


def test_json_layout_of_the_trust_keys(full) -> None:
    d = json.loads(full.to_json())
    w = d["targets"][0]["weights"][0]
    assert isinstance(w["std"], float) and len(w["interval"]) == 2
    s = d["stability"]
    assert {
        "top_k_jaccard",
        "k",
        "n_refits",
        "top_k",
        "words",
        "level",
        "warning",
        "dropped",
        "entered",
        "sign_flips",
        "class_name",
        "method",
        "refits_agree",
    } <= set(s)
    assert isinstance(s["refits_agree"], int) and 0 <= s["refits_agree"] <= len(s["top_k"])
    f = d["faithfulness"]
    assert {
        "comprehensiveness",
        "sufficiency",
        "curve",
        "auc",
        "baselines",
        "k",
        "level",
        "n_model_calls",
        "beats_random",
        "probability",
        "class_name",
    } <= set(f)
    assert set(f["baselines"]) == {"random", "occlusion"}
    assert set(f["curve"][0]) == {"k", "probability"}
    assert set(f["baselines"]["random"]) == {"comprehensiveness", "sufficiency", "auc", "curve"}
    sampling = d["sampling"]
    assert {"mode", "rounds", "n_samples", "n_model_calls", "stopped_because", "max_samples", "history"} <= set(
        sampling
    )
    assert sampling["mode"] == "auto" and sampling["n_samples"] == d["n_samples"]
    assert d["settings"]["adaptive"] is True


def test_explanations_without_trust_reports_read_and_write_as_before(full) -> None:
    d = full.to_dict()
    for key in ("uncertainty", "stability", "faithfulness", "sampling", "verdict"):
        del d[key]
    del d["settings"]["adaptive"]
    for t in d["targets"]:
        for w in t["weights"]:
            del w["std"], w["interval"]
    old = Explanation.from_dict(d)
    assert old.uncertainty is old.stability is old.faithfulness is old.sampling is None
    assert old.settings.adaptive is False and old.targets[0].weights[0].sign_certain is None
    written = old.to_dict()
    assert written.pop("verdict")["checks"][0]["name"] == "fidelity"  # judged again, from what is left
    assert written == d


def test_unknown_keys_stay_extras_next_to_the_trust_keys(full) -> None:
    d = full.to_dict() | {"note": "kept"}
    back = Explanation.from_dict(d)
    assert back.extras == {"note": "kept"} and back.stability == full.stability


def test_report_properties() -> None:
    words = (
        WordStability("a", 1.0, 0.0, 1),
        WordStability("b", 0.6, 0.0, 2),
        WordStability("c", 0.4, 0.3, 3),
    )
    r = StabilityReport("pos", 2, 5, 0.7, "medium", True, ("a", "b"), words, "m")
    assert r.dropped == ("b",) and r.entered == ("c",) and r.sign_flips == ("c",)
    ours = FaithfulnessScores(0.5, 0.1, 0.2, (CurvePoint(0, 0.9), CurvePoint(1, 0.2)))
    rand = FaithfulnessScores(0.2, 0.3, 0.5, ())
    f = FaithfulnessReport("pos", 1, 1, 0.9, ours, {"random": rand}, 3, "good", 4)
    assert f.beats_random and f.comprehensiveness == 0.5 and f.curve[1].k == 1 and f.auc == 0.2


# -- the trust verdict -----------------------------------------------------------------------------------------------


def test_a_good_explanation_is_trusted_on_every_check(full) -> None:
    v = judge_trust(full)
    assert v.level == "trust" and v.title == "Trustworthy"
    assert [c.name for c in v.checks] == ["fidelity", "stability", "signs", "faithfulness", "sampling"]
    assert all(c.level == "trust" for c in v.checks)
    assert v.check("faithfulness").message.startswith("The model relies on these words")
    assert judge_explanation(full).level == "trust"  # the fidelity-only verdict is unchanged


def test_each_failing_check_lowers_the_verdict_with_its_reason(full) -> None:
    moving = dataclasses.replace(
        full.stability,
        top_k_jaccard=0.5,
        level="low",
        warning=True,
        words=(*full.stability.words, WordStability("plot", 0.5, 0.0, 9)),
        refits_agree=1,  # refits that pick other words agree on the leading word only
    )
    v = judge_trust(dataclasses.replace(full, stability=moving))
    assert v.level == "check" and v.check("stability").level == "check"  # lower ranks move: read with care
    assert "plot" in v.check("stability").message and v.reasons == (v.check("stability").message,)
    leader = full.stability.top_k[0]
    shaky_leader = dataclasses.replace(
        moving,
        words=tuple(dataclasses.replace(w, in_top_k=0.6) if w.feature == leader else w for w in moving.words),
    )
    v = judge_trust(dataclasses.replace(full, stability=shaky_leader))
    assert v.level == "distrust" and leader in v.check("stability").message

    poor = dataclasses.replace(full.faithfulness, level="poor")
    v = judge_trust(dataclasses.replace(full, faithfulness=poor))
    assert v.level == "distrust" and "random" in v.check("faithfulness").message

    # The cap: the rounds' own test did not pass, but what the verdict claims (the settled words) is still judged
    # from this class's intervals and refits; where they settle nothing, the cap is a reason to check.
    capped = dataclasses.replace(full.sampling, stopped_because="sample cap reached")
    v = judge_trust(dataclasses.replace(full, sampling=capped, stability=None))
    assert v.level == "trust" and v.settled and v.check("sampling").level == "trust"
    assert "full cap" in v.check("sampling").message and v.summary.startswith("The top ")
    unsettled = _wide_intervals(full, 50.0)
    v = judge_trust(dataclasses.replace(unsettled, sampling=capped, stability=None))
    assert v.level == "check" and v.settled == () and v.check("sampling").level == "check"
    assert v.check("stability").level == "check" and "None of the top" in v.check("stability").message
    high = dataclasses.replace(full.stability, level="high", warning=False)
    v = judge_trust(dataclasses.replace(unsettled, sampling=capped, stability=high))
    assert v.check("sampling").level == "check"  # refits that agree cannot settle what the intervals leave open


def _wide_intervals(e: Explanation, factor: float) -> Explanation:
    """``e`` with every weight's standard deviation and interval ``factor`` times wider (nothing settled)."""

    def widen(w: FeatureWeight) -> FeatureWeight:
        if w.std is None or w.interval is None:
            return w
        half = (w.interval[1] - w.interval[0]) / 2 * factor
        return dataclasses.replace(w, std=w.std * factor, interval=(w.weight - half, w.weight + half))

    targets = tuple(dataclasses.replace(t, weights=tuple(widen(w) for w in t.weights)) for t in e.targets)
    return dataclasses.replace(e, targets=targets)


def test_uncertain_signs_of_top_words_are_named(full) -> None:
    target = full.targets[1]
    top = target.top(1)[0]
    shaky = dataclasses.replace(top, interval=(-abs(top.weight) - 1.0, abs(top.weight) + 1.0))
    weights = tuple(shaky if w.feature == top.feature else w for w in target.weights)
    e = dataclasses.replace(full, targets=(full.targets[0], dataclasses.replace(target, weights=weights)))
    v = judge_trust(e, target.class_name)
    assert v.check("signs").level == "check" and top.feature in v.check("signs").message
    assert v.level == "check"


def test_checks_without_reports_are_left_out() -> None:
    e = TextExplainer(n_samples=300, random_state=1, uncertainty=False, stability_refits=0).explain(
        TOPIC_TEXT, topic_model()
    )
    v = judge_trust(e)
    assert [c.name for c in v.checks] == ["fidelity"]
    assert v.level == judge_explanation(e).level


def test_a_model_that_ignores_the_text_gets_no_false_alarm_on_stability() -> None:
    e = TextExplainer(n_samples=300, random_state=2, faithfulness=True).explain("a b c d e", ConstantModel())
    assert e.stability.level == "high" and not e.stability.warning and e.stability.top_k == ()
    assert e.faithfulness.level == "uninformative"  # removing words changes nothing: cannot be judged
    # The verdict says the one thing that matters (lime_core.nothing_to_explain), not an alarm about noise weights.
    v = judge_trust(e)
    assert v.title == "Nothing to explain" and [c.name for c in v.checks] == ["nothing_to_explain"]


def test_help_texts_exist_for_every_trust_number() -> None:
    assert {"interval", "stability", "comprehensiveness", "sufficiency", "auc", "sampling"} <= set(TRUST_HELP)


def test_feature_weight_sign_certainty() -> None:
    assert FeatureWeight("a", 1.0, interval=(0.1, 2.0)).sign_certain is True
    assert FeatureWeight("a", -1.0, interval=(-2.0, -0.1)).sign_certain is True
    assert FeatureWeight("a", 1.0, interval=(-0.1, 2.0)).sign_certain is False
    assert FeatureWeight("a", 1.0).sign_certain is None


def test_constructed_reports_round_trip() -> None:
    e = TextExplainer(n_samples=200, random_state=3).explain(SENTIMENT_TEXT, sentiment_model())
    sampling = SamplingReport("auto", 2, 300, 250, "x", 5000, (SamplingRound(200, 180, ("a",), None),))
    e2 = dataclasses.replace(e, uncertainty=UncertaintyInfo("sandwich", 0.9), sampling=sampling)
    assert Explanation.from_json(e2.to_json()) == e2


def test_faithfulness_is_judged_only_for_the_class_it_was_measured_for(full) -> None:
    measured = full.faithfulness.class_name
    other = next(t.class_name for t in full.targets if t.class_name != measured)
    assert judge_trust(full, measured).check("faithfulness") is not None
    assert judge_trust(full, other).check("faithfulness") is None
    assert judge_trust(full, other).check("stability") is not None  # same top words for both classes
