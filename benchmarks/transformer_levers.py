"""Issue 19's CPU levers on the sentiment transformer: threads, batching, ONNX Runtime, int8 (transformer-levers.md).

The texts are the explanation's own: for each review (benchmarks/reviews.py, REMOVAL_REPORT; ``--set dev``:
REMOVAL_DEV, where a lever's constants are to be chosen) a default explanation on the stand-in (``auto``, seed 0, a
fresh cache) is recorded call by call, and every variant then answers those same calls (the round's distinct texts,
as lime_core sends them). With ``--bert-base`` the stand-in's calls are replayed on the BERT-base-sized model
(benchmarks/gpu.py: random weights, timing only; its own explanation would stop after 2 rounds, since random
weights barely move).

Variants of one lever run interleaved within each review (A, B, C, then B, C, A, ...), so that their ratios are
comparable on a loaded machine; the load average is printed per review. Each variant's seconds are the model time
for the review's calls (the median of ``--repeats``); its probabilities are compared with the current default's
(``current``: lime_core's length buckets, ``token_budget`` 512, fixed shapes, at the threads lime_core leaves).

    python benchmarks/transformer_levers.py [--texts 12] [--bert-base] [--levers threads,batching,onnx,quant]
                                            [--repeats 3] [--threads N] [--set report|dev]

Levers:

* ``threads``: torch.set_num_threads 1 against lime_core's (the CPUs: 2 here), current batching. The other levers
  run at ``--threads`` (default lime_core's), and at 1 thread beside it.
* ``batching``: token budgets 256, 1024, 2048 against 512; finer length buckets (every 4 tokens up to 64); no
  filling (``fixed_shapes=False``); fixed counts of 32 texts sorted by token length and padded to each batch's
  longest; sorted by length and cut by a 512-token budget with no buckets (padded to each batch's longest).
* ``onnx``: the model exported with ``torch.onnx.export`` (fp32, eager attention) and run in ONNX Runtime on the
  current batches, against torch at the same threads; max |difference| of the probabilities.
* ``quant``: torch dynamic int8 quantization of the Linear layers (``quantize_dynamic``) against the full model:
  the speed, the KL from the full model's probabilities over the perturbed texts, and (stand-in only) whether the
  explanation's top-5 words stay.

ONNX Runtime and onnx are not lime_core's dependencies: install them apart (``pip install --target DIR onnxruntime
onnx onnxscript ml_dtypes flatbuffers onnx_ir --no-deps`` and put DIR on PYTHONPATH).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from reviews import REMOVAL_DEV, REMOVAL_REPORT  # noqa: E402
from timing import copy_declarations  # noqa: E402

LEVERS = ("threads", "batching", "onnx", "quant")
BUDGETS = (256, 1024, 2048)
FIXED_COUNT = 32
TOP_K = 5
# Finer length buckets for short texts (every 4 tokens up to 64): less padding, more part-filled passes.
FINER_BUCKETS = (*range(8, 65, 4), 80, 96, 112, 128, 192, 256, 384, 512, 768, 1024)


class CallRecorder:
    """The model, keeping the texts of each call lime_core makes."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.calls: list[list[str]] = []
        self.class_names = model.class_names
        copy_declarations(model, self)

    def predict_proba(self, texts: Any) -> np.ndarray:
        self.calls.append(list(texts))
        return self.model.predict_proba(texts)


class Variant:
    """One way to answer lime_core's calls, at a thread count."""

    def __init__(self, name: str, threads: int, predict: Callable[[list[str]], np.ndarray]) -> None:
        self.name = name
        self.threads = threads
        self.predict = predict

    def run(self, calls: list[list[str]]) -> tuple[float, np.ndarray]:
        import torch

        torch.set_num_threads(self.threads)
        start = time.perf_counter()
        proba = np.vstack([self.predict(texts) for texts in calls])
        return time.perf_counter() - start, proba


def softmax(logits: Any) -> np.ndarray:
    """lime_core's softmax (float64, torch's), from torch or numpy logits."""
    import torch

    tensor = logits if isinstance(logits, torch.Tensor) else torch.from_numpy(np.asarray(logits))
    return torch.softmax(tensor.double(), dim=-1).numpy()


def sorted_batches(model: Any, texts: list[str], *, count: int | None = None, budget: int | None = None) -> np.ndarray:
    """Texts sorted by token length, batched by a fixed count or a token budget, padded to each batch's longest."""
    import torch

    columns = model.encode(texts)
    lengths = np.array([len(ids) for ids in columns["input_ids"]])
    order = np.argsort(lengths, kind="stable")
    batches, current = [], []
    for i in order.tolist():
        if current and (
            (count is not None and len(current) == count)
            or (budget is not None and (len(current) + 1) * lengths[i] > budget)
        ):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    result = np.empty((len(texts), len(model.class_names)))
    pad_id = model.tokenizer.pad_token_id or 0
    with torch.inference_mode():
        for rows in batches:
            width = int(lengths[rows].max())
            batch = {}
            for key, values in columns.items():
                matrix = np.full((len(rows), width), pad_id if key == "input_ids" else 0, dtype=np.int64)
                for j, r in enumerate(rows):
                    matrix[j, : lengths[r]] = values[r]
                batch[key] = torch.from_numpy(matrix)
            result[rows] = softmax(model.model(**batch).logits)
    return result


