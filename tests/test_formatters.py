"""Formatters on real explanations: TextExplainer run on small deterministic black boxes defined here."""

from __future__ import annotations

import dataclasses
import itertools
import re
from html import unescape
from typing import ClassVar

import numpy as np
import pytest

from lime_core import BIAS_FEATURE, Explanation, FeatureWeight, TargetExplanation, TextExplainer
from lime_core.explanation import StabilityReport, WordStability
from lime_core.formatters import (
    colour_for,
    default_scale,
    format_dataframe,
    format_html,
    format_text,
    format_weight,
    highlight_html,
    token_weights,
    top_features,
)
from lime_core.formatters.highlight import colour_intensity
from lime_core.formatters.trust import trust_summary
from lime_core.tokenization import word_tokenizer
from lime_core.verdict import judge_trust

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"


class WordLogit:
    """A logistic model whose score is a fixed sum over a few known words (case-insensitive)."""

    WEIGHTS: ClassVar[dict[str, float]] = {"excellent": 3.0, "good": 2.0, "bad": -2.0, "terrible": -3.0}

    def __init__(self, class_names: tuple[str, str] = ("negative", "positive"), name: str = "word-logit") -> None:
        self.class_names = class_names
        self.name = name

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        scores = np.array(
            [sum(self.WEIGHTS.get(w, 0.0) for w in re.findall(r"\w+", t.casefold())) for t in texts], dtype=float
        )
        p = 1.0 / (1.0 + np.exp(-scores))
        return np.column_stack([1.0 - p, p])


class ThreeTopics:
    """A softmax over three topics, each driven by one word."""

    class_names = ("sport", "music", "food")
    WORDS: ClassVar[dict[str, int]] = {"goal": 0, "guitar": 1, "pizza": 2}

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        logits = np.zeros((len(texts), 3))
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.casefold()):
                if w in self.WORDS:
                    logits[i, self.WORDS[w]] += 2.5
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


TEXT = "The food was good, really excellent.\nBut the service was terrible and the wine bad. Good night!"


@pytest.fixture(scope="module")
def explanation() -> Explanation:
    return TextExplainer(n_samples=600, random_state=0, bigrams=True).explain(TEXT, WordLogit(), targets="all")


@pytest.fixture(scope="module")
def plain() -> Explanation:
    """Without any trust report: the layout of the engine before intervals."""
    return TextExplainer(n_samples=600, random_state=0, bigrams=True, uncertainty=False, stability_refits=0).explain(
        TEXT, WordLogit(), targets="all"
    )


@pytest.fixture(scope="module")
def trusted() -> Explanation:
    """Every trust report: intervals, stability, faithfulness and automatic sampling (the dashboard's settings)."""
    return TextExplainer(n_samples="auto", max_samples=2000, faithfulness=True, random_state=0).explain(
        TEXT, WordLogit()
    )


@pytest.fixture(scope="module")
def hostile() -> Explanation:
    text = f"good {HOSTILE_SCRIPT} bad {HOSTILE_IMG} \" onmouseover=\"alert(2)\" excellent"
    model = WordLogit(class_names=("<b>neg</b>", HOSTILE_IMG), name=HOSTILE_SCRIPT)
    return TextExplainer(n_samples=200, random_state=1).explain(text, model, targets="all")


def word_colours(html: str) -> dict[str, list[str]]:
    """word text -> background colours of its highlighted occurrences."""
    found: dict[str, list[str]] = {}
    for colour, word in re.findall(r'<span class="lc-word" title="[^"]*" style="background-color:(#[0-9a-f]{6});'
                                   r'[^"]*">([^<]*)</span>', html):
        found.setdefault(unescape(word), []).append(colour)
    return found


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


# -- highlight: segments, colours, scales ----------------------------------------------------------------------------


def test_segments_cover_the_text_exactly_and_words_slice_back(explanation: Explanation) -> None:
    for target in explanation.targets:
        segments = token_weights(target, explanation.text)
        assert "".join(s.text for s in segments) == explanation.text
        assert segments[0].start == 0 and segments[-1].end == len(explanation.text)
        for a, b in itertools.pairwise(segments):
            assert a.end == b.start
        for s in segments:
            assert explanation.text[s.start : s.end] == s.text
        words = [(s.start, s.end, s.text) for s in segments if s.weight is not None]
        tokens = [(t.start, t.end, t.text) for t in word_tokenizer().tokenize(explanation.text)]
        assert words == tokens
        assert all(s.features for s in segments if s.weight is not None)
        assert all(s.features == () for s in segments if s.weight is None)


