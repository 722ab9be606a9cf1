"""LIME beside KernelSHAP and occlusion on sets of texts (docs/methods.md): agreement, faithfulness, extra cost.

Usage (from the checkout, with the settings of the README):

    python benchmarks/methods.py [--posts 40] [--reviews 32] [--linear20 0] [--multilabel 0] [--long 0] [--samples auto]
    python benchmarks/methods.py --exact          # KernelSHAP against exact Shapley values on small black boxes
    python benchmarks/methods.py --report benchmarks/results/methods.json

Sets (benchmarks/sets.py's): the stratified 20 Newsgroups test posts on ``20ng-svm`` (4 classes, an SVM on
TF-IDF + LSA) and the short reviews of benchmarks/reviews.py on the sentiment stand-in (a 2-class MiniLM
transformer). Each text is explained once (seed 0, the predicted class) with ``methods="all"``; per text it
records, for LIME, KernelSHAP and occlusion: the top-5 words, comprehensiveness / sufficiency / deletion AUC
on the model, the pairwise top-5 overlap and Spearman correlation, the most faithful method, and the extra
model calls and seconds of the comparison beside the explanation's own. Prints median [p10, p90] per set.

``--exact``: black boxes with known truth and at most 12 words (tests/blackboxes.py); KernelSHAP from LIME's
samples at several sample counts and seeds against Shapley values enumerated over every subset: the largest
error over the words, the largest |error| / standard error, and the extra calls.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sets import linear_set, long_set, post_set, review_set  # noqa: E402

from lime_core.explainer import TextExplainer  # noqa: E402
from lime_core.methods import compare_methods  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "methods.json"
METHODS = ("lime", "kernelshap", "occlusion")
PAIRS = (("lime", "kernelshap"), ("lime", "occlusion"), ("kernelshap", "occlusion"))


class CountingModel:
    """Counts the texts sent to the model (the black box sends each distinct text once)."""

    def __init__(self, model) -> None:
        self.model = model
        self.class_names = list(model.class_names)
        self.name = getattr(model, "name", type(model).__name__)
        self.multi_label = bool(getattr(model, "multi_label", False))
        self.sent = 0
        self.seconds = 0.0

    def predict_proba(self, texts):
        texts = list(texts)
        self.sent += len(texts)
        start = time.perf_counter()
        out = self.model.predict_proba(texts)
        self.seconds += time.perf_counter() - start
        return out


def crosspost_set(n_posts: int) -> tuple[list[tuple[str, str]], object]:
    """The first ``n_posts`` cross-posted test posts (two or more groups each) on the multi-label one-vs-rest model
    (``20ng-crosspost``); each is explained for its top label, as batch runs do."""
    from lime_core.models.newsgroups.crosspost import CrosspostClassifier, load_crosspost

    test = load_crosspost("test")
    picked = [int(i) for i in test.crossposted[:n_posts]]
    return [(f"cross-post {i}", test.texts[i]) for i in picked], CrosspostClassifier.load()


def explain_one(text: str, model: CountingModel, samples: int | str) -> dict:
    explainer = TextExplainer(n_samples=samples, random_state=0, multi_label=model.multi_label)
    start = time.perf_counter()
    explainer.fit(text, model)
    explanation = explainer.explanation()
    lime_seconds = time.perf_counter() - start
    lime_calls = model.sent
    start = time.perf_counter()
    report = compare_methods(explainer, "all")
    compare_seconds = time.perf_counter() - start
    row = {
        "n_words": report.n_words,
        "k": report.k,
        "class": report.class_name,
        "lime_calls": lime_calls,
        "lime_seconds": lime_seconds,
        "extra_calls": model.sent - lime_calls,
        "extra_seconds": compare_seconds,
        "faithfulness_calls": explainer.trust_.faithfulness(
            explainer.neighbourhood_.explained_class, report.class_name, None, 5, explainer.trust_seed_
        ).n_model_calls,
        "verdict": None,
        "most_faithful": list(report.most_faithful),
        "summary": report.summary,
    }
    for r in report.results:
        f = r.faithfulness
        row[r.method] = {
            "top": list(r.top),
            "comprehensiveness": f.comprehensiveness,
            "sufficiency": f.sufficiency,
            "auc": f.auc,
            "calls": r.n_model_calls,
            "note": r.note,
        }
    row["kernelshap"]["n_coalitions"] = report.result("kernelshap").n_coalitions
    for p in report.agreement:
        row[f"{p.a}-{p.b}"] = {"overlap": p.overlap, "spearman": p.rank_correlation}
    from lime_core.verdict import judge_trust

    row["verdict"] = judge_trust(explanation).level
    return row


def run_set(name: str, texts: list[tuple[str, str]], model, samples: int | str, save=None) -> list[dict]:
    """Explain every text; ``save(rows)`` after each one, so that an interrupted run keeps what it measured."""
    counted = CountingModel(model)
    rows: list[dict] = []
    for i, (label, text) in enumerate(texts):
        counted.sent = 0
        try:
            row = explain_one(text, counted, samples)
        except Exception as exc:  # a text that cannot be explained is recorded, not fatal
            rows.append({"text": label, "error": f"{type(exc).__name__}: {exc}"})
            continue
        row["text"] = label
        rows.append(row)
        if save is not None:
            save(rows)
        print(
            f"  [{name} {i + 1}/{len(texts)}] {label}: {row['n_words']} words, LIME {row['lime_calls']} calls, "
            f"+{row['extra_calls']} ({row['extra_seconds']:.2f} s); overlap L-S {row['lime-kernelshap']['overlap']}, "
            f"L-O {row['lime-occlusion']['overlap']}; comp L {row['lime']['comprehensiveness']:.2f} "
            f"S {row['kernelshap']['comprehensiveness']:.2f} O {row['occlusion']['comprehensiveness']:.2f}",
            flush=True,
        )
    return rows


def _q(values: Sequence[float]) -> str:
    v = np.asarray([x for x in values if x is not None], dtype=float)
    if not v.size:
        return "–"
    med, p10, p90 = np.median(v), np.percentile(v, 10), np.percentile(v, 90)
    spec = ".2f" if np.all(np.abs(v) < 100) and not np.all(v == np.round(v)) else ".0f"
    return f"{med:{spec}} [{p10:{spec}}, {p90:{spec}}]"


def print_set(name: str, rows: list[dict]) -> None:
    ok = [r for r in rows if "error" not in r]
    print(f"\n{name}: {len(ok)} texts ({len(rows) - len(ok)} not explained); median [p10, p90]")
    print(f"  distinct words {_q([r['n_words'] for r in ok])}; top k {_q([r['k'] for r in ok])}")
    print("| pair | top-5 overlap | all 5 shared | at most 2 shared | Spearman |")
    print("|---|---|---|---|---|")
    for a, b in PAIRS:
        overlaps = [r[f"{a}-{b}"]["overlap"] for r in ok]
        ks = [r["k"] for r in ok]
        print(
            f"| {a} – {b} | {_q(overlaps)} | {sum(o == k for o, k in zip(overlaps, ks, strict=True))} | "
            f"{sum(o <= 2 for o in overlaps)} | {_q([r[f'{a}-{b}']['spearman'] for r in ok])} |"
        )
    print("| method | comprehensiveness | sufficiency | deletion AUC | most faithful (alone or tied) | extra calls |")
    print("|---|---|---|---|---|---|")
    for m in METHODS:
        best = sum(m in r["most_faithful"] for r in ok)
        alone = sum(r["most_faithful"] == [m] for r in ok)
        print(
            f"| {m} | {_q([r[m]['comprehensiveness'] for r in ok])} | {_q([r[m]['sufficiency'] for r in ok])} | "
            f"{_q([r[m]['auc'] for r in ok])} | {best} ({alone} alone) | {_q([r[m]['calls'] for r in ok])} |"
        )
    uninformative = sum(not r["most_faithful"] for r in ok)
    diff = [r["lime"]["comprehensiveness"] - r["kernelshap"]["comprehensiveness"] for r in ok]
    print(
        f"  uninformative (no method named): {uninformative}; LIME − KernelSHAP comprehensiveness {_q(diff)}; "
        f"LIME higher on {sum(d > 0 for d in diff)}, lower on {sum(d < 0 for d in diff)}"
    )
    extra = [r["extra_calls"] for r in ok]
    ratio = [r["extra_calls"] / max(r["lime_calls"], 1) for r in ok]
    print(
        f"  LIME's calls {_q([r['lime_calls'] for r in ok])}; the comparison's extra calls {_q(extra)} "
        f"({_q(ratio)} of LIME's; the faithfulness check's own {_q([r['faithfulness_calls'] for r in ok])} "
        f"included); seconds: LIME {_q([r['lime_seconds'] for r in ok])}, "
        f"comparison {_q([r['extra_seconds'] for r in ok])}"
    )
    notes = sum(r["kernelshap"]["note"] is not None for r in ok)
    print(f"  KernelSHAP: word subsets {_q([r['kernelshap']['n_coalitions'] for r in ok])}; with a note {notes}")


# -- exact Shapley values on small black boxes -------------------------------------------------------------------


def run_exact(seeds: int) -> list[dict]:
    from tests.blackboxes import REDUNDANT_TEXT, RedundantPairModel, exact_shapley, sentiment_model, topic_model

    twelve = "good great bad awful plot music acting the ending was fine and"
    cases = [
        ("additive logit, 2 classes", sentiment_model, twelve, 1),
        ("additive logit, 3 classes", topic_model, "the vote and the striker scored a goal then bought a laptop", 0),
        ("either of two words (interaction)", RedundantPairModel, REDUNDANT_TEXT, 1),
    ]
    rows = []
    for name, make, text, c in cases:
        for n in (300, 1000, 2000, 5000):
            errors, zs, calls = [], [], []
            for seed in range(seeds):
                model = make()
                explainer = TextExplainer(n_samples=n, random_state=seed).fit(text, model)
                report = compare_methods(explainer, "kernelshap", target=c)
                shap = report.result("kernelshap")
                words = explainer.features_.names[: explainer.features_.groups.n_words]
                by = {v.feature: v for v in shap.values}
                est = np.array([by[w].value for w in words])
                std = np.array([by[w].std or 0.0 for w in words])
                truth = exact_shapley(model, explainer, c)
                errors.append(float(np.abs(est - truth).max()))
                zs.append(float(np.max(np.abs(est - truth) / np.maximum(std, 1e-12))))
                calls.append(shap.n_model_calls)
            row = {
                "case": name,
                "words": len(words),
                "samples": n,
                "max_error_median": float(np.median(errors)),
                "max_error_worst": float(np.max(errors)),
                "max_z_median": float(np.median(zs)),
                "calls_min": int(min(calls)),
                "calls_max": int(max(calls)),
            }
            rows.append(row)
            print(
                f"| {name} | {row['words']} | {n:,} | {row['max_error_median']:.3f} ({row['max_error_worst']:.3f}) | "
                f"{row['max_z_median']:.2f} | {row['calls_min']}-{row['calls_max']} |",
                flush=True,
            )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=40, help="stratified posts (plus the kidney post; default 40)")
    parser.add_argument("--reviews", type=int, default=32, help="reviews (default all 32)")
    parser.add_argument(
        "--linear20", type=int, default=0, help="posts of all 20 groups on the 20-class linear model (default 0)"
    )
    parser.add_argument(
        "--multilabel", type=int, default=0, help="cross-posted posts on the multi-label 20ng-crosspost (default 0)"
    )
    parser.add_argument(
        "--long", type=int, default=0, help="long posts on 20ng-svm, explained by sentence (level auto; default 0)"
    )
    parser.add_argument("--samples", default="auto", help="LIME's samples: auto (the dashboard's default) or N")
    parser.add_argument("--exact", action="store_true", help="only the exact-Shapley check on small black boxes")
    parser.add_argument("--seeds", type=int, default=8, help="seeds per case of --exact (default 8)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--report", type=Path, default=None, help="print a stored run and stop")
    args = parser.parse_args(argv)
    if args.report is not None:
        stored = json.loads(args.report.read_text(encoding="utf-8"))
        for name in ("posts", "reviews", "linear20", "multilabel", "long"):
            if stored.get(name):
                print_set(name, stored[name])
        return 0
    started = time.time()
    results: dict = {
        "machine": f"{platform.node()} {os.cpu_count()} cpus, python {platform.python_version()}",
        "settings": {
            "posts": args.posts,
            "reviews": args.reviews,
            "linear20": args.linear20,
            "multilabel": args.multilabel,
            "long": args.long,
            "samples": args.samples,
            "seed": 0,
        },
    }
    if args.exact:
        print("| black box | words | LIME samples | largest error, median (worst) | max |z| median | extra calls |")
        print("|---|---|---|---|---|---|")
        results["exact"] = run_exact(args.seeds)
        out = args.out.with_name("methods-exact.json") if args.out == RESULTS else args.out
    else:
        samples = args.samples if args.samples == "auto" else int(args.samples)
        out = args.out

        def saver(name: str):
            def save(rows: list[dict]) -> None:
                results[name] = rows
                results["seconds"] = time.time() - started
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(json.dumps(results, indent=1), encoding="utf-8")

            return save

        if args.posts:
            texts, model = post_set(args.posts)
            results["posts"] = run_set("posts", texts, model, samples, saver("posts"))
            print_set("posts (20ng-svm)", results["posts"])
        if args.reviews:
            texts, model = review_set(args.reviews)
            results["reviews"] = run_set("reviews", texts, model, samples, saver("reviews"))
            print_set("reviews (sentiment stand-in)", results["reviews"])
        if args.linear20:
            texts, model = linear_set(args.linear20)
            results["linear20"] = run_set("linear20", texts, model, samples, saver("linear20"))
            print_set("posts of all 20 groups (20-class TF-IDF + logistic regression)", results["linear20"])
        if args.multilabel:
            texts, model = crosspost_set(args.multilabel)
            results["multilabel"] = run_set("multilabel", texts, model, samples, saver("multilabel"))
            print_set("cross-posted posts (multi-label one-vs-rest, top label)", results["multilabel"])
        if args.long:
            texts, model = long_set(args.long)
            results["long"] = run_set("long", texts, model, samples, saver("long"))
            print_set("long posts by sentence (20ng-svm)", results["long"])
    results["seconds"] = time.time() - started
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"\nwritten to {out} ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