def export_onnx(model: Any, folder: str) -> str:
    """The model as an ONNX file (fp32; the legacy exporter, eager attention: no traced branches on the mask)."""
    import torch
    from transformers import AutoModelForSequenceClassification

    eager = AutoModelForSequenceClassification.from_pretrained(
        model.source, dtype=torch.float32, attn_implementation="eager"
    ).eval()
    names = ["input_ids", "attention_mask", "token_type_ids"]

    class Logits(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits

    example = model.tokenizer(["A short text.", "A slightly longer text to trace."], padding=True, return_tensors="pt")
    path = os.path.join(folder, "model.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Logits(eager).eval(),
            tuple(example[name] for name in names),
            path,
            input_names=names,
            output_names=["logits"],
            dynamic_axes={**{name: {0: "batch", 1: "tokens"} for name in names}, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return path


def ort_predict(model: Any, path: str, threads: int) -> Callable[[list[str]], np.ndarray]:
    """The ONNX model in ONNX Runtime, on the same batches as ``model.predict_proba``."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    wanted = [i.name for i in session.get_inputs()]

    def predict(texts: list[str]) -> np.ndarray:
        result = np.empty((len(texts), len(model.class_names)))
        for rows, batch in model.padded_batches(texts):
            feeds = {name: batch.get(name, np.zeros_like(batch["input_ids"])) for name in wanted}
            result[rows] = softmax(session.run(["logits"], feeds)[0][: len(rows)])
        return result

    return predict


def quantized(model: Any) -> Any:
    """A copy of ``model`` whose Linear layers are torch's dynamic int8."""
    import torch

    clone = copy.copy(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.ao.quantization import quantize_dynamic

        clone.model = quantize_dynamic(copy.deepcopy(model.model), {torch.nn.Linear}, dtype=torch.qint8)
    return clone


def finer_buckets() -> type:
    """TransformerClassifier with :data:`FINER_BUCKETS` (fixed shapes: a text's pass shape is still its own)."""
    from lime_core.models.transformer import TransformerClassifier

    class Finer(TransformerClassifier):
        def bucket_length(self, n_tokens: int) -> int:
            for length in FINER_BUCKETS:
                if n_tokens <= length < self.max_length:
                    return length
            return self.max_length

    return Finer


def plural(threads: int) -> str:
    return f"{threads} thread{'s' if threads > 1 else ''}"


def variants(lever: str, model: Any, folder: str, onnx_dir: str, cpus: int, threads: int) -> list[Variant]:
    """The variants of ``lever``; the first is the current default (``current``) at ``threads`` (the threads lever:
    at ``cpus``, lime_core's)."""
    from lime_core.models.transformer import TransformerClassifier

    if lever == "threads":
        return [Variant("current", cpus, model.predict_proba), Variant("1 thread", 1, model.predict_proba)]
    current = Variant("current", threads, model.predict_proba)
    counts = [threads] if threads == 1 else [threads, 1]
    if lever == "batching":
        out = [current]
        for budget in BUDGETS:
            other = TransformerClassifier(folder, env_var=None, token_budget=budget)
            out.append(Variant(f"budget {budget}", threads, other.predict_proba))
        finer = finer_buckets()(folder, env_var=None)
        out.append(Variant("finer buckets", threads, finer.predict_proba))
        no_fill = TransformerClassifier(folder, env_var=None, fixed_shapes=False)
        out.append(Variant("no filling", threads, no_fill.predict_proba))
        out.append(Variant(f"{FIXED_COUNT} a batch", threads, lambda t: sorted_batches(model, t, count=FIXED_COUNT)))
        out.append(Variant("sorted, 512 tokens", threads, lambda t: sorted_batches(model, t, budget=512)))
        return out
    if lever == "onnx":
        path = export_onnx(model, onnx_dir)
        out = [current] + [Variant(f"torch {plural(n)}", n, model.predict_proba) for n in counts[1:]]
        return out + [Variant(f"onnxruntime {plural(n)}", n, ort_predict(model, path, n)) for n in counts]
    if lever == "quant":
        int8 = quantized(model)
        out = [current] + [Variant(f"torch {plural(n)}", n, model.predict_proba) for n in counts[1:]]
        return out + [Variant(f"int8 {plural(n)}", n, int8.predict_proba) for n in counts]
    raise ValueError(lever)


def q(values: Any, digits: int = 2) -> str:
    v = np.asarray(values, dtype=float)
    return f"{np.median(v):.{digits}f} [{np.percentile(v, 10):.{digits}f}, {np.percentile(v, 90):.{digits}f}]"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def top_words(explanation: Any) -> set[str]:
    return {w.feature for w in explanation.targets[0].top(TOP_K)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=12)
    parser.add_argument(
        "--set", choices=("report", "dev"), default="report", help="the reviews: REMOVAL_REPORT (unseen) or REMOVAL_DEV"
    )
    parser.add_argument("--bert-base", action="store_true", help="replay on the BERT-base-sized random model")
    parser.add_argument("--levers", default=",".join(LEVERS), help=f"comma-separated, of {', '.join(LEVERS)}")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each variant per review (median taken)")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads of every lever but 'threads' (default: lime_core's, the CPUs)",
    )
    args = parser.parse_args(argv)
    levers = [name.strip() for name in args.levers.split(",") if name.strip()]
    unknown = set(levers) - set(LEVERS)
    if unknown:
        parser.error(f"unknown levers {sorted(unknown)}; choose from {', '.join(LEVERS)}")

    import torch

    from lime_core import PredictionCache, TextExplainer
    from lime_core.metrics import kl_divergence_rows
    from lime_core.models.transformer import TransformerClassifier
    from lime_core.settings import get_settings

    standin_dir = get_settings().sentiment_model
    standin = TransformerClassifier(standin_dir, env_var=None)
    cpus = torch.get_num_threads()  # what lime_core left: at most the CPUs this process may use
    texts = [text for text, _ in (REMOVAL_DEV if args.set == "dev" else REMOVAL_REPORT)[: args.texts]]
    # the recording runs at the levers' threads: the stand-in's probabilities at 1 and 2 threads are the same bit for
    # bit on these calls (the threads lever checks it), so the explanations and their calls are too
    torch.set_num_threads(args.threads or cpus)
    explanations, calls = [], []
    for text in texts:
        recorder = CallRecorder(standin)
        explanations.append(
            TextExplainer(n_samples="auto", random_state=0, cache=PredictionCache()).explain(text, recorder)
        )
        calls.append(recorder.calls)
    folder = standin_dir
    if args.bert_base:
        from gpu import bert_base_dir

        folder = bert_base_dir(standin_dir)
    model = TransformerClassifier(folder, env_var=None)
    size = "BERT-base-sized (random weights)" if args.bert_base else "stand-in (MiniLM)"
    print(
        f"== transformer_levers {size}, {len(texts)} reviews, the stand-in's explanation calls: "
        f"{q([sum(map(len, c)) for c in calls], 0)} texts in {q([len(c) for c in calls], 0)} calls; "
        f"torch {torch.__version__}, lime_core's threads {cpus}, the levers' {args.threads or cpus}; load {load()}",
        flush=True,
    )

    onnx_dir = tempfile.mkdtemp(prefix="levers-onnx-")
    for lever in levers:
        chosen = variants(lever, model, folder, onnx_dir, cpus, args.threads or cpus)
        names = [v.name for v in chosen]
        seconds = np.zeros((len(texts), len(chosen)))
        diff = np.zeros(len(chosen))
        kl: list[list[float]] = [[] for _ in chosen]
        print(f"-- {lever}: {', '.join(names)} (load {load()})", flush=True)
        for i, text in enumerate(texts):
            chosen[0].run(calls[i][:1])  # warm the first shapes
            runs: list[list[float]] = [[] for _ in chosen]
            answers: list[np.ndarray | None] = [None] * len(chosen)
            for rep in range(args.repeats):
                shift = (i + rep) % len(chosen)
                for j in list(range(shift, len(chosen))) + list(range(shift)):
                    t, proba = chosen[j].run(calls[i])
                    runs[j].append(t)
                    answers[j] = proba
            seconds[i] = [np.median(r) for r in runs]
            base = answers[0]
            assert base is not None
            for j, proba in enumerate(answers):
                assert proba is not None
                diff[j] = max(diff[j], float(np.abs(proba - base).max()))
                kl[j].append(float(kl_divergence_rows(base, proba).mean()))
            parts = ", ".join(f"{n} {s:.2f} s" for n, s in zip(names, seconds[i], strict=True))
            print(f"  {parts}; {sum(map(len, calls[i]))} texts (load {load()}): {text}", flush=True)
        torch.set_num_threads(cpus)
        for j, name in enumerate(names):
            line = f"  {name}: model s {q(seconds[:, j])}"
            if j:
                line += f", / current {q(seconds[:, j] / seconds[:, 0])}, max |p - current| {diff[j]:.1e}"
                if lever == "quant":
                    line += f", KL from the full model per review {q(kl[j], 5)}"
            print(line, flush=True)
        if lever == "quant" and not args.bert_base:
            q_model = quantized(standin)
            kept = []
            for text, full in zip(texts, explanations, strict=True):
                recorder = CallRecorder(q_model)
                e = TextExplainer(n_samples="auto", random_state=0, cache=PredictionCache()).explain(text, recorder)
                a, b = top_words(full), top_words(e)
                kept.append(len(a & b) / len(a | b))
            print(
                f"  int8's explanation: top-{TOP_K} Jaccard with the full model's {q(kept)}, "
                f"{sum(k == 1.0 for k in kept)} of {len(kept)} identical sets",
                flush=True,
            )
    print(f"== done (load {load()})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