def test_word_weight_is_the_sum_of_unigram_and_half_bigram_weights() -> None:
    target = TargetExplanation(
        class_name="c",
        class_index=0,
        probability=0.5,
        surrogate_probability=0.5,
        bias=0.25,
        weights=(
            FeatureWeight("a b", 4.0, ((0, 3),)),
            FeatureWeight("b", 2.0, ((2, 3), (6, 7))),
            FeatureWeight("a", 1.0, ((0, 1),)),
            FeatureWeight("c", -1.5, ((4, 5),)),
        ),
    )
    segments = token_weights(target, "a b c b!")
    assert [(s.text, s.weight) for s in segments] == [
        ("a", 1.0 + 2.0),
        (" ", None),
        ("b", 2.0 + 2.0),
        (" ", None),
        ("c", -1.5),
        (" ", None),
        ("b", 2.0),
        ("!", None),
    ]
    assert set(segments[2].features) == {"a b", "b"}
    assert dict(segments[2].shares) == {"a b": 2.0, "b": 2.0}
    assert default_scale([target]) == 4.0


def test_spans_outside_the_text_are_refused(explanation: Explanation) -> None:
    with pytest.raises(ValueError, match="outside the text"):
        token_weights(explanation.targets[0], explanation.text[:10])


def test_colours_are_green_for_positive_red_for_negative_and_scale_with_weight() -> None:
    r, g, b = rgb(colour_for(1.0, 1.0))
    assert g > r and g > b
    r, g, b = rgb(colour_for(-1.0, 1.0))
    assert r > g and r > b
    assert colour_for(0.0, 1.0) == colour_for(None, 1.0) == "transparent"
    # weaker weights are closer to white; beyond the scale the colour is clipped to the full one
    assert sum(rgb(colour_for(0.2, 1.0))) > sum(rgb(colour_for(0.8, 1.0)))
    assert colour_for(5.0, 1.0) == colour_for(1.0, 1.0)
    assert colour_intensity(0.5, 2.0) == pytest.approx(0.25)
    # one shared scale: the same weight gets the same colour in two reports
    assert colour_for(0.3, 2.0) == colour_for(0.3, 2.0) != colour_for(0.3, 1.0)


def test_default_scale_is_shared_across_explanations(explanation: Explanation, hostile: Explanation) -> None:
    both = default_scale([*explanation.targets, *hostile.targets])
    assert both == max(default_scale(explanation), default_scale(hostile))


def test_top_features_rank_by_contribution_and_leave_bias_out(explanation: Explanation) -> None:
    target = explanation.target("positive")
    chosen = top_features(target, 4)
    shown = chosen.positive + chosen.negative
    assert len(shown) == 4
    assert BIAS_FEATURE not in {w.feature for w in shown}
    assert {w.feature for w in shown} == {"good", "excellent", "terrible", "bad"}
    assert [w.feature for w in chosen.positive] == ["good", "excellent"]  # "good" twice: 2 x weight
    assert chosen.negative[0].feature == "terrible"
    assert chosen.hidden_positive + chosen.hidden_negative == sum(1 for w in target.weights if w.contribution) - 4


# -- HTML ------------------------------------------------------------------------------------------------------------


def test_html_highlights_positive_words_green_and_negative_words_red(explanation: Explanation) -> None:
    html = highlight_html(explanation, "positive")
    colours = word_colours(html)
    for word in ("good", "excellent", "Good"):
        r, g, _ = rgb(colours[word][0])
        assert g > r, word
    for word in ("terrible", "bad"):
        r, g, _ = rgb(colours[word][0])
        assert r > g, word
    # for the other class the same words swap colours
    colours_neg = word_colours(highlight_html(explanation, explanation.target("negative")))
    r, g, _ = rgb(colours_neg["excellent"][0])
    assert r > g


def test_html_tooltips_carry_the_weights(explanation: Explanation) -> None:
    target = explanation.target("positive")
    html = format_html(explanation, targets="positive")
    titles = dict((unescape(w), unescape(t)) for t, w in re.findall(r'title="([^"]*)"[^>]*>([^<]*)</span>', html))
    by_text = {s.text: s for s in token_weights(target, explanation.text) if s.weight is not None}
    seg = by_text["terrible"]
    assert titles["terrible"].startswith(f"{format_weight(seg.weight)} against positive")
    assert "terrible: " in titles["terrible"]
    assert titles["excellent"].startswith(f"{format_weight(by_text['excellent'].weight)} towards positive")


