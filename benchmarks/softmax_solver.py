"""The softmax surrogate's two solvers on the same posts, paired: CPU time and what the explanations say.

Each post is explained twice by one batch worker (``--samples auto`` by default), once with the plain L-BFGS on
the weights (``WHITEN_MAX_FEATURES = 0``, the solver before) and once with the whitened one (the default), in
alternating order so that a cache warmed by the first run favours neither. Printed: the CPU time of the whole
explanation and of the surrogate's fits alone (every round's fit and the stability refits made from scratch),
per solver; how many fits hit ``max_iter`` or stopped unconverged; and, per post, whether the two runs agree:
the same verdict, the same top-5 words of the predicted class, the same sample count, and the held-out KL of each.

    python benchmarks/softmax_solver.py --texts 100 --spread 1000
    python benchmarks/softmax_solver.py --split train --texts 50 --spread 5000   # a development set
    python benchmarks/softmax_solver.py --texts 30 --reference 20000
        # also each run's top-5 Jaccard with a 20,000-sample run's (seed 1, the whitened solver)

The load average is printed before and after: CPU time on a loaded 2-core machine varies by about 10 %.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _posts(split: str, n: int, spread: int) -> list[str]:
    from lime_core.models.newsgroups import load_newsgroups

    texts = load_newsgroups(split).texts
    return [texts[i * min(spread, len(texts)) // n] for i in range(n)]


def _top5(result) -> frozenset[str]:
    predicted = result.row["predicted_class"]
    words = [w for w in result.weights if w["class"] == predicted]
    return frozenset(w["feature"] for w in sorted(words, key=lambda w: -abs(w["weight"]))[:5])


def _quartiles(values: list[float]) -> str:
    q1, q2, q3 = statistics.quantiles(values, n=4) if len(values) >= 4 else (min(values), values[0], max(values))
    return f"{q2:.4f} [{q1:.4f}-{q3:.4f}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=100)
    parser.add_argument("--spread", type=int, default=1000)
    parser.add_argument("--split", default="test", choices=("test", "train"))
    parser.add_argument("--samples", default="auto")
    parser.add_argument("--reference", type=int, default=0, metavar="N",
                        help="also compare each run's top 5 with a run of N samples (seed 1); 0: no reference")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from lime_core.batch import BatchOptions, ModelSource
    from lime_core.batch.io import TextRecord
    from lime_core.batch.work import Worker
    from lime_core.surrogates import softmax

    samples = args.samples if args.samples == "auto" else int(args.samples)
    if args.reference:  # a measuring instrument, not a user's request: the per-request work limit lifted as in sets.py
        from lime_core import limits

        limits.MAX_FEATURE_SAMPLES = max(limits.MAX_FEATURE_SAMPLES, 300 * args.reference)
    texts = _posts(args.split, args.texts, args.spread)
    worker = Worker(ModelSource("name", "20ng-svm"), BatchOptions(samples=samples, seed=0))
    solvers = {"plain": 0, "whitened": softmax.WHITEN_MAX_FEATURES}
    fit_seconds = dict.fromkeys([*solvers, "reference"], 0.0)
    total_seconds = dict.fromkeys(solvers, 0.0)
    unconverged = dict.fromkeys(solvers, 0)
    n_fits = dict.fromkeys(solvers, 0)
    current = ["plain"]
    fit = softmax.SoftmaxSurrogate.fit

    def timed_fit(self, X, y_proba, sample_weight):
        started = time.process_time()
        try:
            return fit(self, X, y_proba, sample_weight)
        finally:
            fit_seconds[current[0]] += time.process_time() - started
            n_fits[current[0]] += 1
            unconverged[current[0]] += not getattr(self, "converged_", True)

    softmax.SoftmaxSurrogate.fit = timed_fit
    load_before = os.getloadavg()
    rows = []
    references = []
    with threadpool_limits(1):
        worker.explain(TextRecord(id="warm-up", row=-1, text=texts[0], label=None))
        fit_seconds = dict.fromkeys([*solvers, "reference"], 0.0)
        n_fits = dict.fromkeys([*solvers, "reference"], 0)
        unconverged = dict.fromkeys([*solvers, "reference"], 0)
        for i, text in enumerate(texts):
            out = {}
            order = list(solvers) if i % 2 == 0 else list(reversed(solvers))
            for name in order:
                current[0] = name
                softmax.WHITEN_MAX_FEATURES = solvers[name]
                started = time.process_time()
                out[name] = worker.explain(TextRecord(id=str(i), row=i, text=text, label=None))
                total_seconds[name] += time.process_time() - started
            rows.append(out)
            if args.reference:
                current[0] = "reference"
                softmax.WHITEN_MAX_FEATURES = solvers["whitened"]
                reference = Worker(worker.source, BatchOptions(samples=args.reference, seed=1), model=worker.model)
                references.append(reference.explain(TextRecord(id=str(i), row=i, text=text, label=None)))
    load_after = os.getloadavg()
    ok = [r for r in rows if all(x.row.get("verdict") for x in r.values())]
    print(f"{len(texts)} {args.split} posts (spread over {args.spread}), samples {args.samples}; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; {len(ok)} explained by both")
    print("| solver | CPU s, whole explanations | posts per CPU-hour | CPU s in the surrogate's fits | fits | "
          "unconverged fits | Trustworthy | held-out KL median [IQR] |\n|---|---|---|---|---|---|---|---|")
    for name in solvers:
        kl = [r[name].row["mean_KL_divergence"] for r in ok]
        trust = sum(r[name].row["verdict"] == "trust" for r in ok)
        print(f"| {name} | {total_seconds[name]:.1f} | {3600 * len(texts) / total_seconds[name]:,.0f} | "
              f"{fit_seconds[name]:.1f} | {n_fits[name]} | {unconverged[name]} | {trust} of {len(ok)} | "
              f"{_quartiles(kl)} |")
    same_verdict = sum(r["plain"].row["verdict"] == r["whitened"].row["verdict"] for r in ok)
    same_top5 = sum(_top5(r["plain"]) == _top5(r["whitened"]) for r in ok)
    same_samples = sum(r["plain"].row["n_samples"] == r["whitened"].row["n_samples"] for r in ok)
    ratio = [r["whitened"].row["mean_KL_divergence"] / r["plain"].row["mean_KL_divergence"] for r in ok
             if r["plain"].row["mean_KL_divergence"]]
    print(f"\nper post, whitened against plain: same verdict {same_verdict} of {len(ok)}, same top-5 set "
          f"{same_top5}, same sample count {same_samples}; held-out KL ratio {_quartiles(ratio)}")
    if references:
        pairs = [(r, ref) for r, ref in zip(rows, references, strict=True)
                 if ref.row.get("verdict") and all(x.row.get("verdict") for x in r.values())]
        for name in solvers:
            jaccard = [len(_top5(r[name]) & _top5(ref)) / max(len(_top5(r[name]) | _top5(ref)), 1) for r, ref in pairs]
            print(f"{name}: top-5 Jaccard with the {args.reference:,}-sample run (seed 1), over {len(pairs)} posts "
                  f"(of {len(rows)}; the others refused or failed): "
                  f"mean {statistics.mean(jaccard):.3f}, median {statistics.median(jaccard):.3f}, "
                  f"{sum(j == 1.0 for j in jaccard)} identical")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
