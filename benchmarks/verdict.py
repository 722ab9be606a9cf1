"""The trust verdict measured: how often "Trustworthy" is said (coverage) and how often its claim holds (precision).

Usage (each run writes after every text, and resumes a stored file)::

    nice -n 10 python benchmarks/verdict.py --split train --out benchmarks/results/verdict-dev.json   # choose
    nice -n 10 python benchmarks/verdict.py --split test --out benchmarks/results/verdict.json         # report
    python benchmarks/verdict.py --report benchmarks/results/verdict.json

Every shape of the zoo (benchmarks/sets.py's sets, drawn by the same rules): the topic SVM on posts, the 20-class
linear model, the multi-label cross-post model (its top label, and its other true labels apart), the sentiment
stand-in on short reviews and on longer ones (160-620 characters), and long posts (10,000-20,000 characters, explained
by sentences). ``--split train`` draws the development texts (training posts; the reviews of ``REMOVAL_DEV`` and
``LONG_REVIEWS_DEV``) on which the verdict's constants are chosen; ``--split test`` the unseen ones it is reported on.

For each text: lime_core's explanations with adaptive sampling (``n_samples="auto"``, the dashboard's and
``--samples auto``) and with the library's default 5,000 samples (seed 0), stored whole as JSON, and a
20,000-sample reference (seed 1, no intervals or refits) of which the top words and their signs are kept. The
report re-judges the stored explanations with today's :func:`lime_core.verdict.judge_trust`, so a change of the
verdict's rule is measured without asking any model again (``--rejudge`` is implied).

What is counted, per shape:

* coverage: the share of texts whose verdict is "Trustworthy";
* precision: among those, the share whose claim holds against the reference. The claim is
  :attr:`TrustVerdict.settled` (the top words whose place is settled): it holds when those words are exactly the
  reference's top ``len(settled)`` words (as a set) with the same signs. ``within 5`` (a looser reading) counts
  them as agreeing when they are among the reference's top 5 with the same signs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sets import (  # noqa: E402
    claim_holds,
    linear_set,
    long_review_set,
    long_set,
    multilabel_set,
    post_set,
    review_set,
)

from lime_core.explainer import TextExplainer  # noqa: E402
from lime_core.explanation import Explanation  # noqa: E402
from lime_core.trust.stability import jaccard  # noqa: E402
from lime_core.verdict import judge_trust, top_words  # noqa: E402

SEED, REFERENCE_SEED, REFERENCE_SAMPLES = 0, 1, 20_000
KEEP = 10  # reference words kept per class, by |weight|
# The explanations judged: adaptive sampling (the dashboard's and CLI's --samples auto) and the library's default.
RUNS: dict[str, int | str] = {"auto": "auto", "5000": 5000}
TOP = 5
# cheapest first: a cut run keeps the most shapes
SHAPES = ("reviews", "posts", "multilabel", "linear20", "long_reviews", "long")
BUILDERS = {"posts": post_set, "linear20": linear_set, "multilabel": multilabel_set, "reviews": review_set,
            "long_reviews": long_review_set, "long": long_set}
# Texts per shape (development, report): what about an hour of two cores shared with two other engineers' runs
# allowed (docs/trust.md).
SIZES = {
    "train": {"reviews": 6, "posts": 4, "multilabel": 4, "linear20": 4, "long_reviews": 4, "long": 1},
    "test": {"reviews": 16, "posts": 8, "multilabel": 8, "linear20": 8, "long_reviews": 8, "long": 3},
}


def _tops(explanation: Explanation) -> dict[str, list[tuple[str, float]]]:
    return {t.class_name: [(w.feature, w.weight) for w in top_words(t, KEEP)] for t in explanation.targets}


def explain_text(text: str, model: Any, row: dict[str, Any], phases: Sequence[str]) -> None:
    """Fill ``row`` with the reference's top words and the default explanation (each only when missing)."""
    multi = bool(getattr(model, "multi_label", False))
    if "reference" in phases and "reference" not in row:
        started = time.perf_counter()
        ref = TextExplainer(n_samples=REFERENCE_SAMPLES, uncertainty=False, stability_refits=0,
                            random_state=REFERENCE_SEED).fit(text, model)
        labels = [ref.fit_result_.label, *row["true_labels"]] if multi else [None]
        row["reference"] = {str(label): _tops(ref.explanation(label)) for label in dict.fromkeys(labels)}
        row["reference_seconds"] = time.perf_counter() - started
    for run, n_samples in RUNS.items():
        if run not in phases or run in row.get("runs", {}):
            continue
        started = time.perf_counter()
        explainer = TextExplainer(n_samples=n_samples, random_state=SEED).fit(text, model)
        top = explainer.fit_result_.label if multi else None
        labels = [top, *row["true_labels"]] if multi else [None]
        row.setdefault("runs", {})[run] = {
            "explanations": {str(label): explainer.explanation(label).to_dict() for label in dict.fromkeys(labels)},
            "top_label": str(top),
            "calls": int(explainer.n_model_calls_),
            "seconds": time.perf_counter() - started,
        }


