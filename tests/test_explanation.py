"""The explanation as plain data: its accessors and its JSON round trip."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lime_core.explanation import (
    SCHEMA_VERSION,
    ExplainerSettings,
    Explanation,
    FeatureWeight,
    FidelityMetrics,
    TargetExplanation,
)

TEXT = "Ça c'est très bien — 我爱北京 👍🏽 नमस्ते «שלום» ١٢٣\ttab\r\nline"

SETTINGS = ExplainerSettings(
    n_samples=500,
    random_state=42,
    tokenization="words",
    sampler="MixtureSampler([PositionSampler(), BagOfWordsSampler()], weights=[0.7, 0.3])",
    kernel="CosineKernel()",
    surrogate="SoftmaxSurrogate()",
    bigrams=False,
    mask_token="[MASK]",
    heldout_fraction=0.3,
)


def make_explanation(**changes) -> Explanation:
    pos = TargetExplanation(
        class_name="positive",
        class_index=1,
        probability=0.8,
        surrogate_probability=0.78,
        bias=0.25,
        weights=(
            FeatureWeight("bien", 1.5, spans=((15, 19),), value=1.0, std=0.1, interval=(1.3, 1.7)),
            FeatureWeight("我", 0.4, spans=((22, 23),), value=1.0, std=0.3, interval=(-0.1, 0.9)),
            FeatureWeight("👍🏽", 0.0, spans=((27, 29),)),
            FeatureWeight("très", -0.2, spans=((10, 14),), value=2.0),
            FeatureWeight("נ", -1.25, spans=(), value=0.0, std=0.05, interval=(-1.4, -1.1)),
        ),
    )
    neg = TargetExplanation(
        class_name="négatif",
        class_index=0,
        probability=0.2,
        surrogate_probability=0.22,
        bias=-0.25,
        weights=(FeatureWeight("très", 0.2, spans=((10, 14),), value=2.0),),
    )
    fields = {
        "text": TEXT,
        "model": "tiny-bert ✓",
        "class_names": ("négatif", "positive"),
        "probabilities": (0.2, 0.8),
        "surrogate_probabilities": (0.22, 0.78),
        "targets": (pos, neg),
        "metrics": FidelityMetrics(mean_KL_divergence=0.0123, score=0.97, n_heldout=150),
        "n_samples": 500,
        "n_model_calls": 321,
        "settings": SETTINGS,
        "extras": {},
    }
    fields.update(changes)
    return Explanation(**fields)


# -- accessors ------------------------------------------------------------------------------------------------------


def test_feature_weight_contribution_and_sign_certainty() -> None:
    assert FeatureWeight("a", 1.5, value=2.0).contribution == 3.0
    assert FeatureWeight("a", 1.5).sign_certain is None
    assert FeatureWeight("a", 1.5, interval=(0.1, 2.0)).sign_certain is True
    assert FeatureWeight("a", -1.5, interval=(-2.0, -0.1)).sign_certain is True
    assert FeatureWeight("a", 0.5, interval=(-0.1, 2.0)).sign_certain is False


def test_target_positive_negative_and_top() -> None:
    t = make_explanation().targets[0]
    assert [w.feature for w in t.positive] == ["bien", "我"]
    assert [w.feature for w in t.negative] == ["נ", "très"]  # most negative first
    assert [w.feature for w in t.top(3)] == ["bien", "נ", "我"]
    assert len(t.top(100)) == 5


def test_predicted_class_and_target_lookup() -> None:
    e = make_explanation()
    assert e.predicted_class == "positive"
    assert e.target("négatif").class_index == 0
    with pytest.raises(KeyError, match="'neutral' is not explained here"):
        e.target("neutral")


# -- JSON -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("indent", [None, 2])
def test_json_round_trip_is_exact(indent) -> None:
    e = make_explanation()
    assert Explanation.from_json(e.to_json(indent=indent)) == e
    assert Explanation.from_dict(e.to_dict()) == e


def test_json_keeps_non_ascii_text_verbatim() -> None:
    e = make_explanation()
    raw = e.to_json()
    assert TEXT in json.loads(raw)["text"]
    assert "我爱北京 👍🏽 नमस्ते" in raw and "\\u" not in raw
    assert Explanation.from_json(raw).text == TEXT
    assert Explanation.from_json(raw.encode("utf-8").decode("utf-8")) == e  # as written to and read from a file


def test_optional_std_and_interval_are_written_only_when_present_and_survive() -> None:
    e = make_explanation()
    weights = json.loads(e.to_json())["targets"][0]["weights"]
    assert weights[0]["std"] == 0.1 and weights[0]["interval"] == [1.3, 1.7]
    assert "std" not in weights[2] and "interval" not in weights[2]
    back = Explanation.from_json(e.to_json()).targets[0].weights
    assert back[0].std == 0.1 and back[0].interval == (1.3, 1.7)
    assert back[2].std is None and back[2].interval is None
    assert back[4].sign_certain is True and back[1].sign_certain is False


def test_json_document_shape() -> None:
    d = json.loads(make_explanation().to_json())
    assert d["schema_version"] == SCHEMA_VERSION == 1
    assert d["predicted_class"] == "positive"
    assert d["class_names"] == ["négatif", "positive"]
    assert d["targets"][0]["class"] == "positive" and d["targets"][0]["weights"][0]["spans"] == [[15, 19]]
    assert d["metrics"] == {"mean_KL_divergence": 0.0123, "score": 0.97, "n_heldout": 150, "close_agreement": None}
    assert d["settings"]["mask_token"] == "[MASK]"


def test_extras_round_trip_at_the_top_level() -> None:
    e = make_explanation(extras={"timing": {"model_s": 1.25}, "warnings": ["low fidelity"], "ü": None})
    d = json.loads(e.to_json())
    assert d["timing"] == {"model_s": 1.25} and d["warnings"] == ["low fidelity"]
    assert Explanation.from_json(e.to_json()) == e


def test_random_state_none_and_no_mask_round_trip() -> None:
    s = ExplainerSettings(**{**SETTINGS.__dict__, "random_state": None, "mask_token": None, "bigrams": True})
    e = make_explanation(settings=s)
    assert Explanation.from_json(e.to_json()) == e


@pytest.mark.parametrize("version", [0, 2, "1", None, 1.5])
def test_wrong_schema_version_is_rejected(version) -> None:
    d = make_explanation().to_dict()
    d["schema_version"] = version
    with pytest.raises(ValueError, match="unsupported explanation schema_version"):
        Explanation.from_dict(d)
    with pytest.raises(ValueError, match="schema_version"):
        Explanation.from_json(json.dumps(d))


def test_missing_schema_version_is_rejected() -> None:
    d = make_explanation().to_dict()
    del d["schema_version"]
    with pytest.raises(ValueError, match="schema_version None"):
        Explanation.from_dict(d)


def test_non_finite_numbers_are_refused_rather_than_written_as_invalid_json() -> None:
    t = make_explanation().targets[0]
    bad = TargetExplanation(**{**t.__dict__, "weights": (FeatureWeight("x", float("nan")),)})
    with pytest.raises(ValueError):
        make_explanation(targets=(bad,)).to_json()


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def feature_weights(draw: st.DrawFn) -> FeatureWeight:
    has_interval = draw(st.booleans())
    return FeatureWeight(
        feature=draw(st.text(min_size=1, max_size=10)),
        weight=draw(finite),
        spans=tuple(draw(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=3))),
        value=draw(finite),
        std=draw(st.none() | finite),
        interval=(draw(finite), draw(finite)) if has_interval else None,
    )


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(min_size=1, max_size=60),
    weights=st.lists(feature_weights(), max_size=6),
    bias=finite,
    kl=st.floats(0, 10),
)
def test_json_round_trip_property(text: str, weights: list[FeatureWeight], bias: float, kl: float) -> None:
    target = TargetExplanation("positive", 1, 0.5, 0.5, bias, tuple(weights))
    e = make_explanation(text=text, targets=(target,), metrics=FidelityMetrics(kl, 1.0, 3))
    assert Explanation.from_json(e.to_json()) == e
