"""Long documents (docs/long-documents.md): 20 Newsgroups test posts of over 10,000 characters on the topic SVM.

For each post: ``auto`` (the level auto chooses: sentences or paragraphs for these posts, auto sampling capped at
``lime_core.levels.COARSE_MAX_SAMPLES``) against a larger fixed-sample reference at the same level (``--reference``
samples, lowered where the work limits require), with model calls, wall time, held-out KL and the top-5 agreement
(Jaccard) of the units with the reference's. Prints median [p10, p90] and writes ``--out``.

Usage: ``python benchmarks/long_docs.py [--posts 10] [--reference 5000] [--out benchmarks/results/long-docs.json]``.

For the zoo benchmark (``benchmarks/sets.py``): :func:`long_posts` gives the texts, :func:`explain_long_post` one
row (the same fields for any variant).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIN_CHARS = 10_000


def long_posts(n: int = 10, min_chars: int = MIN_CHARS, subset: str = "test") -> list[tuple[int, str]]:
    """``n`` posts of over ``min_chars`` characters, ``(index in the split, text)``, spread over their lengths
    (every k-th of them sorted by length, so the set runs from just over 10,000 to over 50,000 characters)."""
    from lime_core.models.newsgroups.data import load_newsgroups

    texts = load_newsgroups(subset).texts
    long = sorted((len(t), i) for i, t in enumerate(texts) if len(t) > min_chars)
    if n >= len(long):
        chosen = long
    else:
        step = (len(long) - 1) / (n - 1) if n > 1 else 0
        chosen = [long[round(k * step)] for k in range(n)]
    return [(i, texts[i]) for _, i in chosen]


def _top(explanation: Any, k: int = 5) -> list[str]:
    return [w.feature for w in explanation.targets[0].top(k)]


def explain_long_post(text: str, model: Any, n_samples: int | str = "auto", seed: int = 0, **params: Any) -> dict:
    """One explanation of ``text`` as a row: level, units, calls, seconds, held-out KL, top-5 units, verdict."""
    from lime_core import TextExplainer
    from lime_core.verdict import judge_trust

    started, cpu_started = time.perf_counter(), time.process_time()
    explainer = TextExplainer(n_samples=n_samples, random_state=seed, **params).fit(text, model)
    explanation = explainer.explanation()
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started  # this process's CPU time: wall time on a machine to itself
    return {
        "chars": len(text),
        "level": explanation.settings.level,
        "units": int(explainer.features_.n_features),
        "n_samples": explanation.n_samples,
        "calls": explanation.n_model_calls,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "kl": explanation.metrics.mean_KL_divergence,
        "score": explanation.metrics.score,
        "top5": _top(explanation),
        "verdict": judge_trust(explanation).level,
    }


def reference_samples(chars: int, units: int, wanted: int) -> int:
    """The reference's sample count: ``wanted``, lowered to what lime_core's work limits allow for this text."""
    from lime_core.limits import MAX_FEATURE_SAMPLES, MAX_SAMPLE_CHARS

    return int(min(wanted, MAX_SAMPLE_CHARS // chars, MAX_FEATURE_SAMPLES // max(units, 1)))


def jaccard(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def _dist(values: list[float]) -> str:
    import numpy as np

    if not values:
        return "-"
    v = np.asarray(values, dtype=float)
    return f"{np.median(v):,.4g} [{np.percentile(v, 10):,.4g}, {np.percentile(v, 90):,.4g}]"


def time_one(model: Any, chars: int, repeats: int) -> int:
    """Wall and CPU time of ``repeats`` auto explanations (seeds 0, 1, ...) of the test post of ``chars`` characters,
    the model already loaded and warmed on the post itself; with the load average (docs/long-documents.md)."""
    import os

    from lime_core.models.newsgroups.data import load_newsgroups

    text = next((t for t in load_newsgroups("test").texts if len(t) == chars), None)
    if text is None:
        raise SystemExit(f"no test post of {chars:,} characters")
    model.predict_proba([text])
    for seed in range(repeats):
        row = explain_long_post(text, model, "auto", seed=seed)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"{chars:,} chars, {row['level']} ({row['units']} units), seed {seed}: {row['calls']:,} calls, "
            f"{row['seconds']:.1f} s wall, {row['cpu_seconds']:.1f} s CPU, KL {row['kl']:.4f}, {row['verdict']}; "
            f"load average {load}",
            flush=True,
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--reference", type=int, default=5000)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "long-docs.json"))
    parser.add_argument(
        "--time-chars",
        type=int,
        default=None,
        help="only time auto on the test post of this many characters (e.g. 35057), --repeats times; no reference",
    )
    parser.add_argument("--repeats", type=int, default=1, help="with --time-chars: explanations of the post")
    args = parser.parse_args(argv)

    from lime_core.models.registry import load_model

    model = load_model("20ng-svm")
    if args.time_chars is not None:
        return time_one(model, args.time_chars, args.repeats)
    rows = []
    posts = sorted(long_posts(args.posts), key=lambda p: abs(len(p[1]) - 35_000))  # the 35,000-character example first
    for index, text in posts:
        auto = explain_long_post(text, model, "auto")
        n_ref = reference_samples(len(text), auto["units"], args.reference)
        ref = explain_long_post(text, model, n_ref, level=auto["level"])
        row = {"post": index, "auto": auto, "reference": ref, "top5_jaccard": jaccard(auto["top5"], ref["top5"])}
        rows.append(row)
        print(
            f"post {index}: {len(text):,} chars, {auto['level']} ({auto['units']} units): auto {auto['calls']:,} calls "
            f"{auto['seconds']:.1f} s ({auto['cpu_seconds']:.1f} s CPU) KL {auto['kl']:.4f} {auto['verdict']}; "
            f"reference {ref['calls']:,} calls KL {ref['kl']:.4f}; top-5 Jaccard {row['top5_jaccard']:.2f}",
            flush=True,
        )
        Path(args.out).write_text(json.dumps({"rows": rows, "reference": args.reference}, indent=1))
    print(f"\n{len(rows)} posts of over {MIN_CHARS:,} characters, 20ng-svm, median [p10, p90]:")
    print(f"  characters      {_dist([r['auto']['chars'] for r in rows])}")
    print(f"  units           {_dist([r['auto']['units'] for r in rows])}")
    print(f"  auto calls      {_dist([r['auto']['calls'] for r in rows])}")
    print(f"  auto seconds    {_dist([r['auto']['seconds'] for r in rows])}")
    print(f"  auto CPU s      {_dist([r['auto']['cpu_seconds'] for r in rows])}")
    print(f"  auto KL         {_dist([r['auto']['kl'] for r in rows])}")
    print(f"  reference calls {_dist([r['reference']['calls'] for r in rows])}")
    print(f"  reference KL    {_dist([r['reference']['kl'] for r in rows])}")
    print(f"  top-5 Jaccard   {_dist([r['top5_jaccard'] for r in rows])}")
    kl_ratio = [r["auto"]["kl"] / r["reference"]["kl"] for r in rows if r["reference"]["kl"] > 0]
    print(f"  KL auto / ref   {_dist(kl_ratio)}")
    print(f"  verdicts        {statistics.multimode([r['auto']['verdict'] for r in rows])} "
          f"({', '.join(r['auto']['verdict'] for r in rows)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
