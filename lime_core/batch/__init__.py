"""Batch explanations: a whole dataset explained into Parquet, on local processes or Ray, then summarised.

* :func:`run_batch` (:mod:`.runner`): read a dataset in chunks, explain every text once
  (per-text seeds from the run's seed and the text's id), write ``explanations.parquet`` and
  ``weights.parquet``; resumable.
* :func:`summarize` (:mod:`.summary`): words per class across the local explanations, the
  SP-LIME pick (:mod:`.splime`), and with labels the confusion matrix and the words behind each mistake.

Ray is imported only by :mod:`.ray_backend`, when the ``ray`` backend is asked for.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

# Imported on first use, so that building the CLI's parser (which names the batch commands) stays cheap and
# ``explain --file /dev/zero`` is refused before pyarrow, pandas or scikit-learn are loaded.
_EXPORTS = {
    "InputSpec": "io",
    "TextRecord": "io",
    "BatchProgress": "runner",
    "read_status": "runner",
    "run_batch": "runner",
    "text_seed": "seeds",
    "submodular_pick": "splime",
    "CAVEAT": "summary",
    "stored_explanation": "summary",
    "summarize": "summary",
    "BatchOptions": "work",
    "ModelSource": "work",
}

__all__ = [
    "CAVEAT",
    "BatchOptions",
    "BatchProgress",
    "InputSpec",
    "ModelSource",
    "TextRecord",
    "read_status",
    "run_batch",
    "stored_explanation",
    "submodular_pick",
    "summarize",
    "text_seed",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)

if TYPE_CHECKING:
    from .io import InputSpec, TextRecord
    from .runner import BatchProgress, read_status, run_batch
    from .seeds import text_seed
    from .splime import submodular_pick
    from .summary import CAVEAT, stored_explanation, summarize
    from .work import BatchOptions, ModelSource
