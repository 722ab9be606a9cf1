"""Every dashboard page through Streamlit's AppTest: type, press, and check what is shown.

The app runs with the real bundled models: the 20 Newsgroups pipeline (cached
in ``LIME_CACHE_DIR``, trained from the local archive on first use) and the
sentiment model, which is the stand-in checkpoint from ``../shared`` when it is
there and otherwise a tiny randomly initialised BERT built by conftest (a real
transformer with the product's star labels). The Remote API page talks to the
app's own in-process model server over HTTP. Sample counts are small (300).
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("streamlit")

import streamlit as st
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from dashboard import report
from dashboard.examples import COMPARE_CLASS, COMPARE_MODEL, KIDNEY_STONES, get_example
from lime_core.verdict import judge_trust
from lime_core.wording import TITLES
from tests.conftest import REPO_ROOT
from ui import saved as saved_ui

APP = REPO_ROOT / "app.py"
TIMEOUT = 180
SAMPLES = 300
SECRET = "sk-live-TOPSECRET-0123456789"
HOSTILE = '<script>window.__pwned=1</script> kidney <img src=x onerror="window.__pwned=1"> pain'
VERDICT_ICON = ":material/dangerous:"  # the icon of a "Do not trust" verdict box (an st.error that is no error)


@pytest.fixture(scope="module", autouse=True)
def app_env(
    newsgroups_archive: Path, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Point the app at the offline assets; sentiment = stand-in checkpoint, else a tiny real BERT."""
    sentiment = os.environ.get("LIME_SENTIMENT_MODEL", "").strip()
    fallback = REPO_ROOT.parent / "shared" / "models" / "minilm-rt-sentiment"
    if not (sentiment and (Path(sentiment) / "config.json").is_file()):
        if (fallback / "config.json").is_file():
            sentiment = str(fallback)
        else:  # no stand-in: a small real BERT with the product's star labels (tests/conftest.py)
            sentiment = str(request.getfixturevalue("tiny_bert_dir"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIME_20NG_ARCHIVE", str(newsgroups_archive))
        mp.setenv("LIME_SENTIMENT_MODEL", sentiment)
        mp.setenv("LIME_CACHE_DIR", os.environ.get("LIME_CACHE_DIR") or str(REPO_ROOT / ".cache" / "lime_core"))
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("LIME_SENTIMENT_LANGUAGES", "en")  # the stand-in (and the tiny test BERT) read English
        mp.setenv("LIME_SAVED_DB", str(tmp_path_factory.mktemp("saved") / "saved.sqlite3"))
        mp.delenv("LIME_API_URL", raising=False)
        mp.delenv("LIME_API_TOKEN", raising=False)
        st.cache_data.clear()  # the model catalogue is cached for 30 s; start from this environment
        yield
    st.cache_data.clear()


# --------------------------------------------------------------------------- helpers


def start(samples: int | None = SAMPLES, cap: int | None = None) -> AppTest:
    """The app, with a fixed small sample count (default) or automatic sampling up to ``cap`` samples."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert at.radio(key="sidebar.samples_mode").value == "auto"  # the dashboard's default
    if samples is not None:
        at.radio(key="sidebar.samples_mode").set_value("fixed").run()
        at.number_input(key="sidebar.n_samples").set_value(samples)
    elif cap is not None:
        at.number_input(key="sidebar.max_samples").set_value(cap)
    return at


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    return at


def press(at: AppTest, label: str, key: str | None = None) -> AppTest:
    buttons = [b for b in at.button if b.label == label and (key is None or b.key == key)]
    assert buttons, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    buttons[0].click().run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    return at


def charts(at: AppTest) -> list[tuple[dict, list[pd.DataFrame]]]:
    """Each altair chart's Vega-Lite spec and its data frames."""
    out = []
    for node in at.get("vega_lite_chart"):
        frames = [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in node.proto.datasets]
        out.append((json.loads(node.proto.spec), frames))
    return out


def chart_with(at: AppTest, *columns: str) -> tuple[dict, pd.DataFrame]:
    """The first chart whose data has these columns, with all its layers' rows that have them."""
    for spec, frames in charts(at):
        matching = [frame for frame in frames if set(columns) <= set(frame.columns)]
        if matching:
            return spec, pd.concat(matching, ignore_index=True)
    raise AssertionError(f"no chart with columns {columns}")


def highlights(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.html if 'class="lc-highlight"' in h.proto.body]


def visible_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "success", "info") for e in at.get(kind)]
    parts += [m.label + " " + str(m.value) for m in at.metric]
    parts += [h.proto.body for h in at.html]
    return "\n".join(str(p) for p in parts)


def errors(at: AppTest) -> list[str]:
    """The error messages as a user reads them (markdown escapes removed); a "Do not trust" verdict is not one."""
    return [unescaped(e.value) for e in at.error if e.icon != VERDICT_ICON]


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def weights_table(at: AppTest) -> pd.DataFrame:
    """The "All weights" table."""
    return next(d.value for d in at.dataframe if "feature" in d.value.columns)


def unescaped(text: str) -> str:
    """Markdown as a reader sees it: backslash escapes removed, character references decoded."""
    return html.unescape(re.sub(r"\\(.)", r"\1", text)).replace("\u2060", "")


