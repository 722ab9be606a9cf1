"""The trust checklist beside every verdict: one row per check, with its level and its key figure.

What the rows say only the dashboard shows (the reports list the verdict's
reasons and the full figures instead), so it lives here, without Streamlit;
``ui.trust.checklist`` draws the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from lime_core.formatters.trust import TrustSummary
from lime_core.trust.adaptive import STOP_CAP
from lime_core.verdict import Level, calls_phrase
from lime_core.wording import CHECK_TITLES

NOT_READ = "the text is not in a language the model reads"


@dataclass(frozen=True)
class ChecklistRow:
    """One line of the checklist: the check's level (None: not made), its title and its figure."""

    name: str
    level: Level | None
    title: str
    figure: str


def checklist_rows(summary: TrustSummary) -> list[ChecklistRow]:
    """The checks in :data:`lime_core.wording.CHECK_TITLES`'s order; a check with nothing to say has no row."""
    rows = []
    for name, title in CHECK_TITLES.items():
        check = summary.verdict.check(name)
        if name == "language":  # a line only when the text is outside the model's languages
            figure = NOT_READ if check is not None else ""
        else:
            figure = check_figure(summary, name) if check is not None else missing_figure(summary, name)
        if figure:
            rows.append(ChecklistRow(name, check.level if check is not None else None, title, figure))
    return rows


def check_figure(summary: TrustSummary, name: str) -> str:
    """A short figure for one check, for a checklist row ("agreement 97.9%, KL 0.047")."""
    if name == "fidelity":
        return f"agreement {summary.score:.1%}, KL {summary.kl:.3f}"
    if name == "stability" and summary.stability is not None:
        r = summary.stability
        expected = f", {r.expected_jaccard:.0%} expected" if r.expected_jaccard is not None else ""
        return f"top-{r.k} agreement {r.top_k_jaccard:.0%} over {r.n_refits} refits{expected}"
    if name == "signs":
        n = len(summary.top_words)
        return f"{n - len(summary.top_uncertain)} of {n} top words certain"
    if name == "faithfulness" and summary.faithfulness is not None:
        f = summary.faithfulness
        rand = f.baselines.get("random")
        return f"deletion AUC {f.auc:.2f}" + (f" vs {rand.auc:.2f} random" if rand is not None else "")
    if name == "sampling" and summary.sampling is not None:
        s = summary.sampling
        done = _samples_done(summary)
        if s.mode != "auto":
            return f"fixed: {done}"
        if s.stopped_because == STOP_CAP:
            return f"used its full cap: {done}"
        return f"settled after {s.rounds} round{'s' if s.rounds != 1 else ''}: {done}"
    return ""


def missing_figure(summary: TrustSummary, name: str) -> str:
    """Why a check is absent, for the checklist ("" hides the line)."""
    if name == "faithfulness":
        if summary.faithfulness_elsewhere is not None:
            return f"measured for \u201c{summary.faithfulness_elsewhere}\u201d only"
        return "not checked"
    if name == "sampling" and summary.sampling is not None and summary.sampling.mode != "auto":
        return f"fixed: {_samples_done(summary)}"
    if name == "stability":
        return "not computed"
    return ""


def _samples_done(summary: TrustSummary) -> str:
    s = summary.sampling
    assert s is not None
    return f"{s.n_samples:,} samples, {calls_phrase(s.n_model_calls, summary.n_answers_reused)}"
