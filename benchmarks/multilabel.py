"""Multi-label explanations measured on unseen cross-posted posts.

Usage: ``python benchmarks/multilabel.py [--posts 10] [--out benchmarks/results/multilabel.json]``;
``--report FILE`` re-prints a stored run.

The model is ``20ng-crosspost`` (one-vs-rest logistic regression over all 20 groups,
:mod:`lime_core.models.newsgroups.crosspost`); the set is its *test* posts whose discussion went to several
groups (162 posts; ``--posts`` of them between 300 and 3,000 characters, drawn with a fixed seed). Nothing here
was tuned on these posts.

For every post, three lime_core runs, each one set of samples shared by every label: ``auto`` (the default
adaptive sampling, which settles the top label), ``5000`` and the ``20000`` reference (another seed). Each is
explained for the post's labels: its top label (the one the samples are drawn for) and its true groups. Per
label it records the label's own held-out binary KL and agreement, the top-5 words (by |weight|) and their
Jaccard similarity with the reference's, and the verdict. Printed as median [p10, p90] over the labels, apart for
the top label and the other ("shared") labels; verdict precision is the share of "Trustworthy" labels whose
top 5 has Jaccard >= 0.8 with the reference (benchmarks/sets.py's rule), coverage the share that is
"Trustworthy".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sets import crossposted_posts  # noqa: E402

from lime_core.explainer import TextExplainer  # noqa: E402
from lime_core.models.newsgroups.crosspost import CrosspostClassifier, load_crosspost  # noqa: E402
from lime_core.trust.stability import jaccard  # noqa: E402
from lime_core.verdict import judge_trust  # noqa: E402

TOP = 5
SEED = 0
REFERENCE = "20000"
RUNS = {"auto": ("auto", SEED), "5000": (5000, SEED), REFERENCE: (20000, SEED + 1)}


def pick_posts(n: int, seed: int = 0) -> tuple[list[int], Any]:
    """The zoo's multi-label set (benchmarks/sets.py's ``crossposted_posts``: one rule for both benchmarks)."""
    return crossposted_posts(n, "test", seed), load_crosspost("test")


def top_words(explanation: Any) -> list[str]:
    return [w.feature for w in explanation.targets[0].top(TOP)]


def explain_post(model: CrosspostClassifier, text: str, labels: list[str]) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    for name, (n_samples, seed) in RUNS.items():
        started = time.perf_counter()
        explainer = TextExplainer(n_samples=n_samples, max_samples=5000, random_state=seed).fit(text, model)
        top_label = explainer.fit_result_.label
        per_label = {}
        for label in dict.fromkeys([top_label, *labels]):
            e = explainer.explanation(label)
            per_label[label] = {
                "drawn_for": label == top_label,
                "probability": e.probabilities[1],
                "kl": e.metrics.mean_KL_divergence,
                "score": e.metrics.score,
                "top": top_words(e),
                "verdict": judge_trust(e).level,
            }
        runs[name] = {
            "calls": int(explainer.n_model_calls_),
            "samples": int(explainer.neighbourhood_.n_samples),
            "top_label": top_label,
            "labels": per_label,
            "wall": time.perf_counter() - started,
        }
    reference = runs[REFERENCE]["labels"]
    for run in runs.values():
        for label, row in run["labels"].items():
            ref = reference.get(label)
            row["jaccard"] = None if ref is None else jaccard(set(row["top"]), set(ref["top"]))
    return runs


def _fmt(values: list[float], spec: str = ".3f") -> str:
    if not values:
        return "-"
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    return f"{p50:{spec}} [{p10:{spec}}, {p90:{spec}}]"


def report(results: dict[str, Any]) -> None:
    posts = results["posts"]
    print(f"{len(posts)} unseen cross-posted posts, model {results['model']}; median [p10, p90]")
    calls = {run: [p["runs"][run]["calls"] for p in posts] for run in RUNS}
    ratio = [a / b for a, b in zip(calls["auto"], calls["5000"], strict=True)]
    print(f"model calls per post: auto {_fmt(calls['auto'], '.0f')}, 5000 {_fmt(calls['5000'], '.0f')}; "
          f"auto / 5000 per post {_fmt(ratio, '.2f')}")
    for group, drawn in (("top label (samples drawn for it)", True), ("other labels (shared samples)", False)):
        print(f"\n{group}:")
        for run in ("auto", "5000", REFERENCE):
            rows = [r for p in posts for r in p["runs"][run]["labels"].values() if r["drawn_for"] == drawn]
            if not rows:
                continue
            trusted = [r for r in rows if r["verdict"] == "trust"]
            good = sum(r["jaccard"] is not None and r["jaccard"] >= 0.8 for r in trusted)
            verdicts = {v: sum(r["verdict"] == v for r in rows) for v in ("trust", "check", "distrust")}
            line = (
                f"  {run:>5}: {len(rows)} labels; KL {_fmt([r['kl'] for r in rows], '.4f')}, "
                f"agreement {_fmt([r['score'] for r in rows], '.3f')}"
            )
            if run != REFERENCE:
                same = sum(r["jaccard"] == 1 for r in rows)
                line += (
                    f", top-5 Jaccard {_fmt([r['jaccard'] for r in rows], '.2f')} ({same}/{len(rows)} equal); "
                    f"verdicts {verdicts}; precision {good}/{len(trusted)}, "
                    f"coverage {len(trusted)}/{len(rows)}"
                )
            print(line)
    print("\nwall seconds per post: " + ", ".join(
        f"{run} {_fmt([p['runs'][run]['wall'] for p in posts], '.1f')}" for run in RUNS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "multilabel.json"))
    parser.add_argument("--report", default=None, metavar="FILE", help="print a stored run instead")
    args = parser.parse_args(argv)
    if args.report:
        report(json.loads(Path(args.report).read_text()))
        return 0
    model = CrosspostClassifier.load()
    chosen, test = pick_posts(args.posts)
    posts = []
    for i in chosen:
        started = time.perf_counter()
        runs = explain_post(model, test.texts[i], list(test.labels[i]))
        posts.append({"index": i, "labels": list(test.labels[i]), "chars": len(test.texts[i]), "runs": runs})
        _write(args.out, model.name, posts)  # after every post, so that a run cut short keeps what it measured
        print(f"post {i} ({len(test.texts[i])} chars, {'|'.join(test.labels[i])}): "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    report(_write(args.out, model.name, posts))
    return 0


def _write(out: str, model: str, posts: list[dict[str, Any]]) -> dict[str, Any]:
    results = {"model": model, "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "posts": posts}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    sys.exit(main())
