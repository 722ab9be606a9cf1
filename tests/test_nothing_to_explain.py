"""A text whose words never move the model says so in the library, the reports, the verdict and its JSON.

The CLI (``explain`` and ``explain-batch``) is tested in tests/test_cli.py and tests/test_batch.py; the
dashboard's note in tests/e2e/test_demo_ready.py. All of them use :mod:`lime_core.nothing_to_explain`.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from lime_core import LimeTextExplainer, TextExplainer
from lime_core.compat.lime_api import NothingToExplainWarning
from lime_core.explanation import Explanation
from lime_core.formatters.html import format_html
from lime_core.formatters.text import format_text
from lime_core.nothing_to_explain import (
    NO_CHANGE,
    NothingToExplainError,
    answer_spread,
    check_answers_move,
    moves_nothing,
)
from lime_core.verdict import judge_trust
from tests.blackboxes import TOPIC_TEXT, ConstantModel, topic_model

EMOJI_ONLY = "\U0001f389 \U0001f44d \U0001f600"


def _explain(text: str, model: object) -> Explanation:
    return TextExplainer(n_samples=200, random_state=0).fit(text, model).explanation()


def test_the_rule_is_the_largest_move_of_any_class() -> None:
    proba = np.array([[0.3, 0.7], [0.302, 0.698], [0.299, 0.701]])
    assert answer_spread(proba) == pytest.approx(0.003)
    assert moves_nothing(answer_spread(proba)) and not moves_nothing(NO_CHANGE) and not moves_nothing(None)
    with pytest.raises(NothingToExplainError, match=r"never changed the model's answer .* over 3 variations"):
        check_answers_move(proba)
    check_answers_move(np.array([[0.3, 0.7], [0.6, 0.4]]))  # a model that moves: no error


def test_a_text_the_model_never_reacts_to_is_flagged_everywhere() -> None:
    explanation = _explain(EMOJI_ONLY, ConstantModel())
    assert explanation.nothing_to_explain and explanation.answer_spread == 0.0
    verdict = judge_trust(explanation)
    assert (verdict.level, verdict.title) == ("distrust", "Nothing to explain")
    assert verdict.reasons == (verdict.summary,) and "never changed the model's answer" in verdict.summary
    data = explanation.to_dict()
    assert data["nothing_to_explain"] is True and data["verdict"]["title"] == "Nothing to explain"
    assert Explanation.from_json(json.dumps(data)).nothing_to_explain  # the flag survives the JSON round trip

    text = format_text(explanation)
    assert "Nothing to explain: removing words" in text
    assert "Contribution" not in text and "<BIAS>" not in text and "Trust:" not in text  # no noise weights
    html = format_html(explanation, standalone=True)
    assert 'class="lc-nothing"' in html and "Nothing to explain: removing words" in html
    assert '<section class="lc-target">' not in html and "lc-trust\"" not in html


def test_a_text_the_model_reacts_to_is_explained_as_before() -> None:
    explanation = _explain(TOPIC_TEXT, topic_model())
    assert not explanation.nothing_to_explain and explanation.answer_spread > 0.1
    assert "nothing_to_explain" not in explanation.to_dict() and "answer_spread" not in explanation.to_dict()
    assert judge_trust(explanation).title != "Nothing to explain"
    assert "Nothing to explain" not in format_text(explanation) and "Contribution" in format_text(explanation)
    assert '<section class="lc-target">' in format_html(explanation)


def test_limes_api_warns_and_flags_a_text_with_nothing_to_explain() -> None:
    """lime's ``as_list`` has no place for the flag: ``explain_instance`` warns, and the result carries it."""
    explainer = LimeTextExplainer(class_names=["a", "b"], random_state=0)
    with pytest.warns(NothingToExplainWarning, match="never changed the model's answer"):
        result = explainer.explain_instance(EMOJI_ONLY, ConstantModel().predict_proba, num_samples=200)
    assert result.nothing_to_explain

    model = topic_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error", NothingToExplainWarning)
        moved = LimeTextExplainer(class_names=model.class_names, random_state=0).explain_instance(
            TOPIC_TEXT, model, num_samples=200
        )
    assert not moved.nothing_to_explain and moved.as_list(label=1)
