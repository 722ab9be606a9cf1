"""KernelSHAP and occlusion from the explanation's samples, their agreement with LIME and faithfulness.

Truth comes from enumeration: on texts of at most 12 distinct words the exact
Shapley values are computed over every subset of the words, with the black
box asked directly (not through lime_core).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from lime_core import TextExplainer
from lime_core.errors import LimeCoreError
from lime_core.explanation import Explanation
from lime_core.methods import KernelShap, Occlusion, compare_methods, parse_methods
from lime_core.methods.kernelshap import DEFAULT_MAX_EXTRA_CALLS
from tests.blackboxes import (
    MULTI_LABEL_BIAS,
    MULTI_LABEL_COEFS,
    MULTI_LABEL_TEXT,
    REDUNDANT_COEFS,
    REDUNDANT_PAIR,
    REDUNDANT_TEXT,
    TOPIC_CLASSES,
    MultiLabelWordModel,
    RedundantPairModel,
    exact_shapley,
    sentiment_model,
    topic_model,
)

SENTIMENT_12 = "good great bad awful plot music acting the ending was fine and"  # 12 distinct words
TOPIC_11 = "the vote and the striker scored a goal then bought a laptop"  # 9 distinct words, repeated ones


def by_word(report, method: str, explainer: TextExplainer) -> np.ndarray:
    values = report.result(method)
    return np.array([values.value_of(w) for w in explainer.features_.names[: explainer.features_.groups.n_words]])


@pytest.mark.parametrize(
    ("make_model", "text", "class_name", "n_samples"),
    [
        (sentiment_model, SENTIMENT_12, "positive", 1000),
        (topic_model, TOPIC_11, "sports", 1000),
        (RedundantPairModel, REDUNDANT_TEXT, "yes", 5000),  # an interaction: more samples (docs/methods.md)
        (sentiment_model, SENTIMENT_12, "negative", 300),
    ],
)
def test_kernelshap_is_within_002_of_exact_shapley_values_and_adds_up_exactly(
    make_model, text: str, class_name: str, n_samples: int
) -> None:
    model = make_model()
    explainer = TextExplainer(n_samples=n_samples, random_state=0).fit(text, model)
    c = list(model.class_names).index(class_name)
    sent_by_explanation = model.n_texts_seen
    report = compare_methods(explainer, "kernelshap", target=class_name)
    shap = report.result("kernelshap")
    estimate = by_word(report, "kernelshap", explainer)
    truth = exact_shapley(model, explainer, c)
    assert np.abs(estimate - truth).max() < 0.02, (estimate.round(3), truth.round(3))
    # Additivity: the values add up to p(text) - p(no words), with both read from the model itself.
    p_text = model._proba([text])[0, c]
    p_empty = model._proba([""])[0, c]
    assert shap.prediction == pytest.approx(p_text, abs=1e-12)
    assert shap.base_value == pytest.approx(p_empty, abs=1e-12)
    assert estimate.sum() == pytest.approx(p_text - p_empty, abs=1e-12)
    # The extra cost: at most the completion budget plus the empty text, for KernelSHAP itself.
    assert shap.n_model_calls <= DEFAULT_MAX_EXTRA_CALLS + 1
    assert (
        model.n_texts_seen - sent_by_explanation
        == report.n_model_calls
        + explainer.trust_.faithfulness(c, class_name, None, 5, explainer.trust_seed_).n_model_calls
    )
    # Intervals: every value has one, and most cover the truth (a 95 % interval; 12 words).
    lows = np.array([shap.values[[v.feature for v in shap.values].index(w)].interval[0] for w in _words(explainer)])
    highs = np.array([shap.values[[v.feature for v in shap.values].index(w)].interval[1] for w in _words(explainer)])
    assert np.mean((lows - 1e-9 <= truth) & (truth <= highs + 1e-9)) >= 0.6


def _words(explainer: TextExplainer) -> tuple[str, ...]:
    return explainer.features_.names[: explainer.features_.groups.n_words]


def test_kernelshap_is_exact_and_its_intervals_collapse_when_every_subset_was_sampled() -> None:
    model = sentiment_model()
    explainer = TextExplainer(n_samples=2000, random_state=0).fit("good bad awful the plot", model)
    report = compare_methods(explainer, "kernelshap")
    shap = report.result("kernelshap")
    assert shap.n_coalitions == 2**5 - 2  # every subset but the empty and the whole text
    assert np.abs(by_word(report, "kernelshap", explainer) - exact_shapley(model, explainer, 0)).max() < 1e-9
    assert all(v.std == pytest.approx(0.0, abs=1e-12) for v in shap.values)


def test_kernelshap_with_no_extra_calls_still_adds_up_and_says_so_when_rough() -> None:
    model = sentiment_model()
    long_text = SENTIMENT_12 + " " + " ".join(f"word{i}" for i in range(18))  # 30 distinct words
    explainer = TextExplainer(n_samples=20, random_state=1).fit(long_text, model)
    report = compare_methods(explainer, "kernelshap", parts={"kernelshap": KernelShap(max_extra_calls=0)})
    shap = report.result("kernelshap")
    assert shap.n_model_calls <= 1  # at most the empty text
    assert sum(v.value for v in shap.values) == pytest.approx(shap.prediction - shap.base_value, abs=1e-12)
    # 30 words, 19 samples: most subset sizes have no sample, and the values say so.
    assert shap.note is not None and "subset sizes had no sample" in shap.note


def test_occlusion_is_exact_and_costs_one_call_per_word_at_most() -> None:
    model = topic_model()
    explainer = TextExplainer(n_samples=300, random_state=0).fit(TOPIC_11, model)
    before = model.n_texts_seen
    attribution = Occlusion().attribute(explainer.neighbourhood_, explainer.black_box_, 0)
    words = _words(explainer)
    tokens = [t.text for t in explainer.tokenized_.tokens]
    p_text = model._proba([TOPIC_11])[0, 0]
    for j, word in enumerate(words):
        without = " ".join(t for t in tokens if t.casefold() != word)
        assert attribution.values[j] == pytest.approx(p_text - model._proba([without])[0, 0], abs=1e-12), word
    assert attribution.n_model_calls == model.n_texts_seen - before <= len(words)
    # Asked again: every answer is cached.
    assert Occlusion().attribute(explainer.neighbourhood_, explainer.black_box_, 0).n_model_calls == 0


def test_a_multi_label_model_is_compared_on_the_explained_labels_own_probability() -> None:
    """compare_methods on a multi-label fit: the explained label (not its "not X" class), asked of that label's own
    probability (not the model's column of the same index), as TextExplainer(methods=...) does."""
    model = MultiLabelWordModel(MULTI_LABEL_COEFS, MULTI_LABEL_BIAS)
    explainer = TextExplainer(n_samples=1000, random_state=0).fit(MULTI_LABEL_TEXT, model)
    label = explainer.fit_result_.label
    column = model.class_names.index(label)
    report = compare_methods(explainer, "occlusion")
    assert report.class_name == label
    words = _words(explainer)
    tokens = [t.text for t in explainer.tokenized_.tokens]
    p_text = model._proba([MULTI_LABEL_TEXT])[0, column]
    occlusion = {v.feature: v.value for v in report.result("occlusion").values}
    for word in words:
        without = " ".join(t for t in tokens if t.casefold() != word)
        assert occlusion[word] == pytest.approx(p_text - model._proba([without])[0, column], abs=1e-12), word
    asked_at_fit = TextExplainer(n_samples=1000, random_state=0, methods="occlusion").fit(MULTI_LABEL_TEXT, model)
    assert asked_at_fit.explanation().methods == report


@pytest.fixture(scope="module")
def redundant() -> tuple[TextExplainer, Explanation, RedundantPairModel]:
    model = RedundantPairModel()
    explainer = TextExplainer(n_samples=2000, random_state=0, methods="kernelshap,occlusion").fit(REDUNDANT_TEXT, model)
    return explainer, explainer.explanation(), model


def test_agreement_on_a_known_disagreement_an_interaction(redundant) -> None:
    _, e, _ = redundant
    report = e.methods
    assert report.class_name == "yes" and report.k == 5
    assert report.compared == ("lime", "kernelshap", "occlusion")
    occlusion, shap = report.result("occlusion"), report.result("kernelshap")
    # Either word of the pair suffices: leaving one out changes nothing, so occlusion gives both exactly 0 ...
    assert occlusion.value_of("cheap") == occlusion.value_of("fast") == pytest.approx(0.0, abs=1e-12)
    assert set(occlusion.top) == set(REDUNDANT_COEFS)
    # ... while their Shapley values share the pair's effect and lead.
    assert set(shap.top) == {*REDUNDANT_PAIR, "reliable", "quiet", "small"}
    pair = report.pair("kernelshap", "occlusion")
    assert pair.overlap == 3 and set(pair.shared) == {"reliable", "quiet", "small"}
    # Removing KernelSHAP's top words removes the prediction; occlusion's leave the pair, and the prediction.
    assert shap.faithfulness.comprehensiveness > occlusion.faithfulness.comprehensiveness + 0.3
    assert "kernelshap" in report.most_faithful and "occlusion" not in report.most_faithful
    assert "occlusion on" in report.summary and "of the top 5 words" in report.summary
    assert "occlusion less so" in report.summary or "KernelSHAP's ranking is the most faithful here" in report.summary
    # LIME's own faithfulness is the explanation's faithfulness report: one check, one set of numbers.
    assert report.result("lime").faithfulness.comprehensiveness == e.faithfulness.comprehensiveness


def test_the_sentence_names_the_more_faithful_ranking() -> None:
    model = RedundantPairModel()
    explainer = TextExplainer(n_samples=2000, random_state=0).fit(REDUNDANT_TEXT, model)
    report = compare_methods(explainer, "occlusion")
    lime_c = report.result("lime").faithfulness.comprehensiveness
    occ_c = report.result("occlusion").faithfulness.comprehensiveness
    overlap = report.pair("lime", "occlusion").overlap
    assert report.summary.startswith(f"LIME and occlusion agree on {overlap} of the top 5 words; ")
    if lime_c - occ_c >= 0.02:
        assert report.most_faithful == ("lime",)
        assert f"LIME's ranking is the more faithful here (comprehensiveness {lime_c:.2f} against {occ_c:.2f})" in (
            report.summary
        )


def test_methods_cost_no_explanation_calls_and_round_trip_through_json(redundant) -> None:
    _, e, _ = redundant
    plain = TextExplainer(n_samples=2000, random_state=0).fit(REDUNDANT_TEXT, RedundantPairModel()).explanation()
    assert e.targets == plain.targets and e.n_model_calls == plain.n_model_calls  # LIME itself is unchanged
    data = json.loads(e.to_json())
    methods = data["methods"]
    assert methods["compared"] == ["lime", "kernelshap", "occlusion"]
    for name in methods["compared"]:
        assert {"feature", "value"} <= set(methods[name]["values"][0])
        assert len(methods[name]["values"]) == 10
    assert methods["kernelshap"]["scale"] == "probability" and "interval" in methods["kernelshap"]["values"][0]
    assert {tuple(p["methods"]) for p in methods["agreement"]} == {
        ("lime", "kernelshap"),
        ("lime", "occlusion"),
        ("kernelshap", "occlusion"),
    }
    assert Explanation.from_json(e.to_json()) == e


def test_other_classes_and_asking_later_reuse_the_samples() -> None:
    model = topic_model()
    explainer = TextExplainer(n_samples=500, random_state=0).fit(TOPIC_11, model)
    assert explainer.explanation().methods is None
    e = explainer.explanation(targets=TOPIC_CLASSES[2], methods="occlusion")
    assert e.methods.class_name == TOPIC_CLASSES[2] and e.methods.compared == ("lime", "occlusion")
    again = model.n_texts_seen
    assert explainer.explanation(targets=TOPIC_CLASSES[2], methods="occlusion").methods is e.methods
    assert model.n_texts_seen == again


def test_bad_method_names_are_refused_before_any_model_call() -> None:
    assert parse_methods("KernelSHAP, occlusion") == ("occlusion", "kernelshap")
    assert parse_methods("all") == ("occlusion", "kernelshap")
    assert parse_methods(None) == ()
    model = sentiment_model()
    with pytest.raises(ValueError, match="unknown method 'shap'; choose from kernelshap, occlusion"):
        TextExplainer(methods="shap").fit(SENTIMENT_12, model)
    assert model.n_texts_seen == 0


def test_samples_that_are_not_lime_cores_cannot_be_compared() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    model = sentiment_model()
    explainer = TextExplainer(n_samples=200, random_state=0, vec=CountVectorizer()).fit(SENTIMENT_12, model)
    with pytest.raises(LimeCoreError, match="needs lime_core's own samples"):
        compare_methods(explainer, "kernelshap")


def test_the_reports_show_the_methods_and_escape_what_users_wrote() -> None:
    from lime_core.formatters.html import format_html
    from lime_core.formatters.text import format_text
    from tests.blackboxes import LogisticWordModel

    hostile = "<img src=x onerror=alert(1)>"
    model = LogisticWordModel({"good": 2.0, "awful": -1.5}, class_names=("<b>neg</b>", hostile))
    e = TextExplainer(n_samples=300, random_state=0, methods="all").explain(
        "a good film <script>alert(2)</script> but awful acting", model
    )
    html = format_html(e, standalone=True)
    assert "Would another method say the same?" in html and "KernelSHAP" in html
    assert hostile not in html and "<script>" not in html and "&lt;img src=x" in html
    assert e.methods.summary.replace("'", "&#39;") in html
    text = format_text(e)
    assert e.methods.summary in text and "KernelSHAP's values add up to" in text
