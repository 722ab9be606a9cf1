"""lime_core's own time against the model floor on the sentiment transformer (docs/removal.md).

For each review (benchmarks/reviews.py, REMOVAL_REPORT): a default explanation (``auto``, seed 0, a fresh
cache) with the time spent inside the model's ``predict_proba`` recorded; then the **model floor**: the same
distinct texts the explanation sent, given to the model alone in one call with ``fixed_shapes=False`` (the
fastest way to get those answers). lime_core's own time is the explanation's wall time minus its time inside the
model. Prints per review and the median [p10, p90]; the target is own time at most 0.5x the floor.

    python benchmarks/transformer_speed.py [--texts 12] [--bert-base]

``--eli5``: instead, lime_core's default explanation beside eli5 0.16's ``TextExplainer`` at 5,000 samples on the
same reviews, in one process, each tool asking the model itself (lime_core with a fresh cache per review, eli5
sending every sample): wall time, held-out KL (each tool's own held-out samples, and common held-out sets that
neither saw, benchmarks/adaptive.py's, each tool scored on the one made with its own removal operator), and
lime_core's verdict (the share of "Trustworthy", of all and of the clear-cut reviews). The issue's targets:
lime_core's median time at most 1/10 of eli5's, its median held-out KL no worse, "Trustworthy" on at least 2/3 of
the clear-cut reviews.

    python benchmarks/transformer_speed.py --eli5 [--texts 12] [--heldout 300]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from reviews import REMOVAL_REPORT  # noqa: E402
from timing import copy_declarations  # noqa: E402


class Recording:
    """The model, with the texts it was asked about and the seconds it took."""

    def __init__(self, model) -> None:
        self.model = model
        self.seconds = 0.0
        self.texts: list[str] = []
        self.class_names = model.class_names
        copy_declarations(model, self)

    def predict_proba(self, texts):
        start = time.perf_counter()
        out = self.model.predict_proba(texts)
        self.seconds += time.perf_counter() - start
        self.texts.extend(texts)
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=12)
    parser.add_argument("--bert-base", action="store_true", help="the BERT-base-sized random model (benchmarks/gpu.py)")
    parser.add_argument("--eli5", action="store_true", help="lime_core's default beside eli5 at 5,000 samples")
    parser.add_argument("--heldout", type=int, default=300, help="with --eli5: the common held-out set per review")
    args = parser.parse_args(argv)
    if args.eli5:
        return beside_eli5(args.texts, args.heldout)
    from lime_core import PredictionCache, TextExplainer
    from lime_core.models.transformer import TransformerClassifier
    from lime_core.settings import get_settings

    folder = get_settings().sentiment_model
    if args.bert_base:
        from gpu import bert_base_dir

        folder = bert_base_dir(folder)
    model = TransformerClassifier(folder, env_var=None)
    floor_model = TransformerClassifier(folder, env_var=None, fixed_shapes=False)
    rows = []
    for text, _ in REMOVAL_REPORT[: args.texts]:
        recording = Recording(model)
        start = time.perf_counter()
        TextExplainer(n_samples="auto", random_state=0, cache=PredictionCache()).explain(text, recording)
        wall = time.perf_counter() - start
        start = time.perf_counter()
        floor_model.predict_proba(list(dict.fromkeys(recording.texts)))
        floor = time.perf_counter() - start
        own = wall - recording.seconds
        rows.append((wall, recording.seconds, floor, own))
        print(f"{wall:6.2f} s wall, {recording.seconds:6.2f} s in the model, floor {floor:6.2f} s, own {own:5.2f} s "
              f"({own / floor:.2f}x the floor), {len(set(recording.texts))} texts: {text}", flush=True)
    a = np.asarray(rows)

    def q(v: np.ndarray) -> str:
        return f"{np.median(v):.2f} [{np.percentile(v, 10):.2f}, {np.percentile(v, 90):.2f}]"

    print(f"wall s {q(a[:, 0])}; in model {q(a[:, 1])}; floor {q(a[:, 2])}; own {q(a[:, 3])}; "
          f"own / floor {q(a[:, 3] / a[:, 2])}; model with lime_core's batches / floor {q(a[:, 1] / a[:, 2])}")
    return 0


def beside_eli5(n_texts: int, n_heldout: int) -> int:
    """lime_core's default explanation beside eli5's at 5,000 samples on the report reviews (module docstring)."""
    import warnings

    from adaptive import common_heldout, run_eli5, run_lime_core
    from timing import TimedModel

    from lime_core.metrics import mean_kl_divergence
    from lime_core.models.registry import load_model
    from lime_core.verdict import judge_trust

    warnings.filterwarnings("ignore")
    inner = load_model("sentiment")
    inner.predict_proba(["warm up"])  # loads the weights
    # the model's declarations pass through, so that lime_core's default is the model's (a bare TimedModel declares
    # none, and lime_core then deleted words with single-word features: the figures of docs/benchmarks.md before
    # issue 19's held-out work; benchmarks/heldout_kl.py is the fuller comparison)
    model = TimedModel.wrapping(inner)
    rows, trusted = [], []
    for text, kind in REMOVAL_REPORT[:n_texts]:
        ours = run_lime_core(model, 0, "auto", False, text)
        theirs = run_eli5(model, 0, text)
        common = []
        for run in (ours, theirs):  # each on held-out texts made with its own removal operator
            keep, texts, proba, weight = common_heldout(inner, n_heldout, 12345, text, removal=run.removal)
            common.append(mean_kl_divergence(proba, run.predict_common(keep, texts), weight))
        verdict = judge_trust(ours.explanation).level
        trusted.append((kind, verdict == "trust"))
        rows.append((ours.wall, theirs.wall, ours.kl, theirs.kl, *common))
        print(f"lime_core {ours.wall:5.2f} s ({ours.distinct} calls), eli5 {theirs.wall:6.2f} s ({theirs.texts} sent); "
              f"KL own {ours.kl:.4f} vs {theirs.kl:.4f}, common {common[0]:.4f} vs {common[1]:.4f}; "
              f"{verdict} ({kind}): {text}", flush=True)
    a = np.asarray(rows)

    def q(v: np.ndarray) -> str:
        return f"{np.median(v):.4g} [{np.percentile(v, 10):.4g}, {np.percentile(v, 90):.4g}]"

    clear = [t for kind, t in trusted if kind == "clear"]
    print(f"{len(rows)} reviews, median [p10, p90]: wall s lime_core {q(a[:, 0])}, eli5 {q(a[:, 1])}, "
          f"ratio {q(a[:, 0] / a[:, 1])}; held-out KL own lime_core {q(a[:, 2])}, eli5 {q(a[:, 3])}; "
          f"common lime_core {q(a[:, 4])}, eli5 {q(a[:, 5])}; Trustworthy {sum(t for _, t in trusted)}/{len(trusted)}, "
          f"clear-cut {sum(clear)}/{len(clear)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
