"""Words, or words with adjacent pairs, chosen per text by cross-validated fidelity (lime_core.word_pairs)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lime_core import TextExplainer
from lime_core.explanation import Explanation
from lime_core.formatters.text import format_text
from lime_core.models.transformer import DEFAULT_BIGRAMS, TransformerClassifier
from lime_core.word_pairs import AUTO_PAIRS

TEXT = "It is not bad at all, honestly."


class WordModel:
    """A plain model over the words present; ``interacting``: "not" and "bad" matter only together."""

    default_bigrams = AUTO_PAIRS

    def __init__(self, interacting: bool) -> None:
        self.interacting = interacting
        self.class_names = ["negative", "positive"]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            words = text.replace(",", " ").replace(".", " ").split()
            both = "not" in words and "bad" in words
            if self.interacting:
                logit = -1.0 + 3.0 * both + 0.5 * ("all" in words)
            else:
                logit = -1.0 + 1.5 * ("not" in words) + 1.5 * ("bad" in words)
            p = 1.0 / (1.0 + np.exp(-logit))
            rows.append([1.0 - p, p])
        return np.asarray(rows)


def test_pairs_are_kept_where_two_words_act_together() -> None:
    explainer = TextExplainer(n_samples=400, random_state=0, stability_refits=0)
    explanation = explainer.explain(TEXT, WordModel(interacting=True))
    choice = explainer.pairs_choice_
    assert choice is not None and choice.pairs and choice.pairs_kl < 0.5 * choice.words_kl
    assert explanation.settings.bigrams
    assert "not bad" in [w.feature for w in explanation.targets[0].top(3)]


def test_words_are_kept_where_the_model_adds_words_up() -> None:
    explainer = TextExplainer(n_samples=400, random_state=0, stability_refits=0)
    explanation = explainer.explain(TEXT, WordModel(interacting=False))
    choice = explainer.pairs_choice_
    assert choice is not None and not choice.pairs
    assert not explanation.settings.bigrams
    assert not any(" " in w.feature for w in explanation.targets[0].weights)
    assert "words only" in explanation.settings.features_reason


def test_an_explicit_choice_wins_over_the_models() -> None:
    for bigrams in (False, True):
        explainer = TextExplainer(n_samples=100, random_state=0, stability_refits=0, bigrams=bigrams)
        explanation = explainer.explain(TEXT, WordModel(interacting=True))
        assert explainer.pairs_choice_ is None
        assert explanation.settings.bigrams is bigrams and explanation.settings.features_reason == ""


def test_a_model_without_a_declaration_keeps_words() -> None:
    def model(texts: list[str]) -> np.ndarray:
        return WordModel(interacting=True).predict_proba(texts)

    explainer = TextExplainer(n_samples=100, random_state=0, stability_refits=0)
    explanation = explainer.explain(TEXT, model)
    assert explainer.pairs_choice_ is None and not explanation.settings.bigrams


def test_a_bad_value_is_refused() -> None:
    with pytest.raises(ValueError, match="bigrams must be True, False, None or 'auto'"):
        TextExplainer(bigrams="yes").explain(TEXT, WordModel(interacting=True))


@pytest.fixture(scope="module")
def standin(sentiment_model_dir: Path) -> TransformerClassifier:
    return TransformerClassifier(sentiment_model_dir)


def test_the_sentiment_models_default_chooses_per_text_without_touching_the_held_out_split(
    standin: TransformerClassifier,
) -> None:
    """On the real stand-in, a review where pairs fit better: the same samples and held-out rows as words only
    (no extra model calls), a lower held-out KL there, and every output says so."""
    text = "The pasta was fresh and the waiter was very kind."
    assert standin.default_bigrams == DEFAULT_BIGRAMS == AUTO_PAIRS
    chosen = TextExplainer(n_samples=300, random_state=0, stability_refits=0)
    explanation = chosen.explain(text, standin)
    words = TextExplainer(n_samples=300, random_state=0, stability_refits=0, bigrams=False)
    words_only = words.explain(text, standin)
    assert chosen.pairs_choice_ is not None and chosen.pairs_choice_.pairs
    assert np.array_equal(chosen.local_fit_.heldout_index, words.local_fit_.heldout_index)
    assert explanation.n_model_calls == words_only.n_model_calls
    assert explanation.metrics.mean_KL_divergence < words_only.metrics.mean_KL_divergence
    assert any(" " in w.feature for w in explanation.targets[0].weights)
    data = json.loads(explanation.to_json())
    assert data["settings"]["bigrams"] is True and "cross-validated" in data["settings"]["features_reason"]
    assert Explanation.from_json(explanation.to_json()).settings == explanation.settings
    assert "Words and adjacent word pairs were chosen for this text" in format_text(explanation)
    again = TextExplainer(n_samples=300, random_state=0, stability_refits=0).explain(text, standin)
    assert again.to_json() == explanation.to_json()


def test_live_rounds_show_single_words_and_the_finished_result_its_pairs() -> None:
    """Pairs are chosen once sampling ends: every round handed over while it computes says single words, also
    when the explainer's previous fit kept pairs."""
    rounds: list = []
    explainer = TextExplainer(n_samples="auto", random_state=0, stability_refits=0)
    explainer.fit(TEXT, WordModel(interacting=True))
    assert explainer.explanation().settings.bigrams
    explainer.fit(TEXT, WordModel(interacting=True), on_round=rounds.append)
    assert rounds, "auto with on_round hands over at least its first look"
    assert all(r.preliminary and not r.settings.bigrams and not r.settings.features_reason for r in rounds)
    finished = explainer.explanation()
    assert finished.settings.bigrams and "cross-validated" in finished.settings.features_reason
