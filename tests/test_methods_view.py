"""The Explain page's Methods view in Streamlit's AppTest: asked for with a button, then every method on one scale."""

from __future__ import annotations

import pytest

from tests.test_app_pages import app_env, chart_with, press, start, unescaped, visible_text  # noqa: F401


def test_methods_view_compares_lime_with_kernelshap_and_occlusion_on_one_colour_scale() -> None:
    at = start()
    press(at, "Explain")
    result = at.session_state["explain.result"]
    assert result.explanation().methods is None  # nothing is asked before the user asks
    label = next(b.label for b in at.button if b.label.startswith("Compare methods (at most "))
    before = result.n_check_calls
    press(at, label)
    explanation = result.explanation()
    report = explanation.methods
    assert report is not None and report.class_name == explanation.predicted_class
    assert report.compared == ("lime", "kernelshap", "occlusion")
    assert result.n_check_calls > before  # the methods' model calls are counted with the checks
    assert report.summary in unescaped(visible_text(at))
    _, cells = chart_with(at, "word", "method", "share")
    assert set(cells["method"]) == {"LIME", "KernelSHAP", "Occlusion"}
    # One colour scale: every value is its method's share of its own largest, so each method reaches ±1 at most once.
    assert cells["share"].abs().max() <= 1.0 + 1e-12
    for _, shares in cells.groupby("method")["share"]:
        assert shares.abs().max() == pytest.approx(1.0) or len(shares) < report.n_words
    table = next(d.value for d in at.dataframe if "Measure" in d.value.columns).set_index("Measure")
    assert float(table.loc["Comprehensiveness", "KernelSHAP"]) == pytest.approx(
        report.result("kernelshap").faithfulness.comprehensiveness, abs=5e-4
    )
    agreement = next(d.value for d in at.dataframe if "Shared words" in d.value.columns)
    assert len(agreement) == 3
