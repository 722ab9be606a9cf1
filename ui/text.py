"""Putting text that came from outside (class labels, model messages) into Streamlit markdown safely."""

from __future__ import annotations

import re

# Characters with a meaning in Streamlit markdown (CommonMark, colour/icon directives, LaTeX).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|:$<>~=])")


def md_escape(text: object) -> str:
    """Backslash-escape markdown syntax so the text shows literally."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def pct(p: float) -> str:
    return f"{100.0 * p:.1f}%"
