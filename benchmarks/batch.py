"""Batch throughput: explanations per minute on the same 20 Newsgroups test posts, and what a big run would take.

Configurations (each in its own process, so that start-up and memory are its own):

* ``local1``: ``run_batch`` with one worker (this process; loads the model);
* ``local2``: two local worker processes (spawned; each loads the model);
* ``ray1`` / ``ray2``: one or two Ray actors on a local Ray started for the run (start-up included);
* ``cluster2``: two Ray actors on a real two-node cluster on this machine (``ray.cluster_utils.Cluster``: a head
  and a worker node, one CPU each; the model travels from the driver through the object store; start-up of the
  cluster excluded, of the workers included);
* ``eli5`` / ``lime``: a plain loop of eli5 0.16's ``TextExplainer`` and lime 0.2.0.1's ``LimeTextExplainer``
  over the same posts at the same sample count, explaining the predicted class.

Every tool explains the predicted class of each post with the same number of samples; lime_core also
computes its trust figures (intervals, stability refits) and the verdict. Printed: wall time with start-up,
explanations per minute, model calls, held-out fidelity over the posts (median and quartiles of
mean KL; lime reports none), peak memory per worker, and a projection for 10,000 and 1,000,000 texts on N
workers from the measured cost per text.

    python benchmarks/batch.py                  # 120 posts, 1,000 samples, every configuration
    python benchmarks/batch.py --texts 20 --configs local1,eli5   # a quick look
    python benchmarks/batch.py --samples auto --texts 40 --spread 1000 --configs local1,cluster2
        # 40 posts spread evenly over the first 1,000 test posts, adaptive sampling: posts per hour per core and
        # the share of Trustworthy verdicts, on one local worker and on the two-node cluster
    python benchmarks/batch.py --breakdown --samples auto --texts 100 --spread 1000
        # where one worker's CPU time goes, per part of an explanation (model calls, surrogate fits, the trust
        # checks), on the same posts; no configurations are run

Throughput per core is texts / (wall time x workers): on a shared machine a worker does not own its core, so
the load average before and after each configuration is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONFIGS = ("local1", "local2", "ray1", "ray2", "cluster2", "eli5", "lime")
PROJECT_WORKERS = (1, 2, 8, 32, 128)
GOAL_PER_CORE_HOUR = 10_000  # the throughput goal: posts per hour per core at auto's quality


def posts(n: int, spread: int | None = None) -> tuple[list[str], list[str]]:
    """The first ``n`` test posts, or ``n`` posts spread evenly over the first ``spread`` (a sample of them)."""
    from lime_core.models.newsgroups import load_newsgroups

    split = load_newsgroups("test")
    rows = range(n) if not spread else [i * min(spread, len(split.texts)) // n for i in range(n)]
    return [split.texts[i] for i in rows], [split.target_names[split.target[i]] for i in rows]


def quartiles(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) < 4:
        return f"{statistics.median(values):.3f}"
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return f"{q2:.3f} [{q1:.3f}-{q3:.3f}]"


def peak_rss() -> int:
    from lime_core.batch.work import peak_rss_bytes

    return peak_rss_bytes()


# -- where the time goes ---------------------------------------------------------------------------------------------

# (part, what is timed, where it is looked up): each part's CPU time excludes the parts timed inside it.
PARTS = (
    ("model calls", "lime_core.models.newsgroups.classifier:NewsgroupsClassifier.predict_proba"),
    ("perturbed texts (drawing, rebuilding)", "lime_core.rounds:MaskingSource.draw"),
    ("surrogate fits (every round)", "lime_core.estimator:fit_local_model"),
    ("held-out fidelity (KL, score)", "lime_core.fitting:fidelity"),
    ("stopping rule (auto's rounds)", "lime_core.trust.stopping:SettledTopWords.after_round"),
    ("intervals (curvature, standard errors)", "lime_core.trust.results:TrustResults.uncertainty"),
    ("stability (bootstrap refits)", "lime_core.trust.results:TrustResults.refits"),
    ("faithfulness (model calls of its own)", "lime_core.trust.results:TrustResults.faithfulness"),
    ("the verdict", "lime_core.verdict:judge_trust"),
    ("the verdict", "lime_core.formatters.json_codec:judge_trust"),
    ("the stored JSON explanation", "lime_core.explanation:Explanation.to_json"),
)


def breakdown(n_texts: int, samples: int | str, seed: int, spread: int | None) -> int:
    """Explain the posts in this process, one BLAS thread, and print each part's share of the CPU time."""
    import importlib

    from threadpoolctl import threadpool_limits

    from lime_core.batch import BatchOptions, ModelSource
    from lime_core.batch.io import TextRecord
    from lime_core.batch.work import Worker

    texts, _ = posts(n_texts, spread)
    spent = {name: 0.0 for name, _ in PARTS}
    stack: list[list[float]] = []  # [start, time of the timed parts inside]

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            stack.append([time.process_time(), 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                start, inner = stack.pop()
                elapsed = time.process_time() - start
                spent[name] += elapsed - inner
                if stack:
                    stack[-1][1] += elapsed

        return wrapper

    for name, where in PARTS:
        module_name, attribute = where.split(":")
        owner = importlib.import_module(module_name)
        *path, last = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, last, timed(name, getattr(owner, last)))
    worker = Worker(ModelSource("name", "20ng-svm"), BatchOptions(samples=samples, seed=seed))
    rows = []
    with threadpool_limits(1):
        worker.explain(TextRecord(id="warm-up", row=-1, text=texts[0], label=None))  # imports, first-call set-up
        spent = dict.fromkeys(spent, 0.0)
        started = time.process_time()
        for i, text in enumerate(texts):
            rows.append(worker.explain(TextRecord(id=str(i), row=i, text=text, label=None)).row)
        total = time.process_time() - started
    print(f"{len(texts)} posts, {samples} samples: {total:.1f} CPU s in the worker, {total / len(texts):.3f} s per "
          f"post ({3600 * len(texts) / total:,.0f} posts per CPU-hour without start-up); Trustworthy "
          f"{sum(r.get('verdict') == 'trust' for r in rows)} of {len(rows)}; held-out KL "
          f"{quartiles([r['mean_KL_divergence'] for r in rows if r.get('mean_KL_divergence') is not None])}\n")
    print("| part | CPU s | share |\n|---|---|---|")
    for name, seconds in [*spent.items(), ("everything else", total - sum(spent.values()))]:
        print(f"| {name} | {seconds:.1f} | {seconds / total:.0%} |")
    return 0


# -- one configuration, in a child process ---------------------------------------------------------------------------


def run_one(config: str, n_texts: int, samples: int | str, seed: int, workdir: Path, spread: int | None) -> dict:
    texts, labels = posts(n_texts, spread)
    if config in ("eli5", "lime"):
        return run_peer(config, texts, int(samples), seed)
    import pandas as pd
    import pyarrow.parquet as pq

    from lime_core.batch import BatchOptions, InputSpec, ModelSource, run_batch

    data = workdir / "posts.parquet"
    pd.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts, "label": labels}).to_parquet(data)
    out = workdir / f"out-{config}"
    backend, workers = ("ray", int(config[-1])) if config.startswith(("ray", "cluster")) else ("local", int(config[5:]))
    cluster = _two_node_cluster() if config.startswith("cluster") else None
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    final = run_batch(InputSpec(data, "text", "id", "label"), out, ModelSource("name", "20ng-svm"),
                      BatchOptions(samples=samples, seed=seed), backend=backend, workers=workers)
    wall = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before  # this process (and its local worker processes): not Ray's workers
    if cluster is not None:
        import ray

        ray.shutdown()
        cluster.shutdown()
    rows = pq.read_table(out / "explanations.parquet", columns=["mean_KL_divergence", "seconds", "verdict"])
    rows = rows.to_pandas()
    return {
        "load": [load_before, os.getloadavg()[0]],
        "cpu": cpu if workers == 1 and backend == "local" else None,
        "seconds": rows["seconds"].tolist(),
        "config": config,
        "texts": final.done,
        "wall": wall,
        "model_calls": final.model_calls,
        "kl": rows["mean_KL_divergence"].dropna().tolist(),
        "seconds_per_text": float(rows["seconds"].mean()),
        "verdicts": rows["verdict"].value_counts().to_dict(),
        "worker_rss": sorted(final.worker_peak_rss.values()),
        "workers": workers,
    }


