"""Which removal operator for the sentiment transformer: deletion, mask token, unknown token, attention mask.

Each review is explained with the default settings (``n_samples="auto"``, seed 0, the predicted class) once per
operator, and with a reference run of ``--reference`` samples (20,000 by default) with the same operator. Per
run it records: held-out KL and score (the explanation's own held-out samples), model calls, top-5 Jaccard with
the reference, the verdict, and faithfulness (comprehensiveness and sufficiency of the top words) measured with
the same operator and with deletion. Optionally eli5 0.16 at 5,000 samples on the same texts (``--peers eli5``):
its held-out KL and wall time. Model answers are shared through one store per operator, and a run's wall time is
its own time plus the model's measured seconds per text for the texts it sends (as in benchmarks/sets.py).

Sets (benchmarks/reviews.py): ``dev`` (REMOVAL_DEV, 20 reviews): the default is chosen on it, by
:func:`choose`; ``report`` (REMOVAL_REPORT, 20 reviews, and the 32 reviews of the set benchmark): measured
after the choice. ``--dev N --report N`` take the first N of each (the machine is small and shared).

    python benchmarks/removal.py --out benchmarks/results/removal.json
    python benchmarks/removal.py --report-file benchmarks/results/removal.json    # print stored figures
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from reviews import REMOVAL_DEV, REMOVAL_REPORT, REVIEWS  # noqa: E402
from sets import SharedAnswers, _wall  # noqa: E402

from lime_core.explainer import TextExplainer  # noqa: E402
from lime_core.removal import REMOVALS, Deletion  # noqa: E402
from lime_core.trust.faithfulness import faithfulness_report  # noqa: E402
from lime_core.trust.stability import jaccard  # noqa: E402
from lime_core.verdict import judge_trust, top_words  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "removal.json"
OPERATORS = tuple(REMOVALS)
TOP = 5
SEED = 0
# A Trustworthy verdict is right when the explanation's top 5 share at least this Jaccard with the reference's.
PRECISE = 0.8


class OperatorAnswers(SharedAnswers):
    """The shared answer store, with the model's tokens and attention-mask support (what the operators read)."""

    def __init__(self, model: Any) -> None:
        super().__init__(model.predict_proba, model.class_names, model.name)
        self.mask_token = model.mask_token
        self.unk_token = model.unk_token
        self.reads_attention_masks = model.reads_attention_masks


def _faithfulness(explainer: TextExplainer, answers: SharedAnswers, removal: Any) -> tuple[float, float]:
    """Comprehensiveness and sufficiency of the explanation's top words, removed by ``removal``."""
    from lime_core.predictor import BlackBox

    nb, trust = explainer.neighbourhood_, explainer.trust_
    c = nb.predicted
    n_words = nb.features.groups.n_words
    contributions = trust.reported()[0][c][:n_words] * trust.feature_values()[:n_words]
    report = faithfulness_report(
        nb.tokenized,
        nb.features.groups.word_of_token,
        nb.features.names[:n_words],
        contributions,
        BlackBox(answers),
        c,
        answers.class_names[c],
        TOP,
        np.random.default_rng([SEED, 2, c]),
        removal=removal,
    )
    return report.comprehensiveness, report.sufficiency


def explain_one(text: str, stores: dict[str, OperatorAnswers], reference: int, peers: Sequence[str]) -> dict:
    row: dict[str, Any] = {"n_words": len(text.split()), "runs": {}}
    for op in OPERATORS:
        answers = stores[op]
        answers.reset()
        start = time.perf_counter()
        explainer = TextExplainer(n_samples="auto", removal=op, random_state=SEED)
        e = explainer.explain(text, answers)
        wall = _wall(time.perf_counter() - start, answers)
        calls = e.n_model_calls
        comp, suff = _faithfulness(explainer, answers, explainer.removal_)
        comp_del, suff_del = _faithfulness(explainer, stores["deletion"], Deletion())
        ref = TextExplainer(n_samples=reference, removal=op, random_state=SEED, uncertainty=False, stability_refits=0)
        r = ref.explain(text, answers)
        top = [w.feature.casefold() for w in top_words(e.targets[0], TOP)]
        ref_top = [w.feature.casefold() for w in top_words(r.targets[0], TOP)]
        row["target"] = e.predicted_class
        row["runs"][op] = {
            "calls": calls,
            "n_samples": e.n_samples,
            "kl": e.metrics.mean_KL_divergence,
            "score": e.metrics.score,
            "reference_kl": r.metrics.mean_KL_divergence,
            "top": top,
            "reference_top": ref_top,
            "jaccard": jaccard(set(top), set(ref_top)),
            "verdict": judge_trust(e).level,
            "comprehensiveness": comp,
            "sufficiency": suff,
            "comprehensiveness_deletion": comp_del,
            "sufficiency_deletion": suff_del,
            "wall": wall,
        }
    for name in peers:
        from run import run_eli5

        answers = stores["deletion"]
        answers.reset()
        target = answers.class_names.index(row["target"])
        with contextlib.redirect_stdout(io.StringIO()):
            run = run_eli5(text, answers, 5000, SEED, target)
        row["runs"][name] = {
            "calls": answers.texts,
            "kl": run.own_kl,
            "score": run.own_score,
            "top": [f.casefold() for f in run.ranked[:TOP]],
            "wall": _wall(run.wall, answers),
        }
    return row


def _q(values: Sequence[float]) -> str:
    v = [x for x in values if x is not None]
    if not v:
        return "-"
    a = np.asarray(v, dtype=float)
    return f"{np.median(a):.4g} [{np.percentile(a, 10):.3g}, {np.percentile(a, 90):.3g}]"


