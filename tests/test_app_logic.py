"""The dashboard's pure logic in lime_core: examples, verdict rules, time left, chart frames and exports.

No Streamlit here: these run on a small linear black box whose words have
known effects, so the frames can be checked against what the model does.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import math
import re
from typing import ClassVar

import numpy as np
import pytest
from scipy.special import softmax

from dashboard.examples import COMPARE_PAIR, EXAMPLES, KIDNEY_STONES, examples_for, get_example
from dashboard.progress import TimeLeft, format_duration
from dashboard.report import (
    bias_frame,
    class_weights_frame,
    class_weights_table,
    deletion_curve_frame,
    faithfulness_frame,
    html_report,
    max_abs_weight,
    neighbourhood_frame,
    probabilities_frame,
    report_filename,
    shared_words_frame,
    to_csv,
    to_json,
    top_weights_frame,
    top_word_effect,
    weights_frame,
)
from dashboard.wording import METRIC_HELP
from lime_core import Explanation, TextExplainer
from lime_core.explanation import BIAS_FEATURE, FidelityMetrics
from lime_core.formatters.trust import sampling_line, stop_reason
from lime_core.verdict import (
    DISTRUST_MAX_GAP,
    DISTRUST_MAX_KL,
    DISTRUST_MIN_SCORE,
    MIN_HELDOUT,
    TRUST_MAX_GAP,
    TRUST_MAX_KL,
    TRUST_MIN_SCORE,
    judge,
    judge_explanation,
    judge_trust,
)
from lime_core.wording import LOCAL_CAVEAT

HOSTILE = '<script>window.__pwned=1</script> great <img src=x onerror="window.__pwned=1"> =cmd|calc awful'


class WordModel:
    """softmax(bias + sum of word logits): "great" pushes positive, "awful" negative, the rest nothing."""

    class_names = ("negative", "positive")
    name = "word-model"
    LOGITS: ClassVar[dict[str, float]] = {"great": 2.0, "good": 1.0, "awful": -2.5, "bad": -1.0}

    def predict_proba(self, texts):
        rows = []
        for text in texts:
            words = re.findall(r"\w+", text.lower())
            score = 0.2 + sum(self.LOGITS.get(w, 0.0) for w in words)
            rows.append([0.0, score])
        return softmax(np.asarray(rows), axis=1)


class TopicModel:
    """Three classes; each has its own keywords (for the all-classes frames)."""

    class_names = ("sport", "food", "tech")
    name = "topic-model"
    KEYS: ClassVar[dict[str, int]] = {"goal": 0, "match": 0, "pizza": 1, "cheese": 1, "laptop": 2, "code": 2}

    def predict_proba(self, texts):
        out = []
        for text in texts:
            logits = np.zeros(3)
            for w in re.findall(r"\w+", text.lower()):
                if w in self.KEYS:
                    logits[self.KEYS[w]] += 1.5
            out.append(logits)
        return softmax(np.asarray(out), axis=1)


@pytest.fixture(scope="module")
def fitted() -> TextExplainer:
    return TextExplainer(n_samples=400, random_state=0).fit("A great film , not awful at all , great cast", WordModel())


@pytest.fixture(scope="module")
def explanation(fitted: TextExplainer) -> Explanation:
    return fitted.explanation()


# --------------------------------------------------------------------------- examples


def test_examples_tell_the_stories_the_brief_asks_for() -> None:
    keys = {e.key for e in EXAMPLES}
    assert {"kidney-stones", "graphics-question", "bible-verse", "restaurant-review"} <= keys
    assert get_example("kidney-stones").text == KIDNEY_STONES
    assert KIDNEY_STONES.startswith("As I recall from my bout with kidney stones")
    assert "childbirth hurt less." in KIDNEY_STONES
    assert get_example("restaurant-review").text == (
        "The restaurant was amazing, the quality of their food was exceptional. The waiters were so polite."
    )
    left, right = (get_example(k).text for k in COMPARE_PAIR)
    assert " image" in left and " image," in right and left != right
    assert any(e.key in {"german-review", "french-review"} for e in EXAMPLES)
    assert all(e.story and e.title and e.model in {"20ng-svm", "sentiment"} for e in EXAMPLES)
    assert examples_for("sentiment")[0].model == "sentiment"
    with pytest.raises(KeyError, match="known"):
        get_example("nope")


def test_kidney_stones_is_the_20_newsgroups_test_post(newsgroups_archive) -> None:
    """The example is the sci.med test post that the 4-group test split starts with (headers removed)."""
    import tarfile

    wanted = " ".join(KIDNEY_STONES.split())
    with tarfile.open(newsgroups_archive, "r:gz") as tar:
        for member in tar:
            if member.isfile() and member.name.startswith("20news-bydate-test/sci.med/"):
                post = tar.extractfile(member).read().decode("latin-1")
                if "bout with kidney stones" in post:
                    assert wanted in " ".join(post.split())
                    return
    pytest.fail("the kidney-stones post is not in the sci.med test posts")


# --------------------------------------------------------------------------- verdict


def _m(score: float, kl: float, n: int = 500) -> FidelityMetrics:
    return FidelityMetrics(mean_KL_divergence=kl, score=score, n_heldout=n)


def test_verdict_rules_as_documented() -> None:
    assert judge(_m(0.99, 0.02), gap=0.01).level == "trust"
    assert judge(_m(TRUST_MIN_SCORE, TRUST_MAX_KL), gap=TRUST_MAX_GAP).level == "trust"  # bounds are inclusive
    assert judge(_m(0.94, 0.02), gap=0.01).level == "check"
    assert judge(_m(0.99, 0.2), gap=0.01).level == "check"
    assert judge(_m(0.99, 0.02), gap=0.2).level == "check"
    assert judge(_m(0.99, 0.02, n=MIN_HELDOUT - 1), gap=0.01).level == "check"  # too few checks to trust
    assert judge(_m(DISTRUST_MIN_SCORE - 0.01, 0.02), gap=0.01).level == "distrust"
    assert judge(_m(0.99, DISTRUST_MAX_KL + 0.01), gap=0.01).level == "distrust"
    assert judge(_m(0.99, 0.02), gap=DISTRUST_MAX_GAP + 0.01).level == "distrust"
    assert judge(_m(float("nan"), 0.02)).level == "distrust"
    bad = judge(_m(0.5, 0.9), gap=0.5)
    assert bad.title == "Do not trust" and len(bad.reasons) == 3
    assert judge(_m(0.99, 0.02)).title == "Trustworthy"


def test_verdict_of_an_explanation_uses_its_target(explanation: Explanation) -> None:
    verdict = judge_explanation(explanation)
    gap = abs(explanation.targets[0].probability - explanation.targets[0].surrogate_probability)
    assert verdict == judge(explanation.metrics, gap)
    assert verdict.level == "trust"  # a linear black box is fitted exactly


def test_every_number_has_one_plain_sentence() -> None:
    assert set(METRIC_HELP) == {"score", "close_agreement", "mean_KL_divergence", "gap", "n_heldout"}
    for sentence in METRIC_HELP.values():
        assert sentence.count(": ") >= 1 and sentence.endswith(".")
    assert "local" in LOCAL_CAVEAT and "near this text" in LOCAL_CAVEAT


# --------------------------------------------------------------------------- time left


def test_time_left_from_the_measured_rate() -> None:
    now = [100.0]
    estimate = TimeLeft(clock=lambda: now[0])
    assert estimate.message().startswith("Preparing")
    estimate.update(0, 1000)
    assert estimate.seconds_left() is None and "estimating" in estimate.message()
    now[0] += 2.0
    estimate.update(250, 1000)
    assert estimate.seconds_left() == pytest.approx(6.0)
    assert estimate.fraction == 0.25
    assert estimate.message() == "Model calls: 250 of 1,000 \u2013 about 6 s left"
    estimate.update(1000, 1000)
    assert estimate.seconds_left() == 0 and "fitting" in estimate.message()


def test_time_left_uses_a_prior_rate_before_the_first_batch_and_handles_no_calls() -> None:
    estimate = TimeLeft(prior_seconds_per_call=0.01, clock=lambda: 0.0)
    estimate.update(0, 3000)
    assert estimate.seconds_left() == pytest.approx(30.0)
    assert "about 30 s left" in estimate.message()
    cached = TimeLeft(clock=lambda: 0.0)
    cached.update(0, 0)
    assert cached.fraction == 1.0 and "no model calls" in cached.message()
    assert format_duration(0.3) == "less than a second"
    assert format_duration(125) == "about 2 min"
    assert format_duration(float("nan")) == "unknown"


def test_time_left_for_automatic_sampling_never_moves_back() -> None:
    now = [0.0]
    estimate = TimeLeft(clock=lambda: now[0], max_calls=5000)
    fractions = []
    for done, total in [(0, 500), (250, 500), (500, 500), (500, 1500), (1000, 1500), (1500, 1500)]:
        now[0] += 1.0
        estimate.update(done, total)
        fractions.append(estimate.fraction)
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(0.3)
    assert "at most 5,000 samples" in estimate.message() and "settled" in estimate.message()
    estimate.update(1000, 2000)
    message = estimate.message()  # 6 s in; 1,000 calls in the 5 s since the first: 4,000 left to the cap take 20 s
    assert "6 s so far" in message and "at most 20 s more" in message and "about" not in message


# --------------------------------------------------------------------------- frames


def test_probabilities_frame(explanation: Explanation) -> None:
    frame = probabilities_frame(explanation)
    assert list(frame["class"]) == ["negative", "positive"]
    assert frame["probability"].sum() == pytest.approx(1.0)
    assert frame.loc[frame["predicted"], "class"].item() == explanation.predicted_class == "positive"


def test_weights_frames_match_the_model(explanation: Explanation) -> None:
    target = explanation.targets[0]
    full = weights_frame(target)
    assert full["feature"].iloc[-1] == BIAS_FEATURE and full["direction"].iloc[-1] == "bias"
    weight = dict(zip(full["feature"], full["weight"], strict=True))
    assert weight["great"] == pytest.approx(2.0, abs=0.15)
    assert weight["awful"] == pytest.approx(-2.5, abs=0.15)
    assert abs(weight["film"]) < 0.05
    assert full.loc[full["feature"] == "great", "value"].item() == 2

    top = top_weights_frame(target, top=2)
    assert BIAS_FEATURE not in set(top["feature"])
    assert top["feature"].iloc[0] == "great" and top["feature"].iloc[-1] == "awful"
    assert list(top["order"]) == list(range(len(top)))
    assert set(top["direction"]) == {"for", "against"}
    assert max_abs_weight([target]) == pytest.approx(max(abs(w.weight) for w in target.weights))


def test_weights_frames_carry_the_intervals(explanation: Explanation) -> None:
    target = explanation.targets[0]
    top = top_weights_frame(target, top=3)
    by_name = {w.feature: w for w in target.weights}
    for row in top.itertuples():
        w = by_name[row.feature]
        assert (row.interval_low, row.interval_high) == pytest.approx(w.interval)
        assert row.std == pytest.approx(w.std)
        assert row.sign == ("certain" if w.sign_certain else "uncertain")
        assert row.range == f"{w.interval[0]:+.3f} to {w.interval[1]:+.3f}"
    full = weights_frame(target)
    assert full["sign_certain"].iloc[-1] is None  # <BIAS> has no interval
    assert set(full["sign_certain"].iloc[:-1]) <= {True, False}
    widest = max(max(abs(w.weight), abs(w.interval[0]), abs(w.interval[1])) for w in target.weights)
    assert max_abs_weight([target], intervals=True) == pytest.approx(widest)
    bare = dataclasses.replace(
        target, weights=tuple(dataclasses.replace(w, std=None, interval=None) for w in target.weights)
    )
    assert set(top_weights_frame(bare)["sign"]) == {"unknown"} and top_weights_frame(bare)["std"].isna().all()


def test_faithfulness_frames(fitted: TextExplainer) -> None:
    explainer = TextExplainer(n_samples=400, random_state=0, faithfulness=True)
    e = explainer.explain("A great film , not awful at all , great cast", WordModel())
    f = e.faithfulness
    table = faithfulness_frame(f).set_index("measure")
    assert list(table.index) == ["Comprehensiveness", "Sufficiency", "Deletion-curve AUC"]
    assert table.loc["Comprehensiveness", "explanation"] == pytest.approx(f.comprehensiveness)
    assert table.loc["Deletion-curve AUC", "random"] == pytest.approx(f.baselines["random"].auc)
    assert list(table["better"]) == ["higher", "lower", "lower"]
    curves = deletion_curve_frame(f)
    assert set(curves["ranking"]) == {"This explanation", "Random words", "Occlusion"}
    ours = curves[curves["ranking"] == "This explanation"]
    assert list(ours["words_removed"]) == [p.k for p in f.curve]
    assert ours["fraction_removed"].iloc[-1] == pytest.approx(1.0)


def test_another_class_without_model_calls() -> None:
    calls: list[int] = []

    class Counting(TopicModel):
        def predict_proba(self, texts):
            calls.append(len(texts))
            return super().predict_proba(texts)

    explainer = TextExplainer(n_samples=300, random_state=1, faithfulness=True).fit("goal match pizza", Counting())
    before = len(calls)
    other = explainer.explanation(targets="tech", faithfulness=False)
    assert len(calls) == before and other.faithfulness is None and other.stability.class_name == "tech"
    assert explainer.faithfulness is True  # the parameter is unchanged
    checked = explainer.explanation(targets="tech")
    assert checked.faithfulness is not None  # the explainer's own setting still applies (its texts may be cached)


def test_sampling_line_says_how_it_went(explanation: Explanation) -> None:
    assert sampling_line(explanation.sampling) == f"{explanation.n_samples:,} samples (fixed), " + (
        f"{explanation.n_model_calls:,} model calls made now"
    )
    auto = TextExplainer(n_samples="auto", max_samples=300, random_state=0).explain(
        "A great film , not awful at all , great cast", WordModel()
    )
    s = auto.sampling
    line = sampling_line(s)
    assert line.startswith(f"auto: {s.n_samples:,} samples in {s.rounds} round")
    assert f"{s.n_model_calls:,} model calls made now, stopped because {stop_reason(s)}" in line
    assert "cap of 300" in stop_reason(dataclasses.replace(s, stopped_because="sample cap reached"))


def test_all_classes_frames() -> None:
    explainer = TextExplainer(n_samples=300, random_state=1).fit("goal match pizza laptop code today", TopicModel())
    everything = explainer.explanation(targets="all")
    long = class_weights_frame(everything, top=4)
    assert set(long["class"]) == {"sport", "food", "tech"}
    assert long["feature"].nunique() == 4 and len(long) == 12
    assert "today" not in set(long["feature"])  # no effect, not among the strongest
    wide = class_weights_table(everything, top=6)
    assert list(wide.columns) == ["feature", "sport", "food", "tech"]
    assert wide.set_index("feature").loc["pizza"].idxmax() == "food"
    assert list(bias_frame(everything)["class"]) == ["sport", "food", "tech"]


def test_shared_words_frame(fitted: TextExplainer) -> None:
    other = TextExplainer(n_samples=300, random_state=0).explain("great food , awful service", WordModel())
    shared = shared_words_frame(fitted.explanation().targets[0], other.targets[0])
    assert set(shared["feature"]) == {"great", "awful"}
    assert (shared["difference"] == shared["right"] - shared["left"]).all()


def test_neighbourhood_frame_from_the_fitted_explainer(fitted: TextExplainer) -> None:
    frame = neighbourhood_frame(fitted.fit_result_, "positive", max_points=None)
    assert len(frame) == 400
    assert frame["original"].iloc[0] and frame["similarity"].iloc[0] == pytest.approx(1.0)
    assert frame["top_word"].iloc[0] == "great"
    assert set(frame["top_word_status"]) <= {"kept", "partly removed", "removed"}
    np.testing.assert_allclose(frame["model_probability"], fitted.proba_[:, 1])
    effect = top_word_effect(frame)
    assert effect["kept_mean"] > effect["removed_mean"]  # removing "great" lowers P(positive)
    assert len(neighbourhood_frame(fitted.fit_result_, "positive", max_points=50)) <= 50


# --------------------------------------------------------------------------- exports


@pytest.fixture(scope="module")
def hostile() -> Explanation:
    return TextExplainer(n_samples=200, random_state=0).explain(HOSTILE, WordModel())


def test_csv_export_is_parseable_and_neutralises_formulas(hostile: Explanation) -> None:
    text = to_csv(hostile)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["target"] for r in rows} == {hostile.targets[0].class_name}
    assert rows[-1]["feature"] == BIAS_FEATURE
    assert not any(r["feature"].startswith(("=", "+", "-", "@")) for r in rows)
    assert {"feature", "weight", "direction", "value", "contribution"} <= set(rows[0])


def test_the_csv_export_and_format_dataframe_share_one_set_of_column_names(explanation: Explanation) -> None:
    """The dashboard's CSV is lime_core's weights table under the same names, with a few columns added."""
    import pandas as pd

    from lime_core.formatters import format_dataframe
    from lime_core.formatters.dataframe import COLUMNS

    exported = pd.read_csv(io.StringIO(to_csv(explanation)))
    assert [c for c in exported.columns if c in COLUMNS] == list(COLUMNS)
    assert set(exported.columns) - set(COLUMNS) == {"model_probability", "surrogate_probability", "direction",
                                                    "sign_certain"}
    pd.testing.assert_frame_equal(exported[list(COLUMNS)], format_dataframe(explanation), check_dtype=False,
                                  rtol=1e-5)
    shown = weights_frame(explanation.targets[0])
    assert set(shown.columns) - {"direction", "sign_certain"} <= set(COLUMNS)  # the screen table: the same names


def test_the_request_estimate_bounds_what_the_faithfulness_check_sends() -> None:
    """The Remote API page's count comes from lime_core's bound, which holds on a real check."""
    from lime_core.trust.faithfulness import max_texts
    from ui.remote import faithfulness_texts

    text = "great food , awful service , great view , slow kitchen , friendly staff"
    explanation = TextExplainer(n_samples=300, random_state=0, faithfulness=True).explain(text, WordModel())
    report = explanation.faithfulness
    assert report is not None and 0 < report.n_model_calls <= max_texts(report.n_words)
    assert faithfulness_texts(text) >= max_texts(report.n_words)


def test_json_export_round_trips(hostile: Explanation) -> None:
    again = Explanation.from_json(to_json(hostile))
    assert again == hostile
    assert json.loads(to_json(hostile))["text"] == HOSTILE


def test_html_report_escapes_user_text_and_has_no_script(hostile: Explanation) -> None:
    page = html_report(hostile)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;" in page and "&gt;" in page
    assert HOSTILE in html.unescape(re.sub(r"<[^>]+>", "", page))  # the text reads back literally
    verdict = judge_trust(hostile)
    assert f"<strong>{verdict.title}.</strong>" in page  # the trust verdict, in the report's trust section
    assert 'class="lc-trust"' in page
    assert report_filename(hostile, "html") == f"lime-word-model-{hostile.predicted_class}.html"
    assert re.fullmatch(r"lime-[A-Za-z0-9._-]+\.csv", report_filename(hostile, "csv"))


def test_metrics_are_finite(explanation: Explanation) -> None:
    assert math.isfinite(explanation.metrics.score) and math.isfinite(explanation.metrics.mean_KL_divergence)