def test_html_tooltips_show_std_and_interval_when_present(explanation: Explanation) -> None:
    target = explanation.target("positive")
    weights = tuple(
        dataclasses.replace(w, std=0.125, interval=(w.weight - 0.5, w.weight + 0.5)) if w.feature == "excellent" else w
        for w in target.weights
    )
    e = dataclasses.replace(explanation, targets=(dataclasses.replace(target, weights=weights),))
    html = highlight_html(e, "positive")
    title = unescape(re.search(r'title="([^"]*)"[^>]*>excellent<', html).group(1))
    assert "std 0.125" in title and "interval [" in title
    report = format_html(e)
    assert "std 0.125" in report


def test_html_report_contents(explanation: Explanation) -> None:
    html = format_html(explanation)
    assert "word-logit" in html
    assert "predicts" in html and explanation.predicted_class in html
    for p in explanation.probabilities:
        assert f"{100 * p:.1f}%" in html
    assert html.count('class="lc-target"') == 2
    assert "&lt;BIAS&gt;" in html
    assert format_weight(explanation.target("positive").bias) in html
    assert "green: towards" in html and "red: against" in html
    assert "mean KL divergence" in html and "score" in html
    assert f"{explanation.metrics.mean_KL_divergence:.4f}" in html
    assert "This explanation is local" in html
    assert 'class="lc-bar"' in html  # the diverging bars of the weights table
    assert "log-odds of this class against the other" in html
    assert not html.lstrip().startswith("<!DOCTYPE")


def test_html_lists_top_features_and_says_how_many_are_left_out(explanation: Explanation) -> None:
    html = format_html(explanation, targets=["positive"], top=3)
    rows = re.findall(r'<td class="lc-feature">([^<]*)<', html)
    assert rows[:2] == ["good", "excellent"]  # for, largest first
    assert rows[2] == "terrible"  # against
    assert rows[-1] == "&lt;BIAS&gt;"
    assert len(rows) == 4
    assert "more features towards" in html and "more features against" in html


def test_standalone_report_is_a_self_contained_document(explanation: Explanation) -> None:
    html = format_html(explanation, standalone=True)
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in html
    lowered = html.lower()
    for external in ("<script", "<link", "@import", "http://", "https://", "url("):
        assert external not in lowered


