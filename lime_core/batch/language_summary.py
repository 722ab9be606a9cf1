"""Which texts of a batch run are in a language the model does not read, from what each explanation recorded.

A run told the model's languages (``BatchOptions.languages``: ``--languages``,
or a bundled model's declared ones) checks every text with
:func:`lime_core.language.language_report`, the rule of the dashboard's
Explain and Dataset pages, and keeps the report in the text's stored
explanation (its ``language`` key; the verdict says so too). This module
counts the texts whose report says ``supported: false``, for the end of
``explain-batch`` and for ``summarize``. It reads the stored JSON as text, one
row group at a time, without parsing it: user text is escaped inside JSON, so
the unescaped key can only be the report's own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..language import languages_phrase
from .io import explanation_sources, read_while_compacting
from .runner import RUN_FILE

NOT_SUPPORTED = '"supported": false'  # how json.dumps writes LanguageReport.to_dict()'s flag
LISTED_IDS = 10


def run_languages(output: Path) -> tuple[str, ...]:
    """The languages a run checked its texts against (from its ``run.json``; () when none or unknown)."""
    try:
        manifest = json.loads((Path(output) / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    return tuple(manifest.get("options", {}).get("languages") or ())


@read_while_compacting
def language_summary(output: str | Path) -> dict[str, Any] | None:
    """``{model_languages, n_other_language, ids}`` (the first ids), or None when the run checked no languages."""
    output = Path(output)
    languages = run_languages(output)
    if not languages:
        return None
    ids: list[str] = []
    seen: set[str] = set()
    for path in explanation_sources(output):
        file = pq.ParquetFile(path)
        for group in range(file.num_row_groups):
            table = file.read_row_group(group, columns=["id", "explanation"])
            flagged = pc.fill_null(pc.match_substring(table.column("explanation"), NOT_SUPPORTED), False)
            for text_id in table.filter(flagged).column("id").to_pylist():
                if text_id not in seen:  # a resumed run's parts may repeat a text
                    seen.add(text_id)
                    ids.append(text_id)
    return {"model_languages": list(languages), "n_other_language": len(ids), "ids": ids[:LISTED_IDS]}


def language_line(summary: dict[str, Any] | None) -> str | None:
    """One sentence for a terminal, or None when the run checked no languages."""
    if summary is None:
        return None
    reads = languages_phrase(tuple(summary["model_languages"]))
    n = summary["n_other_language"]
    if not n:
        return f"Languages: no text was found in a language the model does not read (it reads {reads})."
    listed = ", ".join(summary["ids"]) + (" ..." if n > len(summary["ids"]) else "")
    return (
        f"Languages: {n:,} text{'s' if n != 1 else ''} look{'s' if n == 1 else ''} like another language than the "
        f"model reads ({reads}): the model may not understand {'them' if n != 1 else 'it'}, and "
        f"{'their explanations say' if n != 1 else 'its explanation says'} so (ids {listed})."
    )
