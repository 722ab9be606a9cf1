"""lime_core's own time against the model floor on the sentiment transformer (docs/removal.md).

For each review (benchmarks/reviews.py, REMOVAL_REPORT): a default explanation (``auto``, seed 0, a fresh
cache) with the time spent inside the model's ``predict_proba`` recorded; then the **model floor**: the same
distinct texts the explanation sent, given to the model alone in one call with ``fixed_shapes=False`` (the
fastest way to get those answers). lime_core's own time is the explanation's wall time minus its time inside the
model. Prints per review and the median [p10, p90]; the target is own time at most 0.5x the floor.

    python benchmarks/transformer_speed.py [--texts 12] [--bert-base]
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


class Recording:
    """The model, with the texts it was asked about and the seconds it took."""

    def __init__(self, model) -> None:
        self.model = model
        self.seconds = 0.0
        self.texts: list[str] = []
        self.class_names = model.class_names
        self.mask_token, self.unk_token = model.mask_token, model.unk_token
        self.reads_attention_masks = model.reads_attention_masks
        self.default_removal = model.default_removal

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
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