@pytest.mark.parametrize("render", ["fragment", "standalone", "highlight", "highlight-other"])
def test_hostile_text_and_names_are_escaped(hostile: Explanation, render: str) -> None:
    if render == "fragment":
        html = format_html(hostile)
    elif render == "standalone":
        html = format_html(hostile, standalone=True)
    elif render == "highlight":
        html = highlight_html(hostile, HOSTILE_IMG)
    else:
        html = highlight_html(hostile, "<b>neg</b>")
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<b>" not in lowered
    assert 'onmouseover="' not in lowered
    # "onerror=" may appear only inside the escaped text of the hostile tag
    assert "onerror=" not in lowered.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    if render in ("fragment", "standalone"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the model name, shown escaped
        assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the class name
    else:
        assert "&lt;" in html  # the text's angle brackets, escaped
    visible = unescape(re.sub(r"<[^>]+>", "", html))
    if render != "standalone":
        assert HOSTILE_SCRIPT.replace("<", "") in visible.replace("<", "")


def test_hostile_feature_names_from_json_are_escaped(explanation: Explanation) -> None:
    target = explanation.target("positive")
    evil = dataclasses.replace(target.weights[0], feature=HOSTILE_IMG)
    e = dataclasses.replace(explanation, targets=(dataclasses.replace(target, weights=(evil, *target.weights[1:])),))
    for html in (format_html(e), highlight_html(e, "positive")):
        assert "<img" not in html.lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in format_html(e)


def test_repr_html_and_json_round_trip(explanation: Explanation) -> None:
    assert explanation._repr_html_() == format_html(explanation)
    again = Explanation.from_json(explanation.to_json())
    assert format_html(again, standalone=True) == format_html(explanation, standalone=True)


def test_three_classes_and_target_selection() -> None:
    text = "We ate pizza after the goal, then played guitar."
    e = TextExplainer(n_samples=400, random_state=3).explain(text, ThreeTopics(), targets="all")
    html = format_html(e, targets=["music", "food"])
    assert html.count('class="lc-target"') == 2
    assert "against the average class" in html
    colours = word_colours(highlight_html(e, "music"))
    r, g, _ = rgb(colours["guitar"][0])
    assert g > r
    with pytest.raises(ValueError, match="not explained"):
        format_html(e, targets="jazz")
    with pytest.raises(ValueError, match="scale"):
        format_html(e, scale=0)


# -- text ------------------------------------------------------------------------------------------------------------


def test_text_report_lists_top_words_in_order(plain: Explanation) -> None:
    explanation = plain
    out = format_text(explanation, top=6)
    assert "Predicted class: positive" in out
    assert "word-logit" in out
    assert "mean KL divergence" in out and "score" in out
    block = out.split("y=positive")[1].split("\n\n")[0].splitlines()
    header, rows = block[1], [line for line in block[2:] if not line.startswith("…")]
    assert header.split() == ["Contribution", "Feature"]
    features = [line.split(None, 1)[1] for line in rows]
    contributions = [float(line.split()[0]) for line in rows]
    assert contributions == sorted(contributions, reverse=True)
    assert features[0] == "good  (×2)"
    assert features[1] == "excellent"
    assert features[-1] == "terrible"
    assert BIAS_FEATURE in features
    # numbers are right-aligned in one column
    ends = {line.index(line.split()[0]) + len(line.split()[0]) for line in [header, *rows]}
    assert len(ends) == 1
    assert any(line.startswith("…") and "more" in line for line in block)
    assert "local" in out


def test_text_report_shows_std_column_when_present(explanation: Explanation) -> None:
    target = explanation.target("positive")
    weights = tuple(dataclasses.replace(w, std=0.05) for w in target.weights)
    e = dataclasses.replace(explanation, targets=(dataclasses.replace(target, weights=weights),))
    out = format_text(e, top=3)
    assert "± 0.050" in out
    assert out.split("y=positive")[1].splitlines()[1].split() == ["Contribution", "Std", "Feature"]


# -- DataFrame -------------------------------------------------------------------------------------------------------


def test_dataframe_has_one_row_per_target_and_feature_plus_bias(explanation: Explanation) -> None:
    df = format_dataframe(explanation)
    assert list(df.columns) == [
        "target",
        "feature",
        "weight",
        "value",
        "contribution",
        "std",
        "interval_low",
        "interval_high",
        "n_occurrences",
    ]
    assert len(df) == sum(len(t.weights) + 1 for t in explanation.targets)
    bias = df[df.feature == BIAS_FEATURE]
    assert list(bias.target) == ["negative", "positive"]
    assert bias.set_index("target").weight["positive"] == pytest.approx(explanation.target("positive").bias)
    good = df[(df.target == "positive") & (df.feature == "good")].iloc[0]
    assert good.n_occurrences == 2 and good.value == 2.0
    assert good.contribution == pytest.approx(good.weight * 2)
    words = df[df.feature != BIAS_FEATURE]
    assert df["std"].isna().tolist() == (df.feature == BIAS_FEATURE).tolist()  # every word has a std, <BIAS> none
    assert (words.interval_low <= words.weight).all() and (words.weight <= words.interval_high).all()
    assert str(df.n_occurrences.dtype) == "int64"
    assert format_dataframe(dataclasses.replace(explanation, targets=()))["std"].empty


def test_tiny_weights_are_not_printed_as_zero() -> None:
    assert format_weight(-2.8e-4) == "-2.8e-04"
    assert format_weight(0.0) == "+0.000"
    assert format_weight(1.23456) == "+1.235"
    assert format_weight(0.5, signed=False) == "0.500"


# -- trust: the verdict, its reasons and the figures in every format -------------------------------------------------


def test_html_trust_section_has_the_verdict_reasons_and_figures(trusted: Explanation) -> None:
    verdict = judge_trust(trusted)
    summary = trust_summary(trusted)
    for html in (format_html(trusted), format_html(trusted, standalone=True)):
        trust = html.split('<section class="lc-trust">')[1].split("</section>")[0]
        assert f"<strong>{verdict.title}.</strong>" in trust and verdict.summary.replace("’", "’") in unescape(trust)
        items = [unescape(i) for i in re.findall(r"<li>(.*?)</li>", trust, flags=re.S)]
        assert items == list(verdict.reasons)
        for check in verdict.checks:
            assert f'lc-is-{check.level}"><span class="lc-dot"></span>{check.title}<' in trust
        s, f, sampling = trusted.stability, trusted.faithfulness, trusted.sampling
        assert f"top-{s.k} agreement {s.top_k_jaccard:.0%} over {s.n_refits} refits" in trust
        for scores in (f.scores, f.baselines["random"], f.baselines["occlusion"]):
            for value in (scores.comprehensiveness, scores.sufficiency, scores.auc):
                assert f"<td class=\"lc-num\">{value:.3f}</td>" in trust
        assert trust.count("<polyline") == 3  # the deletion curves: ours, random, occlusion
        assert f"Auto: {sampling.n_samples:,} samples in {sampling.rounds} round" in trust
        assert f"{sampling.n_model_calls:,} model calls" in trust
        assert unescape(summary.verdict.title) in html.split('class="lc-target"')[0]  # the verdict in the header
        assert "This explanation is local" in html
    lowered = format_html(trusted, standalone=True).lower()
    for external in ("<script", "<link", "@import", "http://", "https://", "url("):
        assert external not in lowered


def test_html_weights_show_error_ranges_and_mark_uncertain_signs(trusted: Explanation) -> None:
    target = trusted.targets[0]
    shown = top_features(target, 20)
    rows = shown.positive + shown.negative
    html = format_html(trusted)
    assert html.count('class="lc-range"') == len(rows)  # an error range on every bar
    uncertain = [w for w in rows if w.sign_certain is False]
    assert html.count('class="lc-badge"') == len(uncertain)
    for w in uncertain:
        assert re.search(rf">{re.escape(w.feature)}<span class=\"lc-badge\"[^>]*>sign uncertain<", html)
    # and in the tooltips of the highlighted text
    bad = next(w for w in target.weights if w.feature == "bad")
    title = unescape(re.search(r'title="([^"]*)"[^>]*>bad<', html).group(1))
    assert f"interval [{format_weight(bad.interval[0])}, {format_weight(bad.interval[1])}]" in title


def test_text_report_has_a_short_trust_block(trusted: Explanation) -> None:
    out = format_text(trusted)
    verdict = judge_trust(trusted)
    block = out.split("Trust: ")[1]
    assert block.startswith(f"{verdict.title}. {verdict.summary}")
    for reason in verdict.reasons:
        assert f"  \u2022 {reason}" in block
    assert f"top-{trusted.stability.k} agreement {trusted.stability.top_k_jaccard:.0%}" in block
    assert f"lowers P(positive) by {trusted.faithfulness.comprehensiveness:.2f}" in block
    assert f"Sampling: auto: {trusted.sampling.n_samples:,} samples" in block
    assert len(block.split("\n\n")[0].splitlines()) <= 8 + len(verdict.reasons)  # short


def test_a_plain_explanation_gets_a_fidelity_only_trust_section(plain: Explanation) -> None:
    html = format_html(plain)
    assert 'class="lc-range"' not in html and 'class="lc-badge"' not in html  # no intervals, nothing to mark
    trust = html.split('<section class="lc-trust">')[1]
    assert "Fidelity" in trust and "Stability" not in trust and "Not measured" in trust
    assert "Trust for negative: " in format_text(plain) and "Figures" in format_text(plain)


def test_hostile_words_and_names_in_the_trust_section_are_escaped(hostile: Explanation) -> None:
    target = hostile.targets[0]
    evil = WordStability(feature=HOSTILE_IMG, in_top_k=0.4, sign_flips=0.2, reported_rank=2)
    stability = StabilityReport(
        class_name=target.class_name, k=5, n_refits=5, top_k_jaccard=0.5, level="low", warning=True,
        top_k=(HOSTILE_IMG,), words=(evil,), method="test",
    )  # fmt: skip
    weights = (dataclasses.replace(target.weights[0], feature=HOSTILE_IMG, interval=(-1.0, 1.0), std=0.5),
               *target.weights[1:])  # fmt: skip
    e = dataclasses.replace(
        hostile, stability=stability, targets=(dataclasses.replace(target, weights=weights),)
    )
    verdict = judge_trust(e)
    assert any(HOSTILE_IMG in r for r in verdict.reasons)  # the verdict names the word...
    for html in (format_html(e), format_html(e, standalone=True)):
        lowered = html.lower()
        assert "<img" not in lowered and "<script" not in lowered and "<b>" not in lowered
        trust = html.split('<section class="lc-trust">')[1]
        assert "&lt;img src=x onerror=alert(1)&gt;" in trust  # ...and it is shown, escaped
        assert 'class="lc-warning"' in trust  # the stability warning
    assert HOSTILE_IMG in format_text(e)  # plain text is plain
