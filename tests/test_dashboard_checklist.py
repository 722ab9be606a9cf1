"""The checklist beside every verdict (dashboard.checklist), computed without Streamlit."""

from __future__ import annotations

import dataclasses

from dashboard.checklist import checklist_rows
from lime_core import TextExplainer
from lime_core.formatters.trust import trust_summary
from lime_core.wording import CHECK_TITLES
from tests.blackboxes import SENTIMENT_TEXT, sentiment_model


def test_one_row_per_check_in_the_reports_order_with_its_figure() -> None:
    explanation = TextExplainer(n_samples="auto", random_state=0, faithfulness=True).explain(
        SENTIMENT_TEXT, sentiment_model()
    )
    summary = trust_summary(explanation)
    rows = checklist_rows(summary)
    names = [r.name for r in rows]
    assert names == [n for n in CHECK_TITLES if n in names]  # the order of lime_core.wording.CHECK_TITLES
    assert {"fidelity", "stability", "signs", "faithfulness", "sampling"} <= set(names) and "language" not in names
    by_name = {r.name: r for r in rows}
    assert by_name["fidelity"].figure == f"agreement {summary.score:.1%}, KL {summary.kl:.3f}"
    assert by_name["fidelity"].level == summary.verdict.check("fidelity").level
    assert by_name["faithfulness"].figure.startswith("deletion AUC ")
    assert by_name["sampling"].figure.startswith(("settled after", "used its full cap"))
    assert all(r.title == CHECK_TITLES[r.name] for r in rows)


def test_a_check_not_made_says_why_and_has_no_level() -> None:
    explanation = TextExplainer(n_samples=300, random_state=0).explain(SENTIMENT_TEXT, sentiment_model())
    bare = dataclasses.replace(explanation, stability=None, faithfulness=None)
    rows = {r.name: r for r in checklist_rows(trust_summary(bare))}
    assert rows["faithfulness"].figure == "not checked" and rows["faithfulness"].level is None
    assert rows["stability"].figure == "not computed" and rows["stability"].level is None
    assert rows["sampling"].figure.startswith("fixed: 300 samples, ") and rows["sampling"].level is None
