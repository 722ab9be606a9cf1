"""The GPU path, checked: transformers on GPU against CPU, and Ray's batch workers asking for a GPU.

One short script (a few minutes):

1. times the sentiment stand-in (``LIME_SENTIMENT_MODEL``) and a BERT-base-sized model
   (``BertForSequenceClassification`` with random weights from a bert-base config and the stand-in's tokenizer,
   built here: nothing is downloaded; for timing only) on the CPU, and on the GPU when CUDA is there;
2. checks that GPU and CPU probabilities agree to 1e-4 (max absolute difference);
3. prints explanations per minute (default explanations of the review set, seed 0) on each device;
4. checks that Ray's batch workers ask for a GPU for a transformer: a local Ray with the machine's GPUs (or,
   without one, a declared GPU resource, which Ray lets any machine announce) must hand each actor its share.

Without CUDA it runs the CPU half and the Ray check, then says plainly that no GPU was measured and exits 2.

    python benchmarks/gpu.py [--texts 12] [--skip-ray]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from reviews import REMOVAL_REPORT  # noqa: E402

AGREE = 1e-4


def bert_base_dir(tokenizer_dir: str) -> str:
    """A bert-base-sized classifier with random weights and the stand-in's tokenizer, saved to a temp folder."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = BertConfig(  # bert-base: 12 layers, hidden 768, 12 heads, 3072 intermediate, 512 positions
        vocab_size=tokenizer.vocab_size,
        num_labels=2,
        id2label={0: "negative", 1: "positive"},
        label2id={"negative": 0, "positive": 1},
        architectures=["BertForSequenceClassification"],
    )
    torch.manual_seed(0)
    folder = tempfile.mkdtemp(prefix="bert-base-random-")
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def time_device(model_dir: str, device: str, texts: list[str]) -> tuple[np.ndarray, float, float]:
    """Probabilities of ``texts``, seconds per default explanation, and explanations per minute on ``device``."""
    from lime_core import PredictionCache, TextExplainer
    from lime_core.models.transformer import TransformerClassifier

    model = TransformerClassifier(model_dir, device=device, env_var=None)
    proba = model.predict_proba(texts)
    times = []
    for text in texts:
        start = time.perf_counter()
        TextExplainer(n_samples="auto", random_state=0, cache=PredictionCache()).explain(text, model)
        times.append(time.perf_counter() - start)
    return proba, float(np.median(times)), 60.0 * len(times) / sum(times)


def check_ray_asks_for_a_gpu(gpus: float) -> bool:
    """Start a local Ray announcing ``gpus`` GPUs, start two batch workers for the transformer, and check that
    the GPUs they hold are what the backend should ask for (a share each)."""
    import ray

    from lime_core.batch import BatchOptions, ModelSource
    from lime_core.batch.ray_backend import RayBackend

    ray.init(num_cpus=2, num_gpus=gpus, include_dashboard=False, log_to_driver=False)
    try:
        backend = RayBackend(2)
        backend.start(ModelSource("name", "sentiment"), BatchOptions(samples=100))
        held = ray.cluster_resources().get("GPU", 0) - ray.available_resources().get("GPU", 0)
        backend.close()
    finally:
        ray.shutdown()
    expected = min(1.0, gpus / 2) * 2
    ok = abs(held - expected) < 1e-9
    print(f"Ray: 2 workers for the transformer hold {held:g} of {gpus:g} GPUs (expected {expected:g}): "
          f"{'OK' if ok else 'FAILED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=12, help="reviews to explain per model and device")
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args(argv)
    import torch

    from lime_core.settings import get_settings

    standin = get_settings().sentiment_model
    texts = [t for t, _ in REMOVAL_REPORT[: args.texts]]
    cuda = torch.cuda.is_available()
    print(f"torch {torch.__version__}, CPU threads {torch.get_num_threads()}, CUDA: "
          f"{torch.cuda.get_device_name(0) if cuda else 'not available'}; {len(texts)} reviews")
    ok = True
    for name, folder in (("stand-in (MiniLM)", standin), ("BERT-base-sized (random weights)", bert_base_dir(standin))):
        cpu_proba, cpu_median, cpu_rate = time_device(folder, "cpu", texts)
        print(f"{name}: CPU  {cpu_median:.2f} s per explanation (median), {cpu_rate:.1f} explanations/min")
        if cuda:
            gpu_proba, gpu_median, gpu_rate = time_device(folder, "cuda", texts)
            diff = float(np.abs(gpu_proba - cpu_proba).max())
            agree = diff <= AGREE
            ok &= agree
            print(f"{name}: GPU  {gpu_median:.2f} s per explanation (median), {gpu_rate:.1f} explanations/min; "
                  f"max |GPU - CPU| probability {diff:.2e} ({'OK' if agree else 'FAILED'}: limit {AGREE:g})")
    if not args.skip_ray:
        ok &= check_ray_asks_for_a_gpu(float(torch.cuda.device_count()) if cuda else 1.0)
    if not cuda:
        print("NO GPU: CUDA is not available on this machine; only the CPU half and the Ray request were checked. "
              "GPU figures are not measured.")
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
