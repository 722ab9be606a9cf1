"""A plain-text report of an explanation, for terminals, logs and the CLI's default output.

One block per explained class with the strongest contributions for and
against it, ``<BIAS>`` among them at its place, numbers right-aligned.
"""

from __future__ import annotations

from ..explanation import BIAS_FEATURE, Explanation, TargetExplanation
from ..metrics import AGREEMENT_MARGIN
from ..nothing_to_explain import nothing_to_explain_message
from ..terminal import printable_data
from ..wording import LOCAL_CAVEAT, VERDICT_SCOPE, features_sentence, level_line, removal_sentence
from .highlight import format_weight, top_features, weights_meaning
from .methods import methods_lines
from .trust import faithfulness_line, rounds_line, sampling_line, signs_line, stability_words_line, trust_summary


def format_text(explanation: Explanation, top: int = 20) -> str:
    """Render ``explanation`` as aligned plain text, listing up to ``top`` features per class.

    Labels, words and the model's name are untrusted: control characters and bidirectional overrides in them
    are shown as visible escapes, so they cannot drive a terminal or forge a line of the report.
    """
    e = Explanation.from_dict(printable_data(explanation.to_dict()))
    probabilities = "  ".join(f"{name} {_pct(p)}" for name, p in zip(e.class_names, e.probabilities, strict=True))
    m = e.metrics
    lines = [
        f"Explanation of model {e.model!r} (LIME, {e.n_samples} perturbed texts, {e.n_model_calls} model calls)",
        level_line(e.settings.level, e.settings.level_reason, e.settings.within),
        f"Predicted class: {e.predicted_class} ({_pct(max(e.probabilities, default=0.0))})",
        f"Class probabilities: {probabilities}",
        *multi_label_lines(e),
        f"Fidelity on {m.n_heldout} held-out texts: score {_pct(m.score)} (same top class as the model; 100% is "
        f"perfect), mean KL divergence {m.mean_KL_divergence:.4f} (0 is perfect)",
        removal_sentence(e.settings.removal, e.settings.mask_token),
        *filter(None, [features_sentence(e.settings.bigrams, e.settings.features_reason)]),
    ]
    if e.nothing_to_explain:  # the weights would be noise: say so instead (lime_core.nothing_to_explain)
        return "\n".join([*lines, "", nothing_to_explain_message(e.n_samples), "", LOCAL_CAVEAT]) + "\n"
    for target in e.targets:
        lines.append("")
        lines.extend(_target_lines(target, top))
    if e.targets:
        lines.append("")
        lines.extend(trust_lines(e))
    if e.methods is not None:
        lines += ["", *methods_lines(e.methods)]
    lines += ["", weights_meaning(e), LOCAL_CAVEAT]
    return "\n".join(lines) + "\n"


def multi_label_lines(explanation: Explanation) -> list[str]:
    """A multi-label model's every label probability, and which label this explanation is about."""
    scores = explanation.multi_label
    if scores is None:
        return []
    listed = "  ".join(f"{name} {_pct(p)}" for name, p in zip(scores.labels, scores.probabilities, strict=True))
    return [
        f"Multi-label model: each label is its own yes/no question. Explained label: {scores.label}",
        f"Label probabilities (independent, need not sum to 100%): {listed}",
    ]


def trust_lines(explanation: Explanation) -> list[str]:
    """The short trust block: the verdict per explained class with its reasons, then the figures behind it."""
    summaries = [trust_summary(explanation, t) for t in explanation.targets]
    several = len(summaries) > 1
    out: list[str] = []
    for s in summaries:
        v = s.verdict
        about = f" for {s.class_name}" if several else ""
        out.append(f"Trust{about}: {v.title}. {v.summary}")
        out.extend(f"  \u2022 {reason}" for reason in v.reasons)
    out.append(f"  ({VERDICT_SCOPE})")
    about_reports = {r.class_name for r in (explanation.stability, explanation.faithfulness) if r is not None}
    s = next((x for x in summaries if x.class_name in about_reports), summaries[0])
    out.append(f"Figures{f' for {s.class_name}' if several else ''}:")
    out.append(
        f"  Fidelity: score {_pct(s.score)}"
        + (f", agreement within {AGREEMENT_MARGIN:.2f} {_pct(s.close_agreement)}" if s.close_agreement is not None
           else "")
        + f", mean KL divergence {s.kl:.4f}, probability gap {s.gap:.3f}"
    )
    if s.stability is not None:
        r = s.stability
        out.append(
            f"  Stability: top-{r.k} agreement {r.top_k_jaccard:.0%} over {r.n_refits} refits"
            + (f", {r.expected_jaccard:.0%} expected with unlimited samples" if r.expected_jaccard is not None else "")
            + f" ({r.level}). "
            + stability_words_line(s)
        )
    if s.has_intervals:
        out.append(f"  Signs ({s.confidence:.0%} intervals): {signs_line(s)}")
    if s.faithfulness is not None:
        out.append(f"  Faithfulness ({s.faithfulness.level}): {faithfulness_line(s.faithfulness)}")
    elif s.faithfulness_elsewhere is not None:
        out.append(f"  Faithfulness: measured for {s.faithfulness_elsewhere} only.")
    if s.sampling is not None:
        line = sampling_line(s.sampling, reused=s.n_answers_reused, stability=s.stability)
        rounds = f" ({rounds_line(s.sampling)})" if s.sampling.mode == "auto" else ""
        out.append(f"  Sampling: {line}{rounds}.")
    return out


def _target_lines(target: TargetExplanation, top: int) -> list[str]:
    chosen = top_features(target, top)
    # (contribution, feature, std, count) rows in display order; <BIAS> is placed by its value.
    rows: list[tuple[float, str, float | None, float, bool]] = [
        (w.contribution, w.feature, w.std, w.value, w.sign_certain is False) for w in chosen.positive + chosen.negative
    ]
    rows.append((target.bias, BIAS_FEATURE, None, 1.0, False))
    rows.sort(key=lambda r: -r[0])
    with_std = any(r[2] is not None for r in rows)

    numbers = [format_weight(c) for c, *_ in rows]
    stds = [f"± {format_weight(s, signed=False)}" if s is not None else "" for _, _, s, _, _ in rows]
    num_width = max(len("Contribution"), *(len(n) for n in numbers))
    std_width = max(len("Std"), *(len(s) for s in stds)) if with_std else 0

    def line(number: str, std: str, feature: str) -> str:
        cells = [number.rjust(num_width)] + ([std.ljust(std_width)] if with_std else []) + [feature]
        return "  ".join(cells).rstrip()

    out = [
        f"y={target.class_name} (probability {_pct(target.probability)}, surrogate "
        f"{_pct(target.surrogate_probability)}) top features",
        line("Contribution", "Std", "Feature"),
    ]
    # The "… more …" lines go between the positive and the negative rows, where the left-out features rank.
    middle = _hidden(chosen.hidden_positive, "positive") + _hidden(chosen.hidden_negative, "negative")
    for (c, feature, _, count, unsure), number, std in zip(rows, numbers, stds, strict=True):
        if c < 0 and middle:
            out.extend(middle)
            middle = []
        label = feature if count == 1 or feature == BIAS_FEATURE else f"{feature}  (×{count:g})"
        if unsure:
            label += "  (sign uncertain)"
        out.append(line(number, std, label))
    out.extend(middle)
    return out


def _hidden(n: int, sign: str) -> list[str]:
    return [f"… {n} more {sign} feature{'s' if n != 1 else ''} …"] if n else []


def _pct(p: float) -> str:
    return f"{100.0 * p:.1f}%"