def verdict_box(at: AppTest):
    """The trust verdict's box (an st.success, st.warning or st.error whose text starts with the title)."""
    boxes = [b for kind in ("success", "warning", "error") for b in at.get(kind)
             if any(b.value.startswith(f"**{title}.**") for title in TITLES.values())]
    assert len(boxes) == 1, [b.value for b in boxes]
    return boxes[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def newsgroups_calls() -> Iterator[list[int]]:
    """Counts the texts the app's cached 20 Newsgroups model is asked about."""
    from ui import models

    model, error = models.get_model("20ng-svm")
    assert model is not None, error
    calls: list[int] = []
    original = model.predict_proba

    def counting(texts):
        calls.append(len(texts))
        return original(texts)

    model.predict_proba = counting
    yield calls
    del model.predict_proba


# --------------------------------------------------------------------------- Explain


def test_home_is_explain_with_sidebar_models_and_settings() -> None:
    at = start()
    assert at.title[0].value == "Explain a prediction"
    assert at.selectbox(key="sidebar.model").value == "20ng-svm"
    assert set(at.selectbox(key="sidebar.model").options) >= {"20 Newsgroups topic classifier"}
    assert at.selectbox(key="sidebar.sampler").value == "mixture"
    assert at.text_area(key="explain.text").value == KIDNEY_STONES
    assert not highlights(at)  # nothing computed yet


def test_explain_shows_highlights_metrics_and_charts(newsgroups_calls: list[int]) -> None:
    from ui import models

    models.prediction_cache().clear()  # so this run must ask the model
    at = start()
    before = sum(newsgroups_calls)
    press(at, "Explain")
    assert not errors(at)
    result = at.session_state["explain.result"]
    explanation = result.explanation()
    assert explanation.predicted_class == "sci.med"
    assert 0 < result.n_model_calls <= SAMPLES  # one call per distinct variation, at most
    assert result.n_check_calls == explanation.faithfulness.n_model_calls > 0
    assert sum(newsgroups_calls) - before == result.n_model_calls + result.n_check_calls  # nothing else asked

    (fragment,) = highlights(at)
    assert plain(fragment) == KIDNEY_STONES  # the whole text, exactly
    pain = re.search(r'<span class="lc-word" title="([^"]*)"[^>]*>pain</span>', fragment)
    assert pain and "towards sci.med" in pain.group(1)  # weight on hover
    assert "background-color:#" in fragment  # coloured words
    assert "pushes towards the class" in visible_text(at)  # the legend

    shown = metrics(at)
    assert shown["Held-out samples"] == f"{explanation.metrics.n_heldout:,}"
    assert shown["Agreement"] == f"{100 * explanation.metrics.close_agreement:.1f}%"  # the verdict's agreement
    assert float(shown["KL divergence"]) == pytest.approx(explanation.metrics.mean_KL_divergence, abs=1e-3)
    verdict = judge_trust(explanation)
    assert f"**{verdict.title}.**" in visible_text(at)
    assert "This explanation is local" in visible_text(at)

    _, probabilities = chart_with(at, "class", "probability")
    assert probabilities["probability"].sum() == pytest.approx(1.0)
    assert probabilities.set_index("class")["probability"].idxmax() == "sci.med"
    _, weights = chart_with(at, "feature", "weight", "direction")
    assert "<BIAS>" not in set(weights["feature"])
    by_word = weights.set_index("feature")["weight"]
    assert by_word["pain"] > 0 and set(weights["direction"]) <= {"for", "against"}
    assert (weights[weights["direction"] == "for"]["weight"] > 0).all()
    assert "<BIAS>" in visible_text(at)  # shown apart, as a caption
    table = weights_table(at)
    assert table["feature"].iloc[-1] == "<BIAS>" and len(table) == len(explanation.targets[0].weights) + 1
    assert {"std", "interval_low", "interval_high", "sign_certain"} <= set(table.columns)
    assert [b.label for b in at.get("download_button")] == ["HTML report", "JSON", "CSV (weights)"]


def test_trust_panel_shows_the_verdict_and_figures_of_the_explanation() -> None:
    at = start()
    press(at, "Explain")
    explanation = at.session_state["explain.result"].explanation()
    target = explanation.targets[0]
    verdict = judge_trust(explanation, target)
    assert explanation.stability is not None and explanation.faithfulness is not None  # the dashboard's defaults

    # One verdict, with its reasons as bullets, beside the weights chart.
    box = verdict_box(at)
    shown = unescaped(box.value)
    assert shown.startswith(f"**{verdict.title}.** {verdict.summary}")
    bullets = [line[2:] for line in shown.splitlines() if line.startswith("- ")]
    assert [b.lower() for b in bullets] == [r.lower() for r in verdict.reasons]
    assert {"trust": "success", "check": "warning", "distrust": "error"}[verdict.level] == box.type
    checklist = unescaped(visible_text(at))
    for check in verdict.checks:
        assert f"**{check.title}** \u00b7" in checklist

    # The figures, each matching the explanation in session state.
    m = explanation.metrics
    shown_metrics = metrics(at)
    assert shown_metrics["Agreement"] == f"{100 * m.close_agreement:.1f}%"
    assert shown_metrics["KL divergence"] == f"{m.mean_KL_divergence:.3f}"
    stability = explanation.stability
    assert shown_metrics[f"Top-{stability.k} agreement"] == f"{stability.top_k_jaccard:.0%}"
    assert shown_metrics["Refits"] == str(stability.n_refits)
    assert shown_metrics["Expected with unlimited samples"] == f"{stability.expected_jaccard:.0%}"
    warned = any("agree across re-runs" in unescaped(w.value) for w in at.warning)
    assert warned == stability.warning  # a visible warning exactly when the top words move
    for word in stability.dropped[:3]:
        assert f"\u201c{word}\u201d" in checklist

    top = target.top(stability.k)
    uncertain = [w.feature for w in top if w.sign_certain is False]
    assert shown_metrics["Top words with a certain sign"] == f"{len(top) - len(uncertain)} of {len(top)}"
    for word in uncertain:
        assert f"\u201c{word}\u201d" in checklist  # named

    faithfulness = explanation.faithfulness
    table = next(d.value for d in at.dataframe if "measure" in d.value.columns).set_index("measure")
    assert table.loc["Comprehensiveness", "explanation"] == pytest.approx(faithfulness.comprehensiveness)
    assert table.loc["Sufficiency", "random"] == pytest.approx(faithfulness.baselines["random"].sufficiency)
    assert table.loc["Deletion-curve AUC", "occlusion"] == pytest.approx(faithfulness.baselines["occlusion"].auc)
    _, curves = chart_with(at, "ranking", "words_removed", "probability")
    assert set(curves["ranking"]) == {"This explanation", "Random words", "Occlusion"}
    ours = curves[curves["ranking"] == "This explanation"]["probability"].tolist()
    assert ours == pytest.approx([p.probability for p in faithfulness.curve])

    sampling = explanation.sampling
    assert sampling.mode == "fixed" and sampling.n_samples == SAMPLES
    assert shown_metrics["Samples"] == f"{SAMPLES:,}" and shown_metrics["Model calls"] == f"{sampling.n_model_calls:,}"
    assert "This explanation is local" in visible_text(at)  # the caveat stays
    assert verdict.title in report.html_report(explanation)  # the download says the same


def test_weights_chart_has_error_bars_and_marks_uncertain_signs() -> None:
    at = start()
    press(at, "Explain")
    target = at.session_state["explain.result"].explanation().targets[0]
    spec, frame = chart_with(at, "feature", "weight", "interval_low", "interval_high", "sign")
    by_name = {w.feature: w for w in target.weights}
    for row in frame.itertuples():
        w = by_name[row.feature]
        assert (row.interval_low, row.interval_high) == pytest.approx(w.interval)
        assert row.sign == ("certain" if w.sign_certain else "uncertain")
    assert "uncertain" in set(frame["sign"])  # 300 samples leave some small words unsettled
    encodings = [layer.get("encoding", {}) for layer in spec["layer"]]
    assert any(e.get("x2", {}).get("field") == "interval_high" for e in encodings)  # the error bars
    assert any(e.get("opacity", {}).get("field") == "sign" for e in encodings)  # lighter uncertain bars
    notes = [c.value for c in at.caption if c.value.startswith("Error bars")]
    assert notes and "direction is uncertain" in notes[0]


def test_auto_sampling_is_the_default_and_reports_rounds_and_model_calls(newsgroups_calls: list[int]) -> None:
    at = start(samples=None, cap=600)
    assert at.number_input(key="sidebar.max_samples").value == 600
    press(at, "Explain")
    result = at.session_state["explain.result"]
    sampling = result.explanation().sampling
    assert sampling.mode == "auto" and sampling.max_samples == 600
    assert 1 <= sampling.rounds == len(sampling.history) and sampling.n_samples <= 600
    line = unescaped(next(c.value for c in at.caption if "model calls" in c.value and "seed" in c.value))
    plural = "s" if sampling.rounds != 1 else ""
    assert line.startswith(
        f"auto: {sampling.n_samples:,} samples in {sampling.rounds} round{plural}, "
        f"{sampling.n_model_calls:,} model calls made now"
    )
    assert ", stopped because " in line
    shown = metrics(at)
    assert shown["Rounds"] == str(sampling.rounds) and shown["Model calls"] == f"{sampling.n_model_calls:,}"
    assert "Stopped because" in visible_text(at)


def test_another_class_is_explained_without_model_calls(newsgroups_calls: list[int]) -> None:
    at = start()
    press(at, "Explain")
    first = at.session_state["explain.result"]
    calls = sum(newsgroups_calls)
    at.selectbox(key="explain.class").set_value("comp.graphics").run()
    assert not at.exception
    assert sum(newsgroups_calls) == calls  # no model call
    assert at.session_state["explain.result"] is first
    assert "Explaining **comp\\.graphics**" in visible_text(at)
    assert "no new model calls" in visible_text(at)
    pain = re.search(r'title="([^"]*)"[^>]*>pain<', highlights(at)[0])
    assert pain and "comp.graphics" in pain.group(1)
    _, weights = chart_with(at, "feature", "weight", "direction")
    assert weights.set_index("feature")["weight"]["pain"] < 0  # pain argues against graphics

    # The trust panel follows the class: its own stability, and faithfulness only on request (model calls).
    other = first.explanation("comp.graphics")
    assert other.stability.class_name == "comp.graphics" and other.faithfulness is None
    assert "Measured for “sci\\.med” only" in visible_text(at)
    press(at, "Check faithfulness for “comp\\.graphics”")
    assert sum(newsgroups_calls) > calls  # this asks the model
    checked = first.explanation("comp.graphics")
    assert checked.faithfulness is not None and checked.faithfulness.class_name == "comp.graphics"
    table = next(d.value for d in at.dataframe if "measure" in d.value.columns).set_index("measure")
    assert table.loc["Comprehensiveness", "explanation"] == pytest.approx(checked.faithfulness.comprehensiveness)


def test_user_errors_are_messages_and_the_result_stays(newsgroups_calls: list[int]) -> None:
    at = start()
    press(at, "Explain")
    assert highlights(at)
    calls = sum(newsgroups_calls)

    at.text_area(key="explain.text").set_value("   ")
    press(at, "Explain")
    assert "empty" in errors(at)[0].lower()
    assert highlights(at), "the previous explanation stays on screen"

    at.text_area(key="explain.text").set_value("word " * 40_001)  # 200,005 characters (the limit was once 20,000)
    press(at, "Explain")
    assert "200,005 characters" in errors(at)[0].lower() and "200,000" in errors(at)[0].lower()
    assert highlights(at)
    assert sum(newsgroups_calls) == calls  # refused before any model call
    assert "too long" in visible_text(at)


def test_an_unavailable_model_is_explained_and_the_others_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIME_SENTIMENT_MODEL", str(REPO_ROOT / "no-such-model-dir"))
    st.cache_data.clear()
    try:
        at = start()
        assert "(unavailable)" in at.selectbox(key="sidebar.model").format_func("sentiment")
        at.selectbox(key="sidebar.model").set_value("sentiment").run()
        assert any("Not available" in w.value for w in at.sidebar.warning)
        press(at, "Explain")
        assert "not available" in errors(at)[0].lower() and "lime_sentiment_model" in errors(at)[0].lower()
        assert not highlights(at)
        at.selectbox(key="sidebar.model").set_value("20ng-svm").run()
        press(at, "Explain")
        assert not errors(at) and highlights(at)
    finally:
        monkeypatch.undo()
        st.cache_data.clear()


def test_examples_load_text_and_model_and_the_transformer_is_explained() -> None:
    at = start()
    at.selectbox(key="explain.example").set_value("restaurant-review").run()
    review = get_example("restaurant-review").text
    assert at.text_area(key="explain.text").value == review
    assert at.selectbox(key="sidebar.model").value == "sentiment"
    press(at, "Explain")
    assert not errors(at), errors(at)
    result = at.session_state["explain.result"]
    assert result.model_name == "sentiment"
    (fragment,) = highlights(at)
    assert plain(fragment) == review
    names = result.class_names
    _, probabilities = chart_with(at, "class", "probability")
    assert list(probabilities["class"]) == names
    assert "Agreement" in metrics(at)


def test_hostile_text_is_escaped() -> None:
    at = start()
    at.text_area(key="explain.text").set_value(HOSTILE)
    press(at, "Explain")
    (fragment,) = highlights(at)
    assert "<script" not in fragment.lower() and "<img" not in fragment.lower()
    assert plain(fragment) == HOSTILE
    # The trust panel names words of this text (verdict reasons, moving words, uncertain signs): as text only.
    texts = [e.value for kind in ("markdown", "caption", "error", "warning", "success", "info") for e in at.get(kind)]
    # Which of its words the panel names depends on the model (20ng-svm's probabilities changed once already).
    hostile_words = ("pwned", "onerror", "window", "script", "img", "src")
    assert any(f"\u201c{w}\u201d" in t for t in texts for w in hostile_words)
    assert not any("<script" in t.lower() or "<img" in t.lower() for t in texts)


# --------------------------------------------------------------------------- Compare


def test_compare_default_story_same_class_both_sides_same_word_other_weight() -> None:
    """The default pair tells its story on the model that is here: "image", for comp.graphics on both sides."""
    at = goto(start(), "compare")
    assert at.title[0].value == "Compare two explanations"
    assert at.selectbox(key="compare.both.model").value == COMPARE_MODEL
    press(at, "Explain both")
    assert not errors(at), errors(at)
    pair = at.session_state["compare.results"]
    assert "image" in pair["left"].text and "image" in pair["right"].text
    left, right = highlights(at)
    assert "image" in plain(left) and "image" in plain(right)
    # Like with like: the class picker starts on one class for both sides, and both headlines explain it.
    assert at.selectbox(key="compare.class").value == COMPARE_CLASS == "comp.graphics"
    assert pair["left"].predicted_class == COMPARE_CLASS != pair["right"].predicted_class
    assert f"Explaining **{COMPARE_CLASS.replace('.', chr(92) + '.')}**" in visible_text(at)  # the right side
    targets = [r.explanation(COMPARE_CLASS).targets[0] for r in (pair["left"], pair["right"])]
    weights = [{w.feature: w.weight for w in t.weights} for t in targets]
    assert weights[0]["image"] > 0 and weights[1]["image"] > weights[0]["image"] + 1.0  # the same word, weighed apart
    legends = [h.proto.body for h in at.html if "lime-legend" in h.proto.body]
    assert len(legends) == 2 and plain(legends[0]) == plain(legends[1])  # the same scale on both sides
    domains = [spec["layer"][0]["encoding"]["x"]["scale"]["domain"] for spec, frames in charts(at)
               if frames and "direction" in frames[0].columns]
    assert len(domains) == 2 and domains[0] == domains[1]
    shared = next(d.value for d in at.dataframe if "difference" in d.value)
    assert {"image", "colours"} <= set(shared["feature"])
    row = shared.set_index("feature").loc["image"]
    assert row["right"] - row["left"] == pytest.approx(weights[1]["image"] - weights[0]["image"])

    at.selectbox(key="compare.class").set_value("sci.med").run()
    assert "Explaining **sci\\.med**" in visible_text(at)  # any other class, still the same on both sides


def test_compare_one_text_on_two_models() -> None:
    at = goto(start(), "compare")
    at.segmented_control(key="compare.mode").set_value("One text, two models").run()
    assert at.selectbox(key="compare.left.model").value == "20ng-svm"
    assert at.selectbox(key="compare.right.model").value == "sentiment"
    press(at, "Explain both")
    assert not errors(at), errors(at)
    pair = at.session_state["compare.results"]
    assert pair["left"].text == pair["right"].text
    assert {pair["left"].model_name, pair["right"].model_name} == {"20ng-svm", "sentiment"}
    assert len(highlights(at)) == 2
    assert "Two models can rely on different words" in visible_text(at)


def test_a_pair_kept_by_stop_is_marked_and_on_the_scale_of_what_is_shown() -> None:
    """Stop on the Compare page keeps what the pair shows (dashboard.pair.LivePair.kept_on_stop, run by the button's
    callback before the page's next run; the click itself is tested in Chromium, tests/e2e/test_compare_live.py):
    here the kept pair as the page then draws it. A side kept from a round says so in its heading, a note over the
    pair says the comparison was stopped early, and both sides share one colour scale over what is shown."""
    from lime_core.explanation import STOP_EARLY, STOP_INTERIM

    at = goto(start(samples=None, cap=1000), "compare")  # automatic sampling: rounds, and a Stop to keep one
    press(at, "Explain both")
    pair = at.session_state["compare.results"]
    right = pair["right"]
    interim = dataclasses.replace(right.fit.sampling, stopped_because=STOP_INTERIM)  # a round's fit, as drawn
    a_round = dataclasses.replace(right, fit=dataclasses.replace(right.fit, sampling=interim))
    at.session_state["compare.results"] = {"left": pair["left"], "right": a_round.kept_early()}  # what Stop keeps
    at.run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert [h.value for h in at.subheader] == ["Left", "Right (stopped early)"]
    assert any("The comparison was stopped early." in w.value and "Right is the latest round" in w.value
               for w in at.warning)  # fmt: skip
    assert at.session_state["compare.results"]["right"].fit.sampling.stopped_because == STOP_EARLY
    assert "stopped early on request" in visible_text(at)  # the right side's results line
    legends = [h.proto.body for h in at.html if "lime-legend" in h.proto.body]
    assert len(legends) == 2 and plain(legends[0]) == plain(legends[1])
    assert any("difference" in d.value for d in at.dataframe)  # both sides are there: the words they share

    at.session_state["compare.results"] = {"left": a_round.kept_early()}  # Stop before the right side began
    at.run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert [h.value for h in at.subheader] == ["Left (stopped early)", "Right (not explained)"]
    assert any("Stop was pressed before this side began" in i.value for i in at.info)
    assert len(highlights(at)) == 1 and not any("difference" in d.value for d in at.dataframe)


# --------------------------------------------------------------------------- Local model


def test_local_model_shows_every_class() -> None:
    at = goto(start(), "local_model")
    assert at.title[0].value == "The local model"
    press(at, "Explain all classes")
    assert not errors(at)
    result = at.session_state["local.result"]
    everything = result.all_classes()
    assert len(everything.targets) == 4
    _, heat = chart_with(at, "feature", "class", "weight", "rank")
    assert set(heat["class"]) == set(everything.class_names)
    assert len(heat) == 4 * heat["feature"].nunique() and heat["feature"].nunique() == 15
    expected = report.class_weights_frame(everything, top=15)
    pd.testing.assert_frame_equal(heat[expected.columns].reset_index(drop=True), expected, check_dtype=False)
    bias = next(d.value for d in at.dataframe if "bias" in d.value)
    assert len(bias) == 4
    assert "only in this neighbourhood" in visible_text(at)


def test_local_model_reuses_the_explain_result(newsgroups_calls: list[int]) -> None:
    at = start()
    press(at, "Explain")
    calls = sum(newsgroups_calls)
    goto(at, "local_model")
    assert "From the Explain page" in visible_text(at)
    assert chart_with(at, "feature", "class", "weight")
    assert sum(newsgroups_calls) == calls


def test_local_model_says_what_explain_says_of_word_pairs_and_removal() -> None:
    """Both pages' results lines are one definition (ui.views.results_line): on the sentiment model, whose default
    chooses words or word pairs per text, each says which was used and how removed words were removed."""
    at = start()
    at.selectbox(key="explain.example").set_value("restaurant-review").run()
    press(at, "Explain")
    result = at.session_state["explain.result"]
    settings = result.all_classes().settings
    assert settings.features_reason  # the model's default made a choice for this text
    said = "word pairs kept for this text" if settings.bigrams else "word pairs did not fit this text better"
    explain_lines = [c.value for c in at.caption if said in c.value]
    assert len(explain_lines) == 1, [c.value for c in at.caption]
    assert "mask token" in explain_lines[0]
    goto(at, "local_model")
    (local_line,) = [c.value for c in at.caption if said in c.value]
    assert local_line.startswith("From the Explain page")
    assert local_line.endswith(explain_lines[0])  # the same line, after the note of where the result comes from


def test_a_drill_down_kept_by_stop_becomes_the_drill_downs_result() -> None:
    """A drill-down draws its rounds with ui.live; its Stop button keeps the latest round under the drill-down's
    own key (ui.live.keep_stopped_run, before the page's next run), and the page then places it below the sentence
    it was opened from, marked as stopped early. The Stop click is simulated: the callback's effect, then a run."""
    from lime_core.explanation import STOP_EARLY, STOP_INTERIM
    from tests.e2e.test_long_document import _long_document

    at = start(samples=None, cap=700)
    at.text_area(key="explain.text").set_value(_long_document())
    press(at, "Explain")
    parent = at.session_state["explain.result"]
    assert parent.explanation().settings.level == "sentences"
    press(at, "Explain this sentence's words")
    opened = at.session_state["explain.drill"]
    assert opened["parent"] == parent.id and opened["result"].fit.sampling.mode == "auto"
    assert "explain.drill.pending" not in at.session_state  # a finished drill-down leaves nothing pending
    at.session_state["explain.drill"] = None
    drilled = opened["result"]
    interim = dataclasses.replace(drilled.fit.sampling, stopped_because=STOP_INTERIM)  # a round's fit, as drawn
    a_round = dataclasses.replace(drilled, fit=dataclasses.replace(drilled.fit, sampling=interim))
    at.session_state["explain.drill.kept"] = a_round.kept_early()  # what Stop's callback puts there
    at.session_state["explain.drill.pending"] = {"parent": parent.id, "span": opened["span"]}  # set by the run
    at.run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    placed = at.session_state["explain.drill"]
    assert placed["parent"] == parent.id and placed["span"] == opened["span"]
    assert placed["result"].fit.sampling.stopped_because == STOP_EARLY
    assert "stopped early on request" in visible_text(at)
    assert "explain.drill.kept" not in at.session_state and "explain.drill.pending" not in at.session_state


# --------------------------------------------------------------------------- Remote API


def test_remote_page_defaults_to_the_builtin_server_and_explains() -> None:
    at = goto(start(), "remote_api")
    url = at.text_input(key="remote.url").value
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/models/20ng-svm", url)
    # 300 samples / 64 per request, the faithfulness check of this 64-word text (at most 181 texts in two
    # batches: 4 requests) and the label probe
    assert "at most 10 requests" in visible_text(at)
    assert "4 for the faithfulness check" in visible_text(at)
    press(at, "Test connection")
    assert at.success and "answered" in at.success[0].value
    press(at, "Explain", key="remote.explain")
    assert not errors(at), errors(at)
    result = at.session_state["remote.result"]
    assert result.predicted_class == "sci.med"
    assert plain(highlights(at)[0]) == KIDNEY_STONES
    assert "Agreement" in metrics(at)


def test_remote_errors_are_messages() -> None:
    at = goto(start(), "remote_api")
    dead = f"http://127.0.0.1:{free_port()}/models/none"
    at.text_input(key="remote.url").set_value(dead).run()
    press(at, "Test connection")
    assert "cannot reach" in errors(at)[0].lower()
    press(at, "Explain", key="remote.explain")
    assert "cannot reach" in errors(at)[-1].lower()
    assert not highlights(at)
    at.text_input(key="remote.url").set_value("not a url").run()
    press(at, "Explain", key="remote.explain")
    assert "not an http(s) url" in errors(at)[-1].lower()


def test_the_token_is_never_shown_or_kept() -> None:
    at = goto(start(), "remote_api")
    at.text_input(key="remote.token").set_value(SECRET).run()
    press(at, "Test connection")
    press(at, "Explain", key="remote.explain")
    assert not errors(at), errors(at)
    assert SECRET not in visible_text(at)
    result = at.session_state["remote.result"]
    assert SECRET not in result.explanation().to_json()
    assert SECRET not in report.html_report(result.explanation()) + report.to_csv(result.explanation())
    for key in at.session_state:
        if key != "remote.token":
            assert SECRET not in repr(at.session_state[key]), key
    # A failing request does not echo it either.
    at.text_input(key="remote.url").set_value(f"http://127.0.0.1:{free_port()}/").run()
    press(at, "Explain", key="remote.explain")
    assert errors(at) and SECRET not in visible_text(at)


# --------------------------------------------------------------------------- How it works


def test_how_it_works_draws_the_current_explanation() -> None:
    at = start()
    press(at, "Explain")
    goto(at, "how_it_works")
    assert at.title[0].value == "How it works"
    _, frame = chart_with(at, "similarity", "model_probability", "top_word_status")
    assert frame["original"].sum() == 1
    assert frame["top_word"].iloc[0] == "pain"
    assert set(frame["top_word_status"]) <= {"kept", "partly removed", "removed"}
    assert "**pain**" in visible_text(at)
    assert "local" in visible_text(at)


def test_how_it_works_can_run_the_example_itself() -> None:
    at = goto(start(), "how_it_works")
    press(at, "Explain the example post")
    assert not errors(at)
    assert chart_with(at, "similarity", "model_probability")


def test_every_verdict_title_is_one_of_three() -> None:
    assert set(TITLES.values()) == {"Trustworthy", "Check it", "Do not trust"}


# --------------------------------------------------------------------------- state, languages, saving

OWN_TEXT = "My own text about a graphics card that renders every image in OpenGL far too slowly."


def test_own_text_example_class_and_results_survive_a_trip_to_other_pages() -> None:
    at = start()
    at.text_area(key="explain.text").set_value(OWN_TEXT).run()
    press(at, "Explain")
    result = at.session_state["explain.result"]
    at.selectbox(key="explain.class").set_value("sci.med").run()
    goto(at, "compare")
    at.text_area(key="compare.left.text").set_value("Left text of my own about medicine and pain.").run()
    goto(at, "how_it_works")
    goto(at, "explain")
    assert at.text_area(key="explain.text").value == OWN_TEXT  # not the kidney post again
    assert at.selectbox(key="explain.class").value == "sci.med"
    assert at.session_state["explain.result"] is result
    (fragment,) = highlights(at)
    assert plain(fragment) == OWN_TEXT
    assert "changed since this explanation" not in visible_text(at)
    goto(at, "compare")
    assert at.text_area(key="compare.left.text").value == "Left text of my own about medicine and pain."


def test_the_class_picker_follows_the_model_of_the_result_every_run() -> None:
    at = start()
    press(at, "Explain")
    topics = at.session_state["explain.result"].class_names
    assert at.selectbox(key="explain.class").options[1:] == topics
    at.selectbox(key="explain.example").set_value("restaurant-review").run()
    assert at.selectbox(key="sidebar.model").value == "sentiment"
    press(at, "Explain")
    result = at.session_state["explain.result"]
    assert result.model_name == "sentiment"
    picker = at.selectbox(key="explain.class")
    assert picker.options[1:] == result.class_names != topics  # the same run that made the result
    assert picker.options[0] == "Predicted class"
    # The predicted class is named from the result on screen, the same run (it lagged a run behind in an option).
    assert f"The model predicts **{result.predicted_class}**" in visible_text(at)


def test_an_example_that_switches_the_model_says_so() -> None:
    at = start()
    at.selectbox(key="explain.example").set_value("restaurant-review").run()
    notes = [i.value for i in at.info if "Switched to" in i.value]
    assert notes and "Review sentiment" in notes[0] and "20 Newsgroups" in notes[0]
    at.selectbox(key="explain.example").set_value("french-review").run()  # same model: nothing to say
    assert not [i.value for i in at.info if "Switched to" in i.value]


def test_german_on_the_english_stand_in_warns_on_the_result_in_the_verdict_and_the_report() -> None:
    at = start()
    assert "English" in visible_text(at)  # the sidebar names the model's languages
    at.selectbox(key="sidebar.model").set_value("sentiment").run()
    assert "**Languages:** English" in visible_text(at)
    picker = at.selectbox(key="explain.example")
    assert any("German: not read by this model" in o for o in picker.options)  # marked before anyone runs it
    picker.set_value("german-review").run()
    press(at, "Explain")
    assert not errors(at), errors(at)
    warnings = [unescaped(w.value) for w in at.warning]
    assert any("looks German" in w and "English only" in w and "may not understand" in w for w in warnings)
    verdict = unescaped(verdict_box(at).value)
    assert "looks German" in verdict  # among the verdict's reasons
    assert "**Language** \u00b7 the text is not in a language the model reads" in visible_text(at)  # checklist
    explanation = at.session_state["explain.result"].explanation()
    assert explanation.language.supported is False
    assert 'class="lc-language-warning"' in report.html_report(explanation)
    assert json.loads(report.to_json(explanation))["language"]["detected"] == "de"


def test_save_then_open_from_the_saved_page_and_by_link_with_no_model_calls(newsgroups_calls: list[int]) -> None:
    at = start()
    press(at, "Explain")
    result = at.session_state["explain.result"]
    shown = result.explanation()
    panel = saved_ui.panel_key(result, shown, "explain")
    at.text_input(key=f"{panel}.title").set_value("Kidney post for Monday")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    saved_id = at.session_state[saved_ui.SAVED_BY_PANEL][panel]
    assert any(f"saved?id={saved_id}" in c.value for c in at.code)
    calls = sum(newsgroups_calls)

    fresh = AppTest.from_file(str(APP), default_timeout=TIMEOUT)  # another session, as from a link
    fresh.query_params["id"] = saved_id
    fresh.switch_page("app_pages/saved.py").run()
    assert not fresh.exception, fresh.exception
    text = unescaped(visible_text(fresh))
    assert "**Kidney post for Monday**" in text
    facts = re.search(r"(.+) \u00b7 saved (\d{4}-\d\d-\d\d \d\d:\d\d) \u00b7 (.+)", text)
    assert facts and facts.group(1).endswith(result.model_title)
    assert facts.group(3).startswith(TITLES[judge_trust(shown).level])
    (fragment,) = highlights(fresh)
    assert plain(fragment) == KIDNEY_STONES
    assert "no model calls now" in text
    assert sum(newsgroups_calls) == calls  # opened from the stored copy

    next(b for b in fresh.button if b.label == "Delete").click().run()  # asks first
    assert not fresh.exception
    assert "cannot be undone" in unescaped(visible_text(fresh)) and len(highlights(fresh)) == 1
    next(b for b in fresh.button if b.label == "Keep it").click().run()
    assert "cannot be undone" not in unescaped(visible_text(fresh)) and len(highlights(fresh)) == 1
    next(b for b in fresh.button if b.label == "Delete").click().run()
    next(b for b in fresh.button if b.label == "Delete for good").click().run()
    assert not fresh.exception
    assert "Nothing is saved yet" in unescaped(visible_text(fresh))
    assert not highlights(fresh)

    # Back in the first session: the panel no longer says "Saved." for an explanation that is gone.
    at.run()
    assert not any(f"saved?id={saved_id}" in c.value for c in at.code)


def test_the_save_panel_belongs_to_the_result_on_screen() -> None:
    """Save one explanation, explain another text: the panel under the new one is fresh (its own title, no link)."""
    at = start()
    press(at, "Explain")
    first = at.session_state["explain.result"]
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("saved?id=" in c.value for c in at.code)
    at.text_area(key="explain.text").set_value("Great food, terrible service.").run()
    press(at, "Explain")
    second = at.session_state["explain.result"]
    assert second.id != first.id
    panel = saved_ui.panel_key(second, second.explanation(), "explain")
    assert at.text_input(key=f"{panel}.title").value.endswith("Great food, terrible service.")
    assert not any("saved?id=" in c.value for c in at.code)  # no "Saved." with the old link


def test_a_stored_result_says_why_its_faithfulness_cannot_be_checked() -> None:
    """The Dataset and Saved pages' button on a stored explanation: its own message, not an unexpected error."""
    from dashboard.stored import SAVED_COPY, StoredResult
    from lime_core import explain_text
    from tests.blackboxes import SENTIMENT_TEXT, sentiment_model
    from ui import run

    explanation = explain_text(SENTIMENT_TEXT, sentiment_model(), n_samples=200, random_state=0)
    for origin in ("a batch run", SAVED_COPY):
        stored = StoredResult.of(explanation, "Word model", origin)
        message = run.measure_faithfulness(stored, explanation.predicted_class)
        assert message is not None and message.startswith(f"This explanation was loaded from {origin}, which keeps no")


def test_local_model_page_shows_the_text_of_the_result_it_shows() -> None:
    """After a newer result on the Explain page, the Local model page shows that result beside its own text."""
    at = start()
    press(at, "Explain")
    at.switch_page("app_pages/local_model.py").run()
    assert at.text_area(key="local.text").value == KIDNEY_STONES
    at.switch_page("app_pages/explain.py").run()
    newer = "The new graphics card renders every image in OpenGL far too slowly."
    at.text_area(key="explain.text").set_value(newer).run()
    press(at, "Explain")
    at.switch_page("app_pages/local_model.py").run()
    assert not at.exception
    assert at.text_area(key="local.text").value == newer  # not the first text beside the newer result
    assert "changed since this result was made" not in visible_text(at)
    at.text_area(key="local.text").set_value("Something else entirely, about medicine.").run()
    assert "The text changed since this result was made" in unescaped(visible_text(at))


def test_the_documented_compare_figures_are_the_apps() -> None:
    """README and the presenter guide quote "image"'s two weights on the Compare page: they are what the app shows."""
    at = goto(start(samples=None), "compare")  # the sidebar's defaults: automatic sampling, seed 0
    press(at, "Explain both")
    shared = next(d.value for d in at.dataframe if "difference" in d.value).set_index("feature")
    shown = (f"{shared.loc['image', 'left']:+.2f}", f"{shared.loc['image', 'right']:+.2f}")
    for doc in ("README.md", "docs/dashboard.md"):
        text = (REPO_ROOT / doc).read_text()
        figures = r"\"image\".{0,120}?graphics question[^+]*(\+\d+\.\d\d).{0,200}?Bible verse[^+]*(\+\d+\.\d\d)"
        quoted = re.search(figures, text, re.S)
        assert quoted, f"{doc} no longer quotes the Compare figures"
        assert quoted.groups() == shown, f"{doc} says {quoted.groups()}, the app shows {shown}"


def test_a_text_the_model_never_reacts_to_says_there_is_nothing_to_explain() -> None:
    """Emoji the topic model's vocabulary lacks: the sentence every front end gives, and no weights of noise."""
    at = start()
    at.text_area(key="explain.text").set_value("\U0001f389 \U0001f44d \U0001f600 \U0001f355")
    press(at, "Explain")
    notes = [i.value for i in at.info if i.value.startswith("Nothing to explain: removing words")]
    assert notes and f"over {SAMPLES:,} variations" in notes[0], [i.value for i in at.info]
    assert not charts(at) and not at.get("vega_lite_chart")  # no weights chart, no probabilities beside noise
