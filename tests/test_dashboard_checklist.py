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
    assert by_name["fidelity"].figure == (
        f"picks the model's answer, or one it rates within 0.05 of it, on {summary.close_agreement:.1%} of the "
        f"variations kept aside for checking (the very same answer: {summary.score:.1%}; KL {summary.kl:.3f})"
    )
    assert by_name["fidelity"].level == summary.verdict.check("fidelity").level
    assert by_name["faithfulness"].figure.startswith("removing the top words changes the prediction ")
    assert "than removing random words (deletion AUC " in by_name["faithfulness"].figure  # the number stays
    assert by_name["sampling"].figure.startswith(("settled after", "used its full cap"))
    assert all(r.title == CHECK_TITLES[r.name] for r in rows)


def test_a_check_not_made_says_why_and_has_no_level() -> None:
    explanation = TextExplainer(n_samples=300, random_state=0, uncertainty=False).explain(
        SENTIMENT_TEXT, sentiment_model()
    )
    bare = dataclasses.replace(explanation, stability=None, faithfulness=None)
    rows = {r.name: r for r in checklist_rows(trust_summary(bare))}
    assert rows["faithfulness"].figure == "not checked" and rows["faithfulness"].level is None
    assert rows["stability"].figure == "not computed" and rows["stability"].level is None
    assert rows["sampling"].figure.startswith("fixed: 300 samples, ") and rows["sampling"].level is None


def test_without_re_runs_the_intervals_still_say_which_words_are_settled() -> None:
    explanation = TextExplainer(n_samples=300, random_state=0).explain(SENTIMENT_TEXT, sentiment_model())
    summary = trust_summary(dataclasses.replace(explanation, stability=None))
    row = {r.name: r for r in checklist_rows(summary)}["stability"]
    assert row.level == summary.verdict.check("stability").level
    assert row.figure == (
        f"{len(summary.verdict.settled)} of the top {len(summary.top_words)} words settled by their intervals "
        "(no re-runs computed)"
    )


def test_one_story_sampling_line_checklist_and_verdict_read_the_same_facts() -> None:
    """Sampling that stopped on its own rule beside re-runs that disagree: no line says the top words settled."""
    from lime_core.formatters.html import format_html
    from lime_core.formatters.trust import sampling_line

    explanation = TextExplainer(n_samples="auto", random_state=0, faithfulness=True).explain(
        SENTIMENT_TEXT, sentiment_model()
    )
    assert explanation.sampling.mode == "auto" and explanation.sampling.stopped_because != "sample cap reached"
    moving = dataclasses.replace(explanation.stability, level="medium", warning=True, top_k_jaccard=0.62)
    unsettled = dataclasses.replace(explanation, stability=moving)
    summary = trust_summary(unsettled)
    line = sampling_line(unsettled.sampling, stability=summary.stability)
    assert "re-runs still disagree on them (62% agreement" in line and "had settled" not in line
    rows = {r.name: r for r in checklist_rows(summary)}
    assert rows["sampling"].figure.startswith("stopped after") and "still moving" in rows["sampling"].figure
    assert rows["stability"].figure.startswith("re-runs share 62% of the top")
    assert "had settled" not in format_html(unsettled)  # the HTML report tells the same story

    # "every check" only when every check ran
    assert "every check that was made" not in trust_summary(explanation).verdict.summary
    unchecked = trust_summary(dataclasses.replace(explanation, faithfulness=None)).verdict
    if unchecked.level == "trust":
        assert "every check that was made (its faithfulness was not checked)" in unchecked.summary
    assert "passes every check:" not in unchecked.summary
