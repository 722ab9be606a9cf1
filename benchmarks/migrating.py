"""eli5's and lime's tutorial calls, then the same calls on lime_core with only the import changed.

Usage: ``python benchmarks/migrating.py [--texts 20] [--samples 5000]`` (eli5 0.16 and lime 0.2.0.1 from
requirements-bench.txt). For each of the first ``--texts`` posts of the 20 Newsgroups test split, on the
bundled ``20ng-svm`` pipeline's ``predict_proba`` (one object for every tool):

* ``TextExplainer(random_state=seed).fit(doc, pipe.predict_proba)`` with eli5 and with lime_core: wall
  time, texts sent to the model, ``metrics_`` (held-out mean KL divergence and score);
* ``LimeTextExplainer(class_names=..., random_state=seed).explain_instance(doc, pipe.predict_proba,
  labels=(predicted,), num_features=6)`` with lime and with lime_core: wall time, ``exp.score`` (lime: in-sample
  R² of the predicted class; lime_core: held-out agreement), and how many of the 6 listed words they share.

Prints one row per text and the quartiles. Figures vary with load on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import TimedModel

from lime_core import LimeTextExplainer as CoreLime
from lime_core import TextExplainer as CoreTextExplainer
from lime_core.models.newsgroups import load_newsgroups, load_or_train


def quartiles(values: Sequence[float]) -> str:
    q1, q2, q3 = np.percentile(np.asarray(values, dtype=float), [25, 50, 75])
    return f"{q2:.4g} [{q1:.4g}, {q3:.4g}]"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=20)
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore")
    from eli5.lime import TextExplainer as Eli5TextExplainer
    from lime.lime_text import LimeTextExplainer

    trained = load_or_train()
    test = load_newsgroups("test")
    names = list(test.target_names)
    rows = []
    for i, doc in enumerate(test.texts[: args.texts]):
        row: dict[str, float] = {}
        for tool, cls in (("eli5", Eli5TextExplainer), ("lime_core", CoreTextExplainer)):
            model = TimedModel(trained.pipeline.predict_proba, names, "20ng-svm")
            start = time.perf_counter()
            te = cls(n_samples=args.samples, random_state=args.seed).fit(doc, model.predict_proba)
            row[f"{tool} s"] = time.perf_counter() - start
            row[f"{tool} texts"] = model.texts
            row[f"{tool} KL"] = te.metrics_["mean_KL_divergence"]
            row[f"{tool} score"] = te.metrics_["score"]
        predicted = int(np.argmax(trained.pipeline.predict_proba([doc])[0]))
        listed = {}
        for tool, cls in (("lime", LimeTextExplainer), ("lime_core(lime)", CoreLime)):
            start = time.perf_counter()
            exp = cls(class_names=names, random_state=args.seed).explain_instance(
                doc, trained.pipeline.predict_proba, labels=(predicted,), num_features=6, num_samples=args.samples
            )
            row[f"{tool} s"] = time.perf_counter() - start
            row[f"{tool} score"] = float(exp.score[predicted] if isinstance(exp.score, dict) else exp.score)
            listed[tool] = {w.casefold() for w, _ in exp.as_list(label=predicted)}
        row["shared of 6"] = len(listed["lime"] & listed["lime_core(lime)"])
        rows.append(row)
        print(f"text {i:2d} ({len(doc.split())} words): " + ", ".join(f"{k} {v:.4g}" for k, v in row.items()))

    print(f"\n{len(rows)} texts, {args.samples} samples, seed {args.seed}: median [quartiles]")
    for key in rows[0]:
        print(f"  {key:22s} {quartiles([r[key] for r in rows])}")
    eli5_kl = [r["eli5 KL"] for r in rows]
    core_kl = [r["lime_core KL"] for r in rows]
    better = sum(c < e for c, e in zip(core_kl, eli5_kl, strict=True))
    print(f"  lime_core's held-out KL below eli5's on {better} of {len(rows)} texts")
    over_eli5 = statistics.median(r["eli5 s"] / r["lime_core s"] for r in rows)
    over_lime = statistics.median(r["lime s"] / r["lime_core(lime) s"] for r in rows)
    print(f"  speed-up over eli5: {over_eli5:.2f}x (median), over lime: {over_lime:.2f}x (median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
