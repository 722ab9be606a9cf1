"""Long documents and the bound on work per text, on real models and texts."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from lime_core import TextExplainer
from lime_core.errors import InputTextError, WorkLimitError
from lime_core.formatters.html import format_html
from lime_core.formatters.text import format_text
from lime_core.levels import (
    AUTO_MAX_UNITS,
    COARSE_MAX_SAMPLES,
    ParagraphTokenizer,
    SentenceTokenizer,
    choose_level,
    split_sentences,
)
from lime_core.limits import MAX_FEATURE_SAMPLES, MAX_FEATURES, MAX_TEXT_CHARS
from lime_core.tokenization import word_tokenizer


class CountingModel:
    """P(yes) is high when the text still says "alpha"; counts the texts it is asked about."""

    class_names = ("no", "yes")

    def __init__(self) -> None:
        self.asked = 0

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.asked += len(texts)
        p = np.array([0.9 if "alpha" in t else 0.2 for t in texts])
        return np.c_[1 - p, p]


def _filler(n: int) -> str:
    return " ".join(f"Filler sentence number {i} talks about topic{i}." for i in range(n))


@pytest.fixture(scope="module")
def long_post(newsgroups_settings) -> str:
    """A 35,057-character 20 Newsgroups test post (sci.med), the issue's "35,000-character post"."""
    from lime_core.models.newsgroups.data import load_newsgroups

    texts = load_newsgroups("test", newsgroups_settings).texts
    post = max((t for t in texts if 34_000 < len(t) < 36_000), key=len)
    assert len(post) > 35_000
    return post


def test_sentences_are_exact_spans_with_paragraph_breaks() -> None:
    text = "Dr. Smith went to Washington.  He arrived at 3 p.m. today!\n\nNew paragraph here. 我很高兴。Done"
    segments = split_sentences(text)
    pieces = [text[s.start : s.end] for s in segments]
    assert pieces == ["Dr. Smith went to Washington.", "He arrived at 3 p.m. today!", "New paragraph here.",
                      "我很高兴。", "Done"]
    assert [s.paragraph_end for s in segments] == [False, True, False, False, False]
    paragraphs = [t.text for t in ParagraphTokenizer().tokenize(text)]
    assert paragraphs == ["Dr. Smith went to Washington.  He arrived at 3 p.m. today!",
                          "New paragraph here. 我很高兴。Done"]
    runs = SentenceTokenizer(max_units=2).tokenize(text)
    assert len(runs) == 2 and runs[0].start == 0 and runs[-1].end == len(text)


def test_auto_keeps_words_for_short_texts_and_takes_sentences_for_long_ones() -> None:
    assert choose_level("A short review, really quite good.", word_tokenizer()).level == "words"
    assert choose_level(_filler(200), word_tokenizer()).level == "sentences"
    many = "\n\n".join(" ".join(f"Sentence {p}-{i} is on topic{p}x{i}." for i in range(3)) for p in range(150))
    assert choose_level(many, word_tokenizer()).level == "paragraphs"
    one_paragraph = _filler(AUTO_MAX_UNITS + 50)
    choice = choose_level(one_paragraph, word_tokenizer())
    assert choice.level == "sentences" and len(choice.tokenizer.tokenize(one_paragraph)) == AUTO_MAX_UNITS


def test_long_post_at_the_sentence_level(newsgroups_model, long_post: str) -> None:
    explainer = TextExplainer(n_samples=200, random_state=0).fit(long_post, newsgroups_model)
    explanation = explainer.explanation()
    assert explainer.level_.level == "sentences" and explanation.settings.level == "sentences"
    sentences = {(s.start, s.end) for s in split_sentences(long_post)}
    weights = explanation.targets[0].weights
    assert len(weights) == explainer.features_.n_features > 100
    assert all(span in sentences for w in weights for span in w.spans)  # every feature is a sentence of the post
    assert explanation.n_model_calls <= 200
    data = json.loads(explanation.to_json())
    assert data["settings"]["level"] == "sentences" and "distinct words" in data["settings"]["level_reason"]
    assert "Level: sentences" in format_text(explanation) and "Level: sentences" in format_html(explanation)


def test_drill_down_explains_one_sentence_and_holds_the_rest(newsgroups_model, long_post: str) -> None:
    sentence_level = TextExplainer(n_samples=200, random_state=0).fit(long_post, newsgroups_model).explanation()
    opened = next(w for w in sentence_level.targets[0].top(20) if len(w.feature.split()) >= 5)
    start, end = opened.spans[0]
    explainer = TextExplainer(n_samples=200, random_state=0, within=(start, end)).fit(long_post, newsgroups_model)
    explanation = explainer.explanation()
    assert explanation.settings.level == "words" and explanation.settings.within == (start, end)
    assert all(start <= a and b <= end for w in explanation.targets[0].weights for a, b in w.spans)
    # The text outside the sentence is in every sample, as it is.
    texts = explainer.tokenized_.rebuild(explainer.keep_[:20])
    assert all(t.startswith(long_post[:start]) and t.endswith(long_post[end:]) for t in texts)
    data = json.loads(explanation.to_json())
    assert data["settings"]["within"] == [start, end]
    assert "drill-down" in format_text(explanation)


