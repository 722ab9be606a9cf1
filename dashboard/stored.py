"""An explanation reopened from storage, in the shape the explanation view reads: the Dataset and Saved pages.

A batch run's output folder and the saved-explanations store both keep the
explanation's JSON only: no explainer, no samples and no model, so nothing
here can call a model, and a class that was not explained cannot be shown.
:class:`StoredResult` answers what the view asks of a freshly run result
(:class:`dashboard.results.RunResult`): the explanation for a class, the model calls it
took, the seed; it holds plain data only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lime_core.errors import LimeCoreError
from lime_core.explanation import Explanation

if TYPE_CHECKING:
    from .saved import SavedExplanation

BATCH_RUN = "a batch run"
SAVED_COPY = "the saved copy"


@dataclass(frozen=True)
class StoredOptions:
    """The sampling setting the view shows for a stored result: its seed (the rest is in ``explanation.settings``)."""

    seed: int


@dataclass(frozen=True)
class StoredResult:
    """A stored explanation with the interface of a run's result, and no way to reach a model."""

    stored: Explanation
    model_title: str
    options: StoredOptions
    n_answers_reused: int
    origin: str = BATCH_RUN  # where it was loaded from, for the message of what it cannot do
    elapsed: float = 0.0  # nothing was computed now
    n_check_calls: int = 0  # no faithfulness check is made now

    @classmethod
    def of(cls, explanation: Explanation, model_title: str, origin: str = BATCH_RUN,
           n_answers_reused: int | None = None) -> StoredResult:
        """The stored ``explanation`` (its seed from its settings; 0 when it recorded none)."""
        reused = explanation.n_answers_reused if n_answers_reused is None else n_answers_reused
        seed = StoredOptions(seed=int(explanation.settings.random_state or 0))
        return cls(explanation, model_title, seed, int(reused or 0), origin)

    @classmethod
    def from_batch(cls, folder: Path, text_id: str, model_title: str) -> StoredResult:
        """One text's explanation from a batch run's output folder."""
        from lime_core.batch import stored_explanation  # pandas and pyarrow, only when a run is opened

        return cls.of(stored_explanation(folder, text_id), model_title, BATCH_RUN)

    @classmethod
    def from_saved(cls, record: SavedExplanation) -> StoredResult:
        """A saved explanation; the answers reused when it was made come from the record's details."""
        reused = record.details.get("n_answers_reused", record.explanation.n_answers_reused)
        return cls.of(record.explanation, record.model_title, SAVED_COPY, int(reused or 0))

    @property
    def text(self) -> str:
        return self.stored.text

    @property
    def model_name(self) -> str:
        return self.stored.model

    @property
    def class_names(self) -> list[str]:
        return list(self.stored.class_names)

    @property
    def predicted_class(self) -> str:
        return self.stored.predicted_class

    @property
    def n_model_calls(self) -> int:
        """Model calls of the sampling when the explanation was made (none are made now)."""
        return int(self.stored.n_model_calls)

    @property
    def explained_classes(self) -> list[str]:
        return [t.class_name for t in self.stored.targets]

    def explanation(self, class_name: str | None = None) -> Explanation:
        """The stored explanation of one explained class (default: the predicted one, else the first explained).

        Its faithfulness report stays when it was measured for that class.
        """
        wanted = class_name or self.predicted_class
        if wanted not in self.explained_classes:
            wanted = self.explained_classes[0]
        faithfulness = self.stored.faithfulness
        if faithfulness is not None and faithfulness.class_name != wanted:
            faithfulness = None
        return dataclasses.replace(self.stored, targets=(self.stored.target(wanted),), faithfulness=faithfulness)

    def faithfulness_checked(self, class_name: str | None = None) -> bool:
        return self.explanation(class_name).faithfulness is not None

    def measure_faithfulness(self, class_name: str) -> Explanation:
        raise LimeCoreError(
            f"this explanation was loaded from {self.origin}, which keeps no model or samples; paste the text on "
            "the Explain page to check its faithfulness"
        )
