"""Languages: offline detection, the model's declared languages, and the warning wherever the result is shown."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.examples import EXAMPLES, GERMAN_REVIEW, KIDNEY_STONES, get_example
from lime_core import TextExplainer
from lime_core.formatters.html import format_html
from lime_core.language import MIN_CONFIDENCE, LanguageReport, detect_language, language_report, languages_phrase
from lime_core.models.registry import SENTIMENT_MODEL_NAME, get_spec
from lime_core.settings import get_settings
from lime_core.verdict import judge_trust
from tests.blackboxes import SENTIMENT_TEXT, sentiment_model


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (GERMAN_REVIEW, "de"),
        (get_example("french-review").text, "fr"),
        (KIDNEY_STONES, "en"),
        (get_example("restaurant-review").text, "en"),
        ("هذا المطعم رائع والطعام لذيذ جدا والخدمة ممتازة", "ar"),
        ("המסעדה הזאת נהדרת והאוכל טעים מאוד והשירות מצוין", "he"),
    ],
)
def test_the_detector_names_the_language_offline(text: str, code: str) -> None:
    detected, confidence = detect_language(text)
    assert detected == code and confidence >= MIN_CONFIDENCE


@pytest.mark.parametrize("text", ["great", "ok ok", "12345 678", ""])
def test_too_little_text_is_not_guessed(text: str) -> None:
    assert detect_language(text)[0] is None
    assert language_report(text, ("en",)).supported is None


def test_every_ready_example_is_in_the_language_it_declares() -> None:
    for example in EXAMPLES:
        assert detect_language(example.text)[0] == example.language, example.key


def test_the_registry_declares_languages_and_the_stand_in_is_english() -> None:
    stand_in = get_settings({"LIME_SENTIMENT_MODEL": "/models/minilm", "LIME_SENTIMENT_LANGUAGES": "en"})
    assert get_spec(SENTIMENT_MODEL_NAME, stand_in).languages == ("en",)
    assert get_spec(SENTIMENT_MODEL_NAME, get_settings({"LIME_SENTIMENT_MODEL": "/models/x"})).languages == ()
    assert "de" in get_spec(SENTIMENT_MODEL_NAME, get_settings({})).languages  # the multilingual default
    assert get_spec("20ng-svm").languages == ("en",)
    assert languages_phrase(("en", "de", "fr")) == "English, German and French"


def test_a_text_outside_the_models_languages_warns_in_the_verdict_and_the_report() -> None:
    explanation = TextExplainer(n_samples=200, random_state=0).explain(GERMAN_REVIEW, sentiment_model())
    report = language_report(GERMAN_REVIEW, ("en",))
    assert report.supported is False
    warning = report.warning()
    assert warning and "German" in warning and "English only" in warning and "may not understand" in warning
    flagged = dataclasses.replace(explanation, language=report)

    verdict = judge_trust(flagged)
    assert warning in verdict.reasons and verdict.level != "trust"
    assert verdict.check("language").level == "check"
    assert judge_trust(explanation).check("language") is None  # no language report, no claim

    html = format_html(flagged, standalone=True)
    assert 'class="lc-language-warning"' in html and "German" in html
    data = flagged.to_dict()
    assert data["language"] == {"detected": "de", "confidence": pytest.approx(report.confidence, abs=1e-4),
                                "model_languages": ["en"], "supported": False}
    assert type(flagged).from_dict(data).language == LanguageReport("de", round(report.confidence, 4), ("en",))


def test_a_text_in_the_models_language_gets_no_warning() -> None:
    explanation = TextExplainer(n_samples=200, random_state=0).explain(SENTIMENT_TEXT, sentiment_model())
    flagged = dataclasses.replace(explanation, language=language_report(SENTIMENT_TEXT, ("en",)))
    assert flagged.language.supported is True and flagged.language.warning() is None
    assert judge_trust(flagged).check("language") is None
    assert "lc-language-warning\"" not in format_html(flagged, standalone=True)
