"""The committed notebook, run top to bottom in a real Jupyter kernel (nbclient + ipykernel)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "migrating-from-eli5-and-lime.ipynb"


def _html_outputs(cell) -> list[str]:
    return [out["data"]["text/html"] for out in cell.get("outputs", []) if "text/html" in out.get("data", {})]


def _cell(nb, fragment: str):
    (found,) = [c for c in nb.cells if c.cell_type == "code" and fragment in c.source]
    return found


def _highlighted_words(html: str) -> set[str]:
    """Words the highlight shows in colour (a background other than transparent)."""
    return {
        m.group(1).casefold()
        for m in re.finditer(r'class="lc-word"[^>]*background-color:#[0-9a-f]{6}[^>]*>([^<]+)<', html)
    }


def test_notebook_runs_in_a_kernel_and_shows_highlighted_words(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel starts in a folder outside the repository: lime_core must come from the installed package.
    nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    eli5_way = _html_outputs(_cell(nb, "te.show_prediction(target_names=target_names)"))
    lime_way = _html_outputs(_cell(nb, "exp.show_in_notebook()"))
    function_way = _html_outputs(_cell(nb, "def model_adapter"))
    for outputs in (eli5_way, lime_way, function_way):
        assert len(outputs) == 1
    for html in (eli5_way[0], lime_way[0]):
        assert {"excellent", "boring", "awful"} <= _highlighted_words(html)
        assert "positive" in html and "negative" in html
    assert "excellent" in _highlighted_words(function_way[0])

    metrics = _cell(nb, "te.metrics_")["outputs"][0]["data"]["text/plain"]
    assert "mean_KL_divergence" in metrics and "score" in metrics
    as_list = _cell(nb, "exp.as_list()")["outputs"][0]["data"]["text/plain"]
    assert as_list.count("(") == 6