def run(
    split: str, shapes: Sequence[str], sizes: dict[str, int], out: Path, phases: Sequence[str], skip: set[str]
) -> None:
    results = json.loads(out.read_text()) if out.exists() else {"split": split, "shapes": {}}
    for shape in shapes:
        texts, model = BUILDERS[shape](sizes[shape], split=split)
        rows = {r["name"]: r for r in results["shapes"].get(shape, [])}
        for i, (name, text) in enumerate(texts):
            if f"{shape}/{name}" in skip:
                continue
            true = name.split("(", 1)[1].rstrip(")").split("|") if shape == "multilabel" else []
            row = rows.setdefault(name, {"name": name, "n_chars": len(text), "true_labels": true})
            explain_text(text, model, row, phases)
            results["shapes"][shape] = list(rows.values())
            out.write_text(json.dumps(results))
            seconds = ", ".join(f"{k} {v['seconds']:.0f} s" for k, v in row.get("runs", {}).items())
            print(f"{shape} {i + 1}/{len(texts)} {name}: ref {row.get('reference_seconds', 0):.0f} s, {seconds}",
                  file=sys.stderr, flush=True)


def merged(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Stored runs of one split (e.g. the reference and the default explanations written by two processes) as one:
    rows of the same shape and name are merged."""
    out: dict[str, Any] = {"split": parts[0]["split"], "shapes": {}}
    for part in parts:
        for shape, rows in part["shapes"].items():
            mine = {r["name"]: r for r in out["shapes"].get(shape, [])}
            for row in rows:
                mine[row["name"]] = {**mine.get(row["name"], {}), **row}
            out["shapes"][shape] = list(mine.values())
    return out


# -- judging ---------------------------------------------------------------------------------------------------------


def judge_row(row: dict[str, Any], run: str, label: str) -> dict[str, Any]:
    explanation = Explanation.from_dict(row["runs"][run]["explanations"][label])
    verdict = judge_trust(explanation)
    target = explanation.target(verdict.class_name) if verdict.class_name else explanation.targets[0]
    reference = row["reference"][label if label in row["reference"] else "None"].get(target.class_name, [])
    signs = {w.feature: w.weight for w in target.weights}
    top5 = [w.feature for w in top_words(target, TOP)]
    ref5 = [f for f, _ in reference[:TOP]]
    return {
        "calls": row["runs"][run]["calls"],
        "jaccard": jaccard(set(top5), set(ref5)),
        # the words of this top 5 that the reference's lacks are all in the verdict's named tie (or nothing differs)
        "differences_tied": set(top5) - set(ref5) <= set(verdict.tied),
        "level": verdict.level,
        "settled": list(verdict.settled),
        "tied": list(verdict.tied),
        "holds": claim_holds(verdict.settled, signs, reference) if verdict.settled else None,
        "within5": claim_holds(verdict.settled, signs, reference, TOP) if verdict.settled else None,
        "reasons": [c.name for c in verdict.checks if c.level != "trust"],
    }


def summarise(judged: list[dict[str, Any]]) -> str:
    trusted = [j for j in judged if j["level"] == "trust"]
    good = sum(bool(j["holds"]) for j in trusted)
    good5 = sum(bool(j["within5"]) for j in trusted)
    n = len(judged)
    sizes = [len(j["settled"]) for j in trusted]
    why: dict[str, int] = {}
    for j in judged:
        if j["level"] != "trust":
            for name in j["reasons"]:
                why[name] = why.get(name, 0) + 1
    precision = f"{good}/{len(trusted)}" + (f" = {good / len(trusted):.2f}" if trusted else "")
    jac = [j["jaccard"] for j in judged]
    differ = [j for j in judged if j["jaccard"] < 1]
    tied = sum(j["differences_tied"] for j in differ)
    top5 = (f"top-5 Jaccard vs reference {np.median(jac):.2f} [{np.percentile(jac, 10):.2f}, "
            f"{np.percentile(jac, 90):.2f}], of the {len(differ)} that differ {tied} only by named tied words; "
            if jac else "")
    return top5 + (
        f"coverage {len(trusted)}/{n} = {len(trusted) / max(n, 1):.0%}; precision {precision} "
        f"(within 5: {good5}/{len(trusted)}); settled words when trusted: "
        f"{f'median {np.median(sizes):.0f} [{min(sizes)}, {max(sizes)}]' if sizes else '-'}"
        f"; not trusted because of: {', '.join(f'{k} {v}' for k, v in sorted(why.items())) or '-'}"
    )


def report(results: dict[str, Any], verbose: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Each run's verdict on each shape: coverage, precision and why the rest was not trusted."""
    print(f"split {results['split']}: verdict precision and coverage against a {REFERENCE_SAMPLES:,}-sample reference")
    out: dict[str, list[dict[str, Any]]] = {}
    for run in RUNS:
        print(f" {run}:")
        for shape, rows in results["shapes"].items():
            rows = [r for r in rows if run in r.get("runs", {}) and "reference" in r]
            groups = {shape: [(r, r["runs"][run]["top_label"]) for r in rows]}
            if shape == "multilabel":
                groups["multilabel, other true labels"] = [
                    (r, label) for r in rows for label in r["runs"][run]["explanations"]
                    if label != r["runs"][run]["top_label"]]
            for name, items in groups.items():
                judged = [judge_row(r, run, label) for r, label in items]
                out[f"{name} ({run})"] = judged
                calls = [r["runs"][run]["calls"] for r in rows]
                print(f"  {name} ({len(items)}; calls median {np.median(calls) if calls else 0:.0f}): "
                      f"{summarise(judged)}")
                if verbose:
                    for (r, label), j in zip(items, judged, strict=True):
                        print(f"     {r['name'][:40]:40s} {label[:20]:20s} {j['level']:8s} settled {j['settled']} "
                              f"tied {j['tied']} holds {j['holds']} {j['reasons']}")
    return out


def markdown(results: dict[str, Any]) -> str:
    """docs/trust.md's table: per shape and run, coverage, precision (strict, and within 5), settled words, top 5."""
    with contextlib.redirect_stdout(io.StringIO()):
        judged = report(results)
    lines = [
        "| shape (texts) | run | model calls | *Trustworthy* (coverage) | precision | precision, within 5 "
        "| settled words when trusted | top-5 Jaccard vs 20,000 | top 5 differs: only by named tied words |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, rows in judged.items():
        shape, run = key.rsplit(" (", 1)
        run = run.rstrip(")")
        trusted = [j for j in rows if j["level"] == "trust"]
        n, t = len(rows), len(trusted)
        good, good5 = sum(bool(j["holds"]) for j in trusted), sum(bool(j["within5"]) for j in trusted)
        sizes = [len(j["settled"]) for j in trusted]
        jac = [j["jaccard"] for j in rows]
        differ = [j for j in rows if j["jaccard"] < 1]
        calls = [j["calls"] for j in rows]
        lines.append(
            f"| {shape} ({n}) | {run} | {np.median(calls):,.0f} [{np.percentile(calls, 10):,.0f}, "
            f"{np.percentile(calls, 90):,.0f}] | {t}/{n} = {t / max(n, 1):.0%} | "
            + (f"{good}/{t} = {good / t:.2f}" if t else "-") + f" | {good5}/{t} | "
            + (f"{np.median(sizes):.0f} [{min(sizes)}, {max(sizes)}]" if sizes else "-") + " | "
            + f"{np.median(jac):.2f} [{np.percentile(jac, 10):.2f}, {np.percentile(jac, 90):.2f}] | "
            + f"{sum(j['differences_tied'] for j in differ)} of {len(differ)} |"
        )
    return "\n".join(lines)


# --grid: the constants the verdict's rule was chosen among, on the development split.
GRID = {
    "SETTLED_PROBABILITY": (0.8, 0.9, 0.95),
    "MIN_SETTLED": (2, 3),
    "MIN_SETTLED_SPANS": (1, 2),
    "TRUST_MIN_CLOSE_AGREEMENT": (0.90, 0.93, 0.95),
}


def grid(results: dict[str, Any]) -> None:
    """Coverage and precision per shape for every combination of :data:`GRID` (each set in its module)."""
    from itertools import product

    from lime_core import verdict
    from lime_core.trust import stability

    homes = {"SETTLED_PROBABILITY": stability, "MIN_SETTLED": verdict, "MIN_SETTLED_SPANS": verdict,
             "TRUST_MIN_CLOSE_AGREEMENT": verdict}
    kept = {name: getattr(homes[name], name) for name in GRID}
    try:
        for values in product(*GRID.values()):
            for name, value in zip(GRID, values, strict=True):
                setattr(homes[name], name, value)
            cells = []
            with contextlib.redirect_stdout(io.StringIO()):
                judged = report(results)
            for shape, rows in judged.items():
                trusted = [j for j in rows if j["level"] == "trust"]
                good = sum(bool(j["holds"]) for j in trusted)
                short = shape.replace("multilabel, other true labels", "other labels")
                cells.append(f"{short} {good}/{len(trusted)}/{len(rows)}")
            print(", ".join(f"{n}={v}" for n, v in zip(GRID, values, strict=True)) + ": " + "; ".join(cells))
    finally:
        for name, value in kept.items():
            setattr(homes[name], name, value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "test"), default="test")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--phases", default="reference,auto,5000",
                        help="what to compute: the reference and the runs of RUNS (comma-separated)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--skip", type=Path, nargs="*", default=[],
                        help="leave out the texts of these stored runs (another process explains them)")
    parser.add_argument("--report", type=Path, nargs="+", default=None,
                        help="re-judge stored runs and print them (several files: their rows merged by name)")
    parser.add_argument("--verbose", action="store_true", help="with --report: one line per text")
    parser.add_argument("--markdown", action="store_true", help="with --report: docs/trust.md's table")
    parser.add_argument("--grid", action="store_true",
                        help="with --report: precision (holds/trusted/texts) per shape for each choice of GRID")
    for shape in SHAPES:
        parser.add_argument(f"--{shape}", type=int, default=None, help="texts of this shape (default: SIZES)")
    args = parser.parse_args(argv)
    if args.report is not None:
        results = merged([json.loads(p.read_text()) for p in args.report])
        if args.grid:
            grid(results)
        elif args.markdown:
            print(markdown(results))
        else:
            report(results, args.verbose)
        return 0
    warnings.filterwarnings("ignore")
    name = "verdict-dev.json" if args.split == "train" else "verdict.json"
    out = args.out or ROOT / "benchmarks" / "results" / name
    sizes = {s: getattr(args, s) if getattr(args, s) is not None else SIZES[args.split][s] for s in SHAPES}
    skip = {f"{shape}/{r['name']}" for p in args.skip for shape, rows in json.loads(p.read_text())["shapes"].items()
            for r in rows}
    run(args.split, [s for s in args.shapes.split(",") if s], sizes, out, args.phases.split(","), skip)
    report(json.loads(out.read_text()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
