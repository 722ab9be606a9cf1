"""Every ready example makes sense on the model it runs on: checked against the model's own answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.examples import COMPARE_CLASS, COMPARE_MODEL, COMPARE_PAIR, EXAMPLES, get_example
from lime_core.language import language_report
from lime_core.models.registry import SENTIMENT_MODEL_NAME
from lime_core.models.transformer import TransformerClassifier

STAND_IN_LANGUAGES = ("en",)  # the stand-in sentiment checkpoint was trained on English film reviews


def _predicted(model, text: str) -> str:
    proba = model.predict_proba([text])[0]
    return str(list(model.class_names)[int(proba.argmax())])


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.model == "20ng-svm"], ids=lambda e: e.key)
def test_topic_examples_get_the_class_their_story_expects(newsgroups_model, example) -> None:
    assert _predicted(newsgroups_model, example.text) == example.expected


def test_review_examples_on_the_stand_in(sentiment_model_dir: Path) -> None:
    """English reviews get their class; the others are in a language the stand-in does not read, and say so."""
    model = TransformerClassifier(str(sentiment_model_dir))
    for example in (e for e in EXAMPLES if e.model == SENTIMENT_MODEL_NAME):
        report = language_report(example.text, STAND_IN_LANGUAGES)
        if example.language in STAND_IN_LANGUAGES:
            assert report.supported is True
            assert _predicted(model, example.text) == example.expected, example.key
        else:
            assert report.supported is False and report.warning(), example.key


def test_the_compare_pair_shares_its_words_and_is_written_for_one_model() -> None:
    left, right = (get_example(k) for k in COMPARE_PAIR)
    assert left.model == right.model == COMPARE_MODEL
    assert left.expected == COMPARE_CLASS != right.expected  # one class asked of both, predicted on one side
