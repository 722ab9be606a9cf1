"""Putting text that came from outside (class labels, model messages) into Streamlit markdown safely."""

from __future__ import annotations

import re

# Characters with a meaning in Streamlit markdown (CommonMark, colour/icon directives, LaTeX).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|:$<>~=])")
# GitHub-flavoured markdown links "https://…", "www.…" and "a@b.c" by itself, after escapes are decoded. An
# invisible WORD JOINER (U+2060) before "://", after "www" and before "@" breaks those patterns; the text reads
# the same.
_AUTOLINK = re.compile(r"(?=://)|(?<=www)(?=\.)|(?=@)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def md_escape(text: object) -> str:
    """Escape markdown syntax and break autolinks, so the text shows literally and never becomes a link."""
    text = _AUTOLINK.sub(WORD_JOINER, str(text).replace("&", "&amp;"))
    return _MD_SPECIAL.sub(r"\\\1", text)


def pct(p: float) -> str:
    return f"{100.0 * p:.1f}%"