def test_a_document_of_one_sentence_falls_back_to_words() -> None:
    text = "one long sentence without any full stop that keeps going with many more words " * 3
    model = CountingModel()
    explanation = TextExplainer(n_samples=100, random_state=0, level="sentences").explain(text, model)
    assert explanation.settings.level == "words"
    assert "one sentence" in explanation.settings.level_reason
    assert "Level: words (the text is one sentence" in format_text(explanation)


def test_a_text_over_the_limit_is_refused_before_any_model_call() -> None:
    model = CountingModel()
    with pytest.raises(InputTextError, match=r"500,000 characters, over the limit of 200,000 .*MAX_TEXT_CHARS"):
        TextExplainer(n_samples="auto").explain("word " * 100_000, model)
    assert model.asked == 0 and MAX_TEXT_CHARS == 200_000


def test_a_200000_character_text_is_explained_within_bounds() -> None:
    text = (_filler(2_000) + " The alpha sentence decides it. " + _filler(4_000))[:MAX_TEXT_CHARS]
    assert "alpha" in text and len(text) == MAX_TEXT_CHARS
    model = CountingModel()
    explainer = TextExplainer(n_samples="auto", random_state=0).fit(text, model)
    explanation = explainer.explanation()
    assert explanation.settings.level == "sentences" and explainer.features_.n_features <= AUTO_MAX_UNITS
    assert explanation.sampling.max_samples <= min(COARSE_MAX_SAMPLES, 400_000_000 // MAX_TEXT_CHARS)
    top = explanation.targets[0].top(1)[0]
    assert "alpha" in top.feature and top.weight > 0


def _cjk(n_chars: int, punctuated: bool) -> str:
    rng = np.random.default_rng(0)
    chars = rng.choice([chr(0x4E00 + i) for i in range(3_000)], size=n_chars)
    return "".join(c + ("。" if punctuated and i % 40 == 39 else "") for i, c in enumerate(chars))[:n_chars]


def test_work_bound_refuses_too_many_distinct_words_at_once_with_advice() -> None:
    model = CountingModel()
    started = time.perf_counter()
    with pytest.raises(WorkLimitError, match=rf"over the limit of {MAX_FEATURES:,} .*shorter part"):
        TextExplainer(n_samples="auto").explain(_cjk(20_000, punctuated=False), model)
    assert time.perf_counter() - started < 5 and model.asked == 0
    with pytest.raises(WorkLimitError, match=r"MAX_FEATURES.*sentence level"):
        TextExplainer(n_samples="auto", level="words").explain(_cjk(20_000, punctuated=True), model)
    assert model.asked == 0


def test_work_bound_on_features_times_samples() -> None:
    text = _filler(90) + " And alpha."  # about 180 distinct words, one that matters
    model = CountingModel()
    with pytest.raises(WorkLimitError, match=r"features x samples.*use at most [\d,]+ samples"):
        TextExplainer(n_samples=20_000, level="words").explain(text, model)
    assert model.asked == 0
    explainer = TextExplainer(n_samples="auto", level="words", max_samples=20_000, random_state=0).fit(text, model)
    assert explainer.sampling_.max_samples <= MAX_FEATURE_SAMPLES // explainer.features_.n_features


def test_punctuated_cjk_text_is_explained_at_the_sentence_level() -> None:
    explainer = TextExplainer(n_samples=300, random_state=0).fit(_cjk(20_000, punctuated=True), CountingModel())
    assert explainer.level_.level == "sentences" and explainer.features_.n_features <= AUTO_MAX_UNITS


def test_cli_level_and_within(tmp_path, capsys) -> None:
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from lime_core.cli import main

    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    pipe.fit(["kidney pain medication", "doctor stones", "graphics pixels", "render shaders"], [0, 0, 1, 1])
    model_file = tmp_path / "pipe.joblib"
    joblib.dump(pipe, model_file)
    text_file = tmp_path / "text.txt"
    text = "The doctor saw kidney stones. Medication eased the pain.\n\nThe graphics card renders pixels fast."
    text_file.write_text(text)
    base = ["explain", "--pipeline", str(model_file), "--file", str(text_file), "--samples", "60", "--seed", "0"]
    assert main([*base, "--level", "sentences", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["settings"]["level"] == "sentences"
    assert {w["feature"] for w in data["targets"][0]["weights"]} == {
        "The doctor saw kidney stones.", "Medication eased the pain.", "The graphics card renders pixels fast."}
    assert main([*base, "--within", "0:29"]) == 0
    out = capsys.readouterr().out
    assert "Level: words of characters 0-29 only" in out and "graphics" not in out.split("Level:")[1].split("\n\n")[1]
    assert main([*base, "--within", "0:999"]) == 1
    assert "not a span of this" in capsys.readouterr().err
    assert main([*base, "--level", "chapters"]) == 2
    big = tmp_path / "big.txt"
    big.write_text("word " * 100_001)
    assert main(["explain", "--pipeline", str(model_file), "--file", str(big)]) == 1
    assert "over the limit of 200,000" in capsys.readouterr().err
