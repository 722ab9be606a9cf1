"""When a text has nothing to explain: one rule for the library, the CLI, batch runs, reports and the dashboard.

A text can hold words that the model never reacts to: emoji on a topic model,
words outside a TF-IDF vocabulary, punctuation. Removing them leaves the
model's answer where it was, so the surrogate fits noise and its weights
(0.0002 and the like) mean nothing. An explanation whose samples never moved
the model's probabilities by :data:`NO_CHANGE` or more (in any class) says so
instead (``Explanation.nothing_to_explain``): the reports and the dashboard
show :func:`nothing_to_explain_message` in place of the weights, the CLI's
``explain`` and a batch row raise :class:`NothingToExplainError`.

A text with no tokens at all (only punctuation or symbols) is refused earlier,
by :func:`lime_core.tokenization.TokenizedText.from_text`, with the same kind of error.
"""

from __future__ import annotations

import numpy as np

from .errors import InputTextError
from .explanation import NO_CHANGE, moves_nothing

__all__ = ["NO_CHANGE", "NothingToExplainError", "answer_spread", "check_answers_move", "moves_nothing",
           "nothing_to_explain_message"]


class NothingToExplainError(InputTextError):
    """Removing the text's words never moved the model's answer: there is no word to explain."""


def answer_spread(proba: np.ndarray) -> float:
    """How far the model's probability of any class moves over the samples (the largest max - min)."""
    proba = np.asarray(proba, dtype=float)
    return float((proba.max(axis=0) - proba.min(axis=0)).max()) if proba.size else 0.0


def nothing_to_explain_message(n_samples: int) -> str:
    """The one sentence every front end shows for such a text."""
    return (
        f"Nothing to explain: removing words from this text never changed the model's answer (its probabilities "
        f"moved by less than {NO_CHANGE:.1%} over {n_samples:,} variations), so no word drives this prediction; "
        "the model answers the same with or without any of them. Weights this small would be noise, so none are "
        "given. Try a text with words the model knows."
    )


def check_answers_move(proba: np.ndarray) -> None:
    """Raise :class:`NothingToExplainError` when the samples' answers ``proba`` never moved (the CLI and batch)."""
    if moves_nothing(answer_spread(proba)):
        raise NothingToExplainError(nothing_to_explain_message(len(proba)))
