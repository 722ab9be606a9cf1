"""Renderers for :class:`~lime_core.explanation.Explanation`: HTML, plain text and a pandas DataFrame.

:mod:`.highlight` holds the logic they share (word weights, colours, top
features), which the dashboard uses too. pandas is imported only when
:func:`format_dataframe` is called.
"""

from .dataframe import format_dataframe
from .highlight import (
    Segment,
    TopFeatures,
    colour_for,
    default_scale,
    format_weight,
    token_weights,
    top_features,
    weights_meaning,
)
from .html import format_html, highlight_html
from .text import format_text

__all__ = [
    "Segment",
    "TopFeatures",
    "colour_for",
    "default_scale",
    "format_dataframe",
    "format_html",
    "format_text",
    "format_weight",
    "highlight_html",
    "token_weights",
    "top_features",
    "weights_meaning",
]
