"""Batch explanations: a whole dataset explained into Parquet, on local processes or Ray, then summarised.

* :func:`run_batch` (:mod:`.runner`): read a dataset in chunks, explain every text once
  (per-text seeds from the run's seed and the text's id), write ``explanations.parquet`` and
  ``weights.parquet``; resumable.
* :func:`summarize` (:mod:`.summary`): words per class across the local explanations, the
  SP-LIME pick (:mod:`.splime`), and with labels the confusion matrix and the words behind each mistake.

Ray is imported only by :mod:`.ray_backend`, when the ``ray`` backend is asked for.
"""

from .io import InputSpec, TextRecord
from .runner import BatchProgress, read_status, run_batch
from .seeds import text_seed
from .splime import submodular_pick
from .summary import CAVEAT, stored_explanation, summarize
from .work import BatchOptions, ModelSource

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