def summary(rows: list[dict], op: str) -> dict[str, Any]:
    """The figures of one operator over a set's rows."""
    runs = [r["runs"][op] for r in rows if op in r["runs"]]
    out: dict[str, Any] = {"n": len(runs)}
    for key in ("kl", "calls", "wall", "jaccard", "comprehensiveness", "sufficiency",
                "comprehensiveness_deletion", "sufficiency_deletion"):
        values = [x[key] for x in runs if x.get(key) is not None]
        if values:
            out[key] = float(statistics.median(values))
            out[key + "_p10_p90"] = [float(np.percentile(values, 10)), float(np.percentile(values, 90))]
    if runs and "verdict" in runs[0]:
        trusted = [x for x in runs if x["verdict"] == "trust"]
        right = [x for x in trusted if x["jaccard"] >= PRECISE]
        clear = [r["runs"][op] for r in rows if r["kind"] == "clear"]
        out["trustworthy"] = len(trusted)
        out["precision"] = len(right) / len(trusted) if trusted else None
        out["coverage_clear"] = sum(x["verdict"] == "trust" for x in clear) / len(clear) if clear else None
        out["verdicts"] = {lvl: sum(x["verdict"] == lvl for x in runs) for lvl in ("trust", "check", "distrust")}
    return out


def choose(dev: list[dict]) -> str:
    """The default: the lowest median held-out KL on the dev set among operators whose top 5 agree with their
    reference at least as well as deletion's (median Jaccard) and whose Trustworthy verdicts are right at least
    as often (precision; an operator with no Trustworthy verdict does not qualify)."""
    figures = {op: summary(dev, op) for op in OPERATORS}
    base = figures["deletion"]
    fit = [
        op for op in OPERATORS
        if figures[op]["jaccard"] >= base["jaccard"] and (figures[op]["precision"] or 0) >= (base["precision"] or 0)
    ]
    return min(fit or ["deletion"], key=lambda op: figures[op]["kl"])


def print_results(results: dict) -> None:
    for name in ("dev", "report"):
        rows = results["sets"].get(name, [])
        if not rows:
            continue
        print(f"\n{name}: {len(rows)} reviews (median [p10, p90])")
        print("| operator | held-out KL | top-5 Jaccard vs reference | comp. (same / deletion) | "
              "suff. (same / deletion) | model calls | wall s | trust / check / distrust | precision | "
              "trustworthy on clear-cut |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        ops = [*OPERATORS, *[p for p in ("eli5",) if any(p in r["runs"] for r in rows)]]
        for op in ops:
            runs = [r["runs"][op] for r in rows if op in r["runs"]]
            s = summary(rows, op)

            def col(key: str, runs: list[dict] = runs) -> str:
                return _q([x.get(key) for x in runs])

            v = s.get("verdicts")
            print(
                f"| {op} | {col('kl')} | {col('jaccard')} | {col('comprehensiveness')} / "
                f"{col('comprehensiveness_deletion')} | {col('sufficiency')} / {col('sufficiency_deletion')} | "
                f"{col('calls')} | {col('wall')} | "
                + (f"{v['trust']} / {v['check']} / {v['distrust']} | " if v else "| ")
                + (f"{s['precision']:.2f} | " if s.get("precision") is not None else "- | ")
                + (f"{s['coverage_clear']:.2f} |" if s.get("coverage_clear") is not None else "- |")
            )
    if results.get("chosen"):
        print(f"\nchosen on dev: {results['chosen']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=int, default=len(REMOVAL_DEV))
    parser.add_argument("--report", type=int, default=len(REMOVAL_REPORT) + len(REVIEWS))
    parser.add_argument("--reference", type=int, default=20_000)
    parser.add_argument("--peers", default="eli5", help="eli5 on the report set, or ''")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--report-file", type=Path, default=None, help="print a stored result file and exit")
    args = parser.parse_args(argv)
    if args.report_file:
        print_results(json.loads(args.report_file.read_text()))
        return 0

    from lime_core.models import load_model

    model = load_model("sentiment")
    stores = {op: OperatorAnswers(model) for op in OPERATORS}
    sets = {
        "dev": [(t, k, "own dev") for t, k in REMOVAL_DEV[: args.dev]],
        "report": [(t, k, "own report") for t, k in REMOVAL_REPORT]
        + [(t, k, "set benchmark") for t, k in REVIEWS],
    }
    sets["report"] = sets["report"][: args.report]
    peers = [p for p in args.peers.split(",") if p]
    started = time.perf_counter()
    results: dict[str, Any] = {
        "model": model.name,
        "reference_samples": args.reference,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared)",
        "sets": {},
    }
    for name, texts in sets.items():
        rows = []
        for i, (text, kind, source) in enumerate(texts):
            row = explain_one(text, stores, args.reference, peers if name == "report" else [])
            row.update(text=text, kind=kind, source=source)
            rows.append(row)
            print(f"{name} {i + 1}/{len(texts)} ({time.perf_counter() - started:.0f} s): "
                  + ", ".join(f"{op} KL {row['runs'][op]['kl']:.4f} J {row['runs'][op].get('jaccard', 0):.2f}"
                              for op in OPERATORS), flush=True)
            results["sets"][name] = rows
            args.out.write_text(json.dumps(results, indent=1))
        if name == "dev" and rows:
            results["chosen"] = choose(rows)
            results["dev_figures"] = {op: summary(rows, op) for op in OPERATORS}
    if sets["report"]:
        results["report_figures"] = {op: summary(results["sets"]["report"], op) for op in OPERATORS}
    results["seconds"] = time.perf_counter() - started
    args.out.write_text(json.dumps(results, indent=1))
    print_results(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
