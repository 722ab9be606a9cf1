"""The trust checklist beside every verdict: one row per check, with its level and its key figure.

What the rows say only the dashboard shows (the reports list the verdict's
reasons and the full figures instead), so it lives here, without Streamlit;
``ui.trust.checklist`` draws the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from lime_core.formatters.trust import TrustSummary, unsettled_in_reruns
from lime_core.metrics import AGREEMENT_MARGIN
from lime_core.trust.adaptive import STOP_CAP
from lime_core.verdict import Level, calls_phrase, rounds_phrase
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
    # Plain words first for a stakeholder, the figure in brackets for an expert.
    if name == "fidelity" and summary.close_agreement is not None:
        return (
            f"picks the model's answer, or one it rates within {AGREEMENT_MARGIN:.2f} of it, on "
            f"{summary.close_agreement:.1%} of the variations kept aside for checking (the very same answer: "
            f"{summary.score:.1%}; KL {summary.kl:.3f})"
        )
    if name == "fidelity":
        return (
            f"copies the model's answer on {summary.score:.1%} of the variations kept aside for checking "
            f"(agreement on held-out variations, KL {summary.kl:.3f})"
        )
    if name == "stability" and summary.stability is not None:
        r = summary.stability
        unlimited = r.expected_jaccard
        expected = f", {unlimited:.0%} expected with unlimited samples" if unlimited is not None else ""
        return (
            f"re-runs share {r.top_k_jaccard:.0%} of the top {r.k} words "
            f"(agreement over {r.n_refits} refits{expected})"
        )
    if name == "stability":  # no re-runs: the intervals alone say which top words are settled
        n = len(summary.verdict.settled)
        return f"{n} of the top {len(summary.top_words)} words settled by their intervals (no re-runs computed)"
    if name == "signs":
        n = len(summary.top_words)
        return f"{n - len(summary.top_uncertain)} of {n} top words push in a certain direction"
    if name == "faithfulness" and summary.faithfulness is not None:
        f = summary.faithfulness
        rand = f.baselines.get("random")
        if rand is None:
            return (
                "how fast the prediction falls as the top words are removed one by one "
                f"(deletion AUC {f.auc:.2f}; lower is better)"
            )
        than = "more" if f.auc < rand.auc else "no more"
        return (
            f"removing the top words changes the prediction {than} than removing random words "
            f"(deletion AUC {f.auc:.2f} vs {rand.auc:.2f}; lower is better)"
        )
    if name == "sampling" and summary.sampling is not None:
        s = summary.sampling
        done = _samples_done(summary)
        if s.mode != "auto":
            return f"fixed: {done}"
        if s.stopped_because == STOP_CAP:
            return f"used its full cap: {done}"
        rounds = rounds_phrase(s.rounds)
        if unsettled_in_reruns(s, summary.stability):  # as the sampling line says: stopped, not settled
            return f"stopped after {rounds}, top words still moving in re-runs: {done}"
        return f"settled after {rounds}: {done}"
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
