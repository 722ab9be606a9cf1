"""An explanation as a tidy pandas DataFrame, for analysis in notebooks and CSV export.

pandas is imported inside :func:`format_dataframe` only, so the rest of
lime_core works without it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..explanation import BIAS_FEATURE, Explanation, TargetExplanation

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = (
    "target",
    "feature",
    "weight",
    "value",
    "contribution",
    "std",
    "interval_low",
    "interval_high",
    "n_occurrences",
)
"""The columns of a weights table, in every export of one (eli5's ``format_as_dataframe`` names where it has them)."""
DTYPES = {
    "target": "object",
    "feature": "object",
    "weight": "float64",
    "value": "float64",
    "contribution": "float64",
    "std": "float64",
    "interval_low": "float64",
    "interval_high": "float64",
    "n_occurrences": "int64",
}


def weight_rows(target: TargetExplanation, include_bias: bool = True) -> list[dict[str, Any]]:
    """One class's rows of the table, keyed by :data:`COLUMNS`: its features in order, then ``<BIAS>``.

    The one definition of a weights row: :func:`format_dataframe` and the
    dashboard's tables and CSV export (``dashboard/report.py``) are built from it.
    """
    rows: list[dict[str, Any]] = []
    for w in target.weights:
        low, high = w.interval if w.interval is not None else (math.nan, math.nan)
        rows.append(
            {
                "target": target.class_name,
                "feature": w.feature,
                "weight": w.weight,
                "value": w.value,
                "contribution": w.contribution,
                "std": math.nan if w.std is None else w.std,
                "interval_low": low,
                "interval_high": high,
                "n_occurrences": len(w.spans),
            }
        )
    if include_bias:
        rows.append(
            {
                "target": target.class_name,
                "feature": BIAS_FEATURE,
                "weight": target.bias,
                "value": 1.0,
                "contribution": target.bias,
                "std": math.nan,
                "interval_low": math.nan,
                "interval_high": math.nan,
                "n_occurrences": 0,
            }
        )
    return rows


def format_dataframe(explanation: Explanation) -> pd.DataFrame:
    """One row per (explained class, feature), ``<BIAS>`` included, in the explanation's order.

    Per class the features come in the explanation's order (most positive
    weight first) followed by the ``<BIAS>`` row (weight = contribution = the
    intercept, value 1, no occurrences). Missing ``std``/interval are NaN.
    """
    import pandas as pd

    rows = [row for t in explanation.targets for row in weight_rows(t)]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype(DTYPES)