def _two_node_cluster():
    """A head and a worker node on this machine, one CPU each, joined by this process (no dashboard)."""
    import ray
    from ray.cluster_utils import Cluster

    node = {"num_cpus": 1, "object_store_memory": 200 * 2**20}
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    cluster.add_node(**node)
    ray.init(address=cluster.address, log_to_driver=False)
    deadline = time.monotonic() + 120
    while ray.available_resources().get("CPU", 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    return cluster


def run_peer(tool: str, texts: list[str], samples: int, seed: int) -> dict:
    from lime_core.models import load_model

    started = time.perf_counter()
    model = load_model("20ng-svm")
    names = list(model.class_names)
    calls = 0

    def predict_proba(batch):
        nonlocal calls
        calls += len(batch)
        return model.predict_proba(list(batch))

    kl = []
    per_text = []
    failures: dict[str, int] = {}
    for text in texts:
        t0 = time.perf_counter()
        try:
            if tool == "eli5":
                from eli5.lime import TextExplainer as Eli5TextExplainer

                te = Eli5TextExplainer(n_samples=samples, random_state=seed)
                te.fit(text, predict_proba)
                te.explain_prediction(target_names=names, top_targets=1)
                kl.append(float(te.metrics_["mean_KL_divergence"]))
            else:
                from lime.lime_text import LimeTextExplainer

                explainer = LimeTextExplainer(class_names=names, random_state=seed)
                explainer.explain_instance(text, predict_proba, num_features=10, num_samples=samples, top_labels=1)
        except Exception as exc:  # e.g. eli5 on a post with almost no words: counted, and the loop goes on
            failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
        per_text.append(time.perf_counter() - t0)
    wall = time.perf_counter() - started
    verdicts = {f"failed ({k})": v for k, v in failures.items()}
    return {"config": tool, "texts": len(texts), "wall": wall, "model_calls": calls, "kl": kl,
            "seconds_per_text": statistics.mean(per_text), "verdicts": verdicts, "worker_rss": [peak_rss()],
            "workers": 1}


# -- the report ------------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=120, help="20 Newsgroups test posts (default 120)")
    parser.add_argument("--samples", type=_samples, default=1000,
                        help="samples per explanation, every tool (1000); auto: lime_core's adaptive count (no peers)")
    parser.add_argument("--spread", type=int, default=None, metavar="N",
                        help="take the posts spread evenly over the first N test posts (default: the first ones)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--breakdown", action="store_true",
                        help="only print where one worker's CPU time goes on these posts, part by part")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # run one configuration (child process)
    parser.add_argument("--workdir", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.breakdown:
        return breakdown(args.texts, args.samples, args.seed, args.spread)
    if args.one:
        result = run_one(args.one, args.texts, args.samples, args.seed, Path(args.workdir), args.spread)
        print("RESULT " + json.dumps(result))
        return 0

    configs = [c for c in args.configs.split(",") if c]
    unknown = set(configs) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configurations {sorted(unknown)}; choose from {','.join(CONFIGS)}")
    if args.samples == "auto" and {"eli5", "lime"} & set(configs):
        parser.error("eli5 and lime need a sample count: leave them out of --configs with --samples auto")
    which = f"spread evenly over the first {args.spread:,}" if args.spread else "the first ones"
    samples = f"{args.samples:,} samples" if args.samples != "auto" else "adaptive samples (auto)"
    print(f"{args.texts} 20 Newsgroups test posts ({which}), {samples} each, seed {args.seed}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; each configuration in a fresh process, "
          "start-up included.\n")
    results = {}
    with tempfile.TemporaryDirectory(prefix="lime-batch-bench-") as tmp:
        for config in configs:
            workdir = Path(tmp) / config
            workdir.mkdir()
            command = [sys.executable, __file__, "--one", config, "--texts", str(args.texts), "--samples",
                       str(args.samples), "--seed", str(args.seed), "--workdir", str(workdir)]
            if args.spread:
                command += ["--spread", str(args.spread)]
            done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
            line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
            if done.returncode != 0 or line is None:
                print(f"{config}: failed\n{done.stderr[-2000:]}")
                continue
            results[config] = json.loads(line[len("RESULT "):])
            r = results[config]
            print(f"  {config:<7} {r['wall']:7.1f} s  {60 * r['texts'] / r['wall']:7.1f} explanations/min", flush=True)

    print()
    header = ("| configuration | workers | wall s (with start-up) | explanations / min | texts / hour / core | "
              "model calls | held-out KL median [IQR] | verdicts | Trustworthy | seconds per text median [p10, p90] | "
              "load average before, after | peak memory per worker (MB) |")
    print(header)
    print("|" + "---|" * 12)
    for config, r in results.items():
        verdicts = ", ".join(f"{k} {v}" for k, v in sorted(r["verdicts"].items())) or "-"
        rss = ", ".join(f"{b / 2**20:.0f}" for b in r["worker_rss"])
        load = ", ".join(f"{x:.1f}" for x in r.get("load", [])) or "-"
        trusted = r["verdicts"].get("trust", 0) / r["texts"] if r["texts"] else 0.0
        print(f"| {config} | {r['workers']} | {r['wall']:.1f} | {60 * r['texts'] / r['wall']:.1f} | "
              f"{per_core_hour(r):,.0f} | {r['model_calls']:,} | {quartiles(r['kl'])} | {verdicts} | "
              f"{trusted:.0%} | {spread(r.get('seconds', []))} | {load} | {rss} |")
    for config, r in results.items():
        goal = "met" if per_core_hour(r) >= GOAL_PER_CORE_HOUR else "NOT met"
        busy = 3600 / statistics.mean(r["seconds"]) if r.get("seconds") else None
        in_worker = f"; from the workers' own time per text (no start-up, no waiting): {busy:,.0f}" if busy else ""
        print(f"{config}: {per_core_hour(r):,.0f} texts per hour per core with start-up{in_worker} "
              f"(goal {GOAL_PER_CORE_HOUR:,}: {goal})")
        if r.get("cpu"):  # on a shared machine a worker gets a share of a core: CPU time says what a core does
            per_cpu = 3600 * r["texts"] / r["cpu"]
            print(f"{config}: {r['cpu']:.0f} CPU seconds, {per_cpu:,.0f} texts per CPU-hour, start-up included "
                  f"(goal: {'met' if per_cpu >= GOAL_PER_CORE_HOUR else 'NOT met'})")

    def rate(name: str) -> float | None:
        r = results.get(name)
        return 60 * r["texts"] / r["wall"] if r else None

    print()
    for a, b, target in (("local1", "eli5", 3.0), ("local2", "eli5", 3.0), ("ray2", "eli5", 3.0),
                         ("local1", "lime", None), ("local2", "local1", 1.3), ("ray2", "ray1", 1.3)):
        if rate(a) and rate(b):
            ratio = rate(a) / rate(b)
            goal = f" (target >= {target}x: {'met' if ratio >= target else 'NOT met'})" if target else ""
            print(f"{a} / {b}: {ratio:.2f}x{goal}")

    base = results.get("cluster2") or results.get("ray2") or results.get("local2") or results.get("local1")
    if base:
        per_text = base["seconds_per_text"]  # one worker's time per text, without start-up
        startup = max(0.0, base["wall"] - base["texts"] * per_text / base["workers"])
        print(f"\nProjection from {base['config']}: {per_text:.3f} s per text per worker, start-up about "
              f"{startup:.0f} s, linear in workers (the measured 1 -> 2 speed-up is above):")
        print("| texts | " + " | ".join(f"{n} workers" for n in PROJECT_WORKERS) + " |")
        print("|---|" + "---|" * len(PROJECT_WORKERS))
        for n in (10_000, 1_000_000):
            cells = [_duration(startup + n * per_text / w) for w in PROJECT_WORKERS]
            print(f"| {n:,} | " + " | ".join(cells) + " |")
    return 0


def _cpu_seconds() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def per_core_hour(r: dict) -> float:
    """Texts per hour per core: what one worker's core did, start-up included."""
    return 3600 * r["texts"] / (r["wall"] * r["workers"]) if r["wall"] > 0 else 0.0


def spread(values: list[float]) -> str:
    """Median [p10, p90]."""
    if len(values) < 10:
        return f"{statistics.median(values):.2f}" if values else "-"
    deciles = statistics.quantiles(values, n=10)
    return f"{statistics.median(values):.2f} [{deciles[0]:.2f}, {deciles[-1]:.2f}]"


def _samples(value: str) -> int | str:
    return value if value == "auto" else int(value)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 72 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


if __name__ == "__main__":
    raise SystemExit(main())
