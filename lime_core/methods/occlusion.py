"""Occlusion (leave one word out; Li, Monroe and Jurafsky 2016): what the model's probability loses without a word.

``value(word) = p(text) - p(text without every occurrence of the word)``, one
model call per distinct word, removed as the explanation's bag-of-words
sampler removes it (deleted, or replaced by the explanation's ``mask_token``).
Answers already in the cache (the explanation's own samples, a faithfulness
check) cost nothing. Exact for what it measures; blind to words that only
matter together (remove either of two words that each suffice alone and
nothing changes), which is where it and Shapley values part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..wording import METHOD_LABELS
from .base import WordAttribution, require_keep
from .coalitions import ask
from .data import OCCLUSION

if TYPE_CHECKING:
    from ..neighbourhood import Neighbourhood
    from ..predictor import BlackBox, LabelView


class Occlusion:
    """Leave-one-word-out values on the probability scale. No parameters: the removal is the explanation's."""

    name = OCCLUSION
    scale = "probability"

    def attribute(self, samples: Neighbourhood, black_box: BlackBox | LabelView, class_index: int) -> WordAttribution:
        """One text per word without it; ``values[j] = p(text) - p(text without word j)`` for ``class_index``."""
        require_keep(samples, METHOD_LABELS[self.name])
        groups = samples.features.groups
        n_words = groups.n_words
        kept = ~np.eye(n_words, dtype=bool)
        answers, calls = ask(kept, samples.tokenized, groups.word_of_token, black_box, class_index, samples.mask_token)
        prediction = float(samples.proba[0, class_index])
        return WordAttribution(values=prediction - answers.value, prediction=prediction, n_model_calls=calls)

    def __repr__(self) -> str:
        return "Occlusion()"
