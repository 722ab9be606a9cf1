"""What every attribution method here is: a small class whose ``attribute`` gives one value per word.

A method reads an explanation's :class:`~lime_core.neighbourhood.Neighbourhood`
(its samples and the model's answers) and may ask the explanation's
:class:`~lime_core.predictor.BlackBox` about a few more texts (answers are
cached, so a text already asked about is free). It returns a
:class:`WordAttribution`: one number per distinct word, in the order of the
feature space's words (``features.names[:n_words]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from ..neighbourhood import Neighbourhood
    from ..predictor import BlackBox, LabelView


@dataclass(frozen=True, eq=False)
class WordAttribution:
    """One method's value of each word for one class, by word index.

    ``std`` (None when the method gives none) is the standard error of each value, and ``interval`` its
    ``(low, high)`` arrays at the method's confidence. ``base_value`` / ``prediction``: the model's probability
    of the class with no words / with every word, where the method uses them. ``n_model_calls`` counts the
    texts sent to the model (cache misses) beyond the explanation's own; ``n_coalitions`` the distinct word
    subsets used; ``note`` says what limits the values, in a sentence (None when nothing does).
    """

    values: np.ndarray
    std: np.ndarray | None = None
    interval: tuple[np.ndarray, np.ndarray] | None = None
    base_value: float | None = None
    prediction: float | None = None
    n_model_calls: int = 0
    n_coalitions: int | None = None
    note: str | None = None


def require_keep(samples: Neighbourhood, what: str) -> np.ndarray:
    """The samples' keep-masks; a method needs them (eli5's ``vec=`` or sampler leave none)."""
    if samples.keep is None:
        from ..errors import LimeCoreError

        raise LimeCoreError(f"{what} needs lime_core's own samples (not eli5's vec= or sampler)")
    return samples.keep


class AttributionMethod(Protocol):
    """``name`` (the key in reports and JSON), ``scale`` (what a value measures) and ``attribute``."""

    name: str
    scale: str

    def attribute(
        self, samples: Neighbourhood, black_box: BlackBox | LabelView, class_index: int
    ) -> WordAttribution: ...
