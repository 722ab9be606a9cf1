"""The trust reports of an explanation as plain strings and numbers, shared by every renderer and the dashboard.

:func:`trust_summary` gathers, for one explained class, the verdict of
:func:`lime_core.verdict.judge_trust` and the figures behind it (fidelity,
stability, sign certainty, faithfulness, sampling), so that the HTML report,
the text report and the dashboard show the same verdict, reasons and numbers.
Nothing here produces markup; words taken from the text stay plain strings
for the renderers to escape.

Which reports apply to which class follows :func:`~lime_core.verdict.judge_trust`:
stability is about one class (any class of a two-class model, whose top words
are the same for both); faithfulness is about the class it was measured for
only (the other class of a two-class model ranks other words first).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..defaults import CONFIDENCE, TOP_K
from ..explanation import (
    BIAS_FEATURE,
    STOP_CAP,
    STOP_EARLY,
    STOP_INTERIM,
    Explanation,
    FaithfulnessReport,
    FaithfulnessScores,
    SamplingReport,
    StabilityReport,
    TargetExplanation,
    WordStability,
)
from ..trust.stability import near_tie_at_edge
from ..verdict import (
    TrustVerdict,
    calls_phrase,
    judge_trust,
    probability_change,
    probability_gap,
    rounds_phrase,
    top_words,
    unlimited_samples_share,
    unsettled_in_reruns,
)
from ..wording import STOP_REASONS


@dataclass(frozen=True)
class TrustSummary:
    """The verdict on one explained class and the figures behind it (reports that do not apply are None)."""

    class_name: str
    verdict: TrustVerdict
    # fidelity
    score: float
    kl: float
    gap: float
    n_heldout: int
    # intervals and signs
    confidence: float | None  # nominal coverage of the intervals; None without intervals
    top_words: tuple[str, ...]  # the words whose signs the verdict checks (largest |weight| first)
    top_uncertain: tuple[str, ...]  # those of them whose interval contains zero
    all_uncertain: tuple[str, ...]  # every word whose interval contains zero, largest |weight| first
    n_words: int
    # stability (for this class)
    stability: StabilityReport | None
    moving: tuple[WordStability, ...]  # words that leave or enter the top k in some refit, by reported rank
    sign_flips: tuple[str, ...]  # top words whose sign flips in some refit
    # faithfulness
    faithfulness: FaithfulnessReport | None  # measured for this class
    faithfulness_elsewhere: str | None  # the class it was measured for, when another one
    # sampling
    sampling: SamplingReport | None
    n_answers_reused: int = 0  # answers the prediction cache gave (not model calls)
    language_warning: str | None = None  # the text is in a language the model does not declare
    # share of held-out samples where the surrogate picks a class the model rates within AGREEMENT_MARGIN of its
    # top class: the agreement the verdict judges (None for results stored before it)
    close_agreement: float | None = None

    @property
    def has_intervals(self) -> bool:
        return self.confidence is not None


def trust_summary(explanation: Explanation, target: TargetExplanation | str | None = None) -> TrustSummary:
    """Everything the trust panel and the reports show about one explained class (default: the first)."""
    if isinstance(target, str):
        target = explanation.target(target)
    if target is None:
        target = explanation.targets[0]
    verdict = judge_trust(explanation, target)
    two = len(explanation.class_names) == 2
    stability = explanation.stability
    if stability is not None and stability.class_name != target.class_name and not two:
        stability = None
    faithfulness = explanation.faithfulness
    elsewhere = None
    if faithfulness is not None and faithfulness.class_name != target.class_name:
        elsewhere, faithfulness = faithfulness.class_name, None

    k = stability.k if stability is not None else TOP_K
    words = [w for w in target.weights if w.feature != BIAS_FEATURE]
    top = top_words(target, k)
    with_interval = all(w.interval is not None for w in words) and bool(words)
    confidence = None
    if with_interval:
        confidence = explanation.uncertainty.confidence if explanation.uncertainty is not None else CONFIDENCE
    ranked = sorted(words, key=lambda w: -abs(w.weight))
    moving: tuple[WordStability, ...] = ()
    flips: tuple[str, ...] = ()
    if stability is not None:
        moving = tuple(
            sorted(
                (w for w in stability.words if _moves(w, stability.top_k)),
                key=lambda w: (w.feature not in stability.top_k, w.reported_rank),
            )
        )
        flips = tuple(w for w in stability.sign_flips if w in stability.top_k)
    return TrustSummary(
        class_name=target.class_name,
        verdict=verdict,
        score=explanation.metrics.score,
        kl=explanation.metrics.mean_KL_divergence,
        gap=probability_gap(target),
        n_heldout=explanation.metrics.n_heldout,
        close_agreement=explanation.metrics.close_agreement,
        confidence=confidence,
        top_words=tuple(w.feature for w in top),
        top_uncertain=tuple(w.feature for w in top if w.sign_certain is False) if with_interval else (),
        all_uncertain=tuple(w.feature for w in ranked if w.sign_certain is False) if with_interval else (),
        n_words=len(words),
        stability=stability,
        moving=moving,
        sign_flips=flips,
        faithfulness=faithfulness,
        faithfulness_elsewhere=elsewhere,
        sampling=explanation.sampling,
        n_answers_reused=explanation.n_answers_reused,
        language_warning=explanation.language.warning() if explanation.language is not None else None,
    )


def _moves(word: WordStability, top_k: tuple[str, ...]) -> bool:
    # A reported top word that leaves the top k in some refit, or another word that enters it in some refit.
    return word.in_top_k < 1.0 if word.feature in top_k else word.in_top_k > 0.0


# -- sentences and short labels -------------------------------------------------------------------------------------


def quoted(words: tuple[str, ...] | list[str], limit: int = 6) -> str:
    """“a”, “b” and “c” (at most ``limit`` names, then "and N more")."""
    names = [f"\u201c{w}\u201d" for w in words]
    if not names:
        return "none"
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def stop_reason(sampling: SamplingReport, stability: StabilityReport | None = None) -> str:
    """Why sampling stopped, in plain words (agreeing with the stability check when it is given)."""
    reason = STOP_REASONS.get(sampling.stopped_because, sampling.stopped_because)
    if sampling.stopped_because == STOP_CAP:
        cap = sampling.max_samples or sampling.n_samples
        reason = f"the cap of {cap:,} samples was reached before the top words settled"
    elif unsettled_in_reruns(sampling, stability):
        assert stability is not None
        reason = (
            "the top words stopped changing from one round to the next, though re-runs still disagree on them "
            f"({stability.top_k_jaccard:.0%} agreement; see Stability)"
        )
    return reason


def sampling_line(
    sampling: SamplingReport | None,
    n_samples: int | None = None,
    n_model_calls: int | None = None,
    reused: int = 0,
    stability: StabilityReport | None = None,
) -> str:
    """One line: "auto: 900 samples in 3 rounds, 640 model calls, stopped because ..." or "300 samples, ..."."""
    if sampling is None:
        return f"{n_samples or 0:,} samples, {calls_phrase(n_model_calls or 0, reused)}"
    calls = calls_phrase(sampling.n_model_calls, reused)
    if sampling.mode == "auto":
        rounds = f" in {rounds_phrase(sampling.rounds)}"
        if sampling.stopped_because == STOP_INTERIM:  # not stopped: "stopped because it has not stopped" misleads
            return f"auto, preliminary: {sampling.n_samples:,} samples so far{rounds}, {calls}; sampling goes on"
        if sampling.stopped_because == STOP_EARLY:
            early = "stopped early on request, before the top words had settled"
            return f"auto: {sampling.n_samples:,} samples{rounds}, {calls}, {early}"
        return (
            f"auto: {sampling.n_samples:,} samples{rounds}, {calls}, stopped because {stop_reason(sampling, stability)}"
        )
    return f"{sampling.n_samples:,} samples (fixed), {calls}"


def rounds_line(sampling: SamplingReport) -> str:
    """Samples after each round: "510 → 2,040 → 5,000 samples"."""
    if not sampling.history:
        return f"{sampling.n_samples:,} samples"
    return " \u2192 ".join(f"{r.n_samples:,}" for r in sampling.history) + " samples"


def stability_words_line(summary: TrustSummary) -> str:
    """Which words move: "“stones” (in the top 5 in 60% of refits), ..." or a sentence saying none do."""
    r = summary.stability
    if r is None:
        return ""
    if not summary.moving:
        return f"The same top {len(r.top_k)} words in every refit." if r.top_k else "No word has a noticeable weight."
    parts = [f"\u201c{w.feature}\u201d ({w.in_top_k:.0%})" for w in summary.moving[:6]]
    more = f" and {len(summary.moving) - 6} more" if len(summary.moving) > 6 else ""
    return f"Moving in or out of the top {r.k} (share of refits in it): " + ", ".join(parts) + more + "."


def stability_warning(summary: TrustSummary) -> str | None:
    """The warning to show when the top words do not agree across refits, or flip sign (None when neither)."""
    r = summary.stability
    if r is None or not r.warning:
        return None
    if r.level == "high":  # the words agree; the warning is about their signs
        parts = [f"The top words agree across re-runs (agreement {r.top_k_jaccard:.0%})"]
        if summary.sign_flips:
            parts.append(f"but {quoted(summary.sign_flips)} change sign in some of them")
        return " ".join(parts) + ". Do not make a point of the direction of those words; more samples may help."
    tied = summary.verdict.tied
    if near_tie_at_edge(r) and tied and summary.verdict.settled:  # the verdict names the tie: say the same
        return (
            f"The top words agree across re-runs (agreement {r.top_k_jaccard:.0%}), but {unlimited_samples_share(r)}: "
            f"{quoted(tied)} are close, so do not make a point of their order."
        )
    if near_tie_at_edge(r):
        return (
            f"The top words agree across re-runs (agreement {r.top_k_jaccard:.0%}), but {unlimited_samples_share(r)}. "
            "Treat the last of the top words as uncertain; more samples may help."
        )
    parts = [f"The top words do not agree across re-runs (agreement {r.top_k_jaccard:.0%})"]
    if summary.sign_flips:
        parts.append(f"{quoted(summary.sign_flips)} change sign in some of them")
    return "; ".join(parts) + ". Treat the order of the top words as rough; more samples may help."


def signs_line(summary: TrustSummary) -> str:
    """Which words have an uncertain sign, among the top words and among all words."""
    if not summary.has_intervals:
        return "No intervals were computed for this explanation."
    k = len(summary.top_words)
    if k == 0:
        head = "No word has a noticeable weight, so there is no top word to check."
    elif not summary.top_uncertain:
        head = "The top word has a certain sign." if k == 1 else f"Every one of the top {k} words has a certain sign."
    else:
        head = (
            f"Uncertain among the top {k}: {quoted(summary.top_uncertain)}."
            if k > 1
            else (f"The top word {quoted(summary.top_uncertain)} has an uncertain sign.")
        )
    others = [w for w in summary.all_uncertain if w not in summary.top_uncertain]
    if others:
        rest = summary.n_words - k
        verb = "has" if len(others) == 1 else "have"
        head += f" {len(others)} of the other {rest} word{'s' if rest != 1 else ''} {verb} an uncertain sign."
    return head


def faithfulness_rows(report: FaithfulnessReport) -> list[dict[str, object]]:
    """Rows measure / this explanation / random / occlusion / which way is better, for a table."""
    rankings: list[tuple[str, FaithfulnessScores | None]] = [
        ("explanation", report.scores),
        ("random", report.baselines.get("random")),
        ("occlusion", report.baselines.get("occlusion")),
    ]
    rows = []
    for key, label in (
        ("comprehensiveness", "Comprehensiveness"),
        ("sufficiency", "Sufficiency"),
        ("auc", "Deletion-curve AUC"),
    ):
        row: dict[str, object] = {"measure": label}
        for name, scores in rankings:
            row[name] = None if scores is None else float(getattr(scores, key))
        row["better"] = "higher" if key == "comprehensiveness" else "lower"
        rows.append(row)
    return rows


def faithfulness_line(report: FaithfulnessReport) -> str:
    """One sentence with the key numbers; a rise or no change is said in words, never as a negative drop."""
    rand, occ = report.baselines.get("random"), report.baselines.get("occlusion")
    others = [
        f"{name}: {probability_change(b.comprehensiveness, 'it')}"
        for name, b in (("random words", rand), ("occlusion", occ))
        if b is not None
    ]
    curves = [f"{name} {b.auc:.2f}" for name, b in (("random", rand), ("occlusion", occ)) if b is not None]
    return (
        f"Removing the top {report.k} word{'s' if report.k != 1 else ''} "
        f"{probability_change(report.comprehensiveness, report.class_name)}"
        + (f" ({'; '.join(others)})" if others else "")
        + f"; deletion-curve AUC {report.auc:.2f}"
        + (f" ({', '.join(curves)})" if curves else "")
        + "."
    )
