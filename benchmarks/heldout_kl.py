"""Held-out KL of lime_core's default explanation beside eli5 0.16 and lime 0.2.0.1, per review, and why it differs.

For each review of a set (benchmarks/reviews.py), in one process, each tool asking the sentiment stand-in itself:

* lime_core's default explanation (``auto``, seed 0, a fresh cache, the model's own default removal operator);
* with ``--diagnose``: lime_core at 5,000 samples, and lime_core ``auto`` with deletion (``--deletion``: only
  the latter, the like-for-like operator beside eli5);
* eli5's ``TextExplainer`` at 5,000 samples (its defaults: deletion, words and word pairs);
* lime's ``LimeTextExplainer`` at 5,000 samples (deletion, words), when ``lime`` is importable.

Every explanation is scored on two common held-out sets that no tool saw (300 perturbations each, their own
seed, cosine weights): one made with **deletion** (what eli5 and lime explain) and one made with the **model's
mask token** (what lime_core's default explains). An explanation describes the model under its own operator, so
each tool's figure on its own operator's set is the like-for-like one; both are printed. With ``--diagnose``, the
default run's samples are also refitted (no model calls) with other penalties, features and kernels, and scored
on the common set of its operator: which lever closes the gap.

Rows are appended to a JSON-lines file as each review finishes (``--out``), so a run cut short keeps its reviews;
the summary reads every row of the file.

    python benchmarks/heldout_kl.py --set dev [--texts 8] [--diagnose] [--out benchmarks/results/heldout-kl-dev.jsonl]
    python benchmarks/heldout_kl.py --set report --out benchmarks/results/heldout-kl-report.jsonl
    python benchmarks/heldout_kl.py --summary benchmarks/results/heldout-kl-report.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from reviews import REMOVAL_DEV, REMOVAL_REPORT, REVIEWS  # noqa: E402

SETS = {
    "dev": REMOVAL_DEV,  # constants are chosen on these
    "report": REMOVAL_REPORT,  # never used for a choice
    "set32": REVIEWS,  # never used for a choice
}
PEER_SAMPLES = 5000
HELDOUT = 300
HELDOUT_SEED = 12345


def memo_of(model: Any) -> Any:
    """``model.predict_proba`` asking the model once per distinct text (the same answers: the stand-in's answers do
    not depend on the texts sent beside them, ``fixed_shapes``)."""
    memo: dict[str, np.ndarray] = {}

    def answers(texts: list[str]) -> np.ndarray:
        texts = list(texts)
        new = [t for t in dict.fromkeys(texts) if t not in memo]
        if new:
            memo.update(zip(new, model.predict_proba(new), strict=True))
        return np.asarray([memo[t] for t in texts])

    return answers


class Recording:
    """The model with its declarations (mask token, default removal), counting seconds and texts."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.class_names = model.class_names
        self.name = getattr(model, "name", "sentiment")
        self.mask_token, self.unk_token = model.mask_token, model.unk_token
        self.reads_attention_masks = model.reads_attention_masks
        self.default_removal = model.default_removal
        self.default_bigrams = model.default_bigrams
        self.reset()

    def reset(self) -> None:
        self.seconds = 0.0
        self.sent = 0
        self.distinct: set[str] = set()

    def predict_proba(self, texts: Any) -> np.ndarray:
        texts = list(texts)
        start = time.perf_counter()
        out = self.model.predict_proba(texts)
        self.seconds += time.perf_counter() - start
        self.sent += len(texts)
        self.distinct.update(texts)
        return np.asarray(out)


def common_set(model: Any, text: str, removal_name: str, store: Path | None = None) -> dict[str, Any]:
    """Perturbations no tool saw (their own seed), the texts ``removal_name`` makes of them, the model's answers.

    With ``store`` (a folder), the model's answers are kept there and read back by a later run, so that runs in
    other processes score on exactly the same set.
    """
    import hashlib

    from lime_core.features import FeatureSpace
    from lime_core.kernels import cosine_similarity_to_original
    from lime_core.removal import resolve_removal
    from lime_core.sampling import default_sampler, draw_neighbourhood
    from lime_core.tokenization import TokenizedText

    tokenized = TokenizedText.from_text(text)
    space = FeatureSpace.build(tokenized)
    rng = np.random.default_rng(HELDOUT_SEED)
    keep = draw_neighbourhood(default_sampler(), space.groups, HELDOUT + 1, rng)[1:]
    texts = resolve_removal(removal_name, None, model).texts(tokenized, keep)
    path = None
    if store is not None:
        key = hashlib.sha256(f"{text}\0{removal_name}\0{HELDOUT}\0{HELDOUT_SEED}".encode()).hexdigest()[:16]
        path = store / f"{key}.npy"
    if path is not None and path.exists():
        proba = np.load(path)
    else:
        proba = np.asarray(model.predict_proba(texts))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, proba)
    return {"keep": keep, "texts": texts, "proba": proba, "weight": cosine_similarity_to_original(keep)}


def kl_on(common: dict[str, Any], predicted: np.ndarray) -> float:
    from lime_core.metrics import mean_kl_divergence

    return float(mean_kl_divergence(common["proba"], predicted, common["weight"]))


def lime_core_run(model: Recording, text: str, n_samples: int | str, removal: str | None = None) -> tuple[Any, dict]:
    from lime_core import PredictionCache, TextExplainer

    model.reset()
    start = time.perf_counter()
    explainer = TextExplainer(n_samples=n_samples, random_state=0, cache=PredictionCache(), removal=removal)
    explanation = explainer.fit(text, model).explanation()
    wall = time.perf_counter() - start
    s = explanation.sampling
    return explainer, {
        "wall": wall,
        "model_s": model.seconds,
        "calls": len(model.distinct),
        "samples": int(explainer.X_.shape[0]),
        "own_kl": float(explanation.metrics.mean_KL_divergence),
        "removal": explainer.removal_.name,
        "stopped": None if s is None else s.stopped_because,
        "verdict": explanation_verdict(explanation),
        "top5": [w.feature for w in explanation.targets[0].top(5)],
        "pairs": bool(explanation.settings.bigrams),
        "pairs_choice": None if getattr(explainer, "pairs_choice_", None) is None else [
            explainer.pairs_choice_.words_kl, explainer.pairs_choice_.pairs_kl, explainer.pairs_choice_.pairs],
    }


def explanation_verdict(explanation: Any) -> str:
    from lime_core.verdict import judge_trust

    return str(judge_trust(explanation).level)


def lime_core_predict(explainer: Any, common: dict[str, Any]) -> np.ndarray:
    return explainer.local_fit_.surrogate.predict_proba(explainer.features_.transform(common["keep"]))


def eli5_run(model: Recording, text: str, memo: bool) -> tuple[Any, dict]:
    """eli5 at 5,000 samples. ``memo``: its model calls go through a memo of answers (the same explanation, fewer
    model calls); its time as a user would see it is then estimated: the wall time plus the texts it sent again
    at the run's own model seconds per text (``wall_estimated``)."""
    from eli5.lime import TextExplainer as Eli5TextExplainer

    model.reset()
    start = time.perf_counter()
    te = Eli5TextExplainer(n_samples=PEER_SAMPLES, random_state=0)
    sent = {"n": 0}
    answers = memo_of(model) if memo else model.predict_proba

    def counted(texts: list[str]) -> np.ndarray:
        sent["n"] += len(texts)
        return answers(texts)

    te.fit(text, counted)
    te.explain_prediction(target_names=model.class_names)
    wall = time.perf_counter() - start
    calls = len(model.distinct)
    per_text = model.seconds / max(model.sent, 1)
    estimated = wall + (sent["n"] - model.sent) * per_text
    return te, {"wall": estimated, "wall_measured": wall, "memo": memo, "model_s": model.seconds, "calls": calls,
                "sent": sent["n"], "own_kl": float(te.metrics_["mean_KL_divergence"])}


def lime_run(model: Recording, text: str) -> tuple[Any, dict] | None:
    try:
        from lime.lime_text import LimeTextExplainer
    except ImportError:
        return None
    n_classes = len(model.class_names)
    model.reset()
    # lime sends every sample; a memo of answers asks the model once per distinct text (its time is not a target
    # here, and the load made 5,000 model calls per review unaffordable)
    answers = memo_of(model)
    start = time.perf_counter()
    exp = LimeTextExplainer(class_names=model.class_names, random_state=0).explain_instance(
        text, answers, labels=range(n_classes), num_features=10_000, num_samples=PEER_SAMPLES
    )
    wall = time.perf_counter() - start
    return exp, {"wall": wall, "model_s": model.seconds, "calls": len(model.distinct), "sent": model.sent}


def variants(explainer: Any, common: dict[str, Any], grid: bool = True) -> dict[str, float]:
    """The default run's samples refitted (no model calls): other penalties, word pairs, kernels; KL on ``common``.
    Without ``grid``: words and words with pairs only, at the default penalty and kernel."""
    from sklearn.base import clone

    from lime_core.features import FeatureSpace
    from lime_core.kernels import ExponentialKernel
    from lime_core.surrogates import SoftmaxSurrogate

    n = explainer.neighbourhood_
    train = explainer.local_fit_.train_index
    out: dict[str, float] = {}
    spaces = {"words": FeatureSpace.build(n.tokenized), "pairs": FeatureSpace.build(n.tokenized, bigrams=True)}
    kernels = {"cos": n.sample_weight}
    if grid:
        kernels.update({f"exp{width:g}": ExponentialKernel(width).weights(n.keep) for width in (0.25, 0.5)})
    for fname, space in spaces.items():
        X, Xc = space.transform(n.keep), space.transform(common["keep"])
        for kname, weight in kernels.items():
            for alpha in (1e-4, 1e-3, 1e-2, 0.1) if grid else (1e-3,):
                s = clone(SoftmaxSurrogate(alpha=alpha)).fit(X[train], n.proba[train], weight[train])
                out[f"{fname}/{kname}/a{alpha:g}"] = kl_on(common, s.predict_proba(Xc))
    return out


def one_review(
    inner: Any, text: str, kind: str, diagnose: bool, peers: bool, store: Path | None, memo: bool, deletion: bool,
    with_lime: bool = True,
) -> dict[str, Any]:
    model = Recording(inner)
    row: dict[str, Any] = {"text": text, "kind": kind}
    commons = {name: common_set(inner, text, name, store) for name in ("deletion", "mask_token")}
    explainer, row["lime_core"] = lime_core_run(model, text, "auto")
    row["lime_core"]["common"] = {k: kl_on(c, lime_core_predict(explainer, c)) for k, c in commons.items()}
    row["lime_core"]["refits"] = variants(explainer, commons[explainer.removal_.name], grid=False)
    runs: list[tuple[str, int | str, str | None]] = []
    if diagnose:
        row["variants"] = variants(explainer, commons[explainer.removal_.name])
        runs.append(("lime_core_5000", PEER_SAMPLES, None))
    if diagnose or deletion:
        runs.append(("lime_core_deletion", "auto", "deletion"))
    for key, n_samples, removal in runs:
        other, row[key] = lime_core_run(model, text, n_samples, removal)
        row[key]["common"] = {k: kl_on(c, lime_core_predict(other, c)) for k, c in commons.items()}
        if key == "lime_core_deletion" and diagnose:
            row["variants_deletion"] = variants(other, commons["deletion"])
    row["load"] = os.getloadavg()
    if not peers:
        return row
    te, row["eli5"] = eli5_run(model, text, memo)
    row["eli5"]["common"] = {k: kl_on(c, te.clf_.predict_proba(te.vec_.transform(c["texts"])))
                             for k, c in commons.items()}
    from run import lime_proba

    lime_result = lime_run(model, text) if with_lime else None
    if lime_result is not None:
        exp, row["lime"] = lime_result
        row["lime"]["common"] = {k: kl_on(c, lime_proba(exp, c["texts"], len(inner.class_names)))
                                 for k, c in commons.items()}
    row["load"] = os.getloadavg()
    return row


def summary(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not rows:
        print("no rows")
        return

    def q(values: Any, fmt: str = ".4f") -> str:
        v = np.asarray(list(values), dtype=float)
        return f"{np.median(v):{fmt}} [{np.percentile(v, 10):{fmt}}, {np.percentile(v, 90):{fmt}}]"

    loads = [r["load"][0] for r in rows]
    print(f"{path.name}: {len(rows)} reviews, median [p10, p90]; 1-min load average {min(loads):.1f}-{max(loads):.1f}")
    ours = [r["lime_core"] for r in rows]
    own_set = [o["common"][o["removal"]] for o in ours]
    print(f"  lime_core default   wall s {q((o['wall'] for o in ours), '.2f')}, model calls "
          f"{q((o['calls'] for o in ours), '.0f')}; common KL on its operator's set ({ours[0]['removal']}) "
          f"{q(own_set)}, on the deletion set {q(o['common']['deletion'] for o in ours)}; own held-out KL "
          f"{q(o['own_kl'] for o in ours)}; word pairs kept on {sum(bool(o.get('pairs')) for o in ours)}/{len(rows)}")
    if "refits" in ours[0]:
        words = [o["refits"]["words/cos/a0.001"] for o in ours]
        print(f"  words only (before; the same samples refitted) common KL on its operator's set {q(words)}")
    for tool in ("lime_core_5000", "lime_core_deletion", "eli5", "lime"):
        rs = [r[tool] for r in rows if tool in r]
        if not rs:
            continue
        own = f", own held-out KL {q(r['own_kl'] for r in rs)}" if "own_kl" in rs[0] else ""
        how = " (estimated: a memo of answers, texts sent again priced at its model time per text)" if rs[0].get(
            "memo") else ""
        print(f"  {tool:19s} wall s {q((r['wall'] for r in rs), '.2f')}{how}, model calls "
              f"{q((r['calls'] for r in rs), '.0f')}; common KL deletion set {q(r['common']['deletion'] for r in rs)},"
              f" mask set {q(r['common']['mask_token'] for r in rs)}{own}")
    peers = [r for r in rows if "eli5" in r]
    if peers:
        mine = [r["lime_core"]["common"][r["lime_core"]["removal"]] for r in peers]
        eli5 = [r["eli5"]["common"]["deletion"] for r in peers]
        print(f"  lime_core default on its operator's set / eli5 on deletion's (each explains its own operator): "
              f"{q(np.divide(mine, eli5), '.2f')}; medians {np.median(mine):.4f} vs {np.median(eli5):.4f}; "
              f"lime_core lower on {sum(a <= b for a, b in zip(mine, eli5, strict=True))}/{len(peers)}")
        same = [r["lime_core"]["common"]["deletion"] for r in peers]
        print(f"  both on the deletion set: medians {np.median(same):.4f} vs {np.median(eli5):.4f}")
        print(f"  time lime_core / eli5: {q((r['lime_core']['wall'] / r['eli5']['wall'] for r in peers), '.3f')}")
    verdicts = [(r["kind"], r["lime_core"]["verdict"]) for r in rows]
    clear = [v for k, v in verdicts if k == "clear"]
    print(f"  verdict Trustworthy: {sum(v == 'trust' for _, v in verdicts)}/{len(rows)}, clear-cut "
          f"{sum(v == 'trust' for v in clear)}/{len(clear)}")
    for key in ("variants", "variants_deletion"):
        if key in rows[0]:
            names = rows[0][key]
            med = {n: float(np.median([r[key][n] for r in rows])) for n in names}
            best = sorted(med, key=med.__getitem__)[:6]
            print(f"  {key} (refits of the auto run's samples, median common KL): "
                  + ", ".join(f"{n} {med[n]:.4f}" for n in best))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="report")
    parser.add_argument("--texts", type=int, default=None, help="the first N reviews of the set (default all)")
    parser.add_argument("--skip", type=int, default=0, help="leave out the first N (resume a run)")
    parser.add_argument("--diagnose", action="store_true")
    parser.add_argument("--no-peers", action="store_true", help="lime_core only (scored on the stored common sets)")
    parser.add_argument("--deletion", action="store_true",
                        help="also lime_core's default with deletion (eli5's operator), scored on both sets")
    parser.add_argument("--no-lime", action="store_true", help="leave lime out (eli5 only beside lime_core)")
    parser.add_argument("--memo", action="store_true",
                        help="eli5 asks the model once per distinct text; its time is then estimated (eli5_run)")
    parser.add_argument("--store", type=Path, default=ROOT / "benchmarks" / "results" / "heldout-sets",
                        help="the common sets' model answers, kept for later runs")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--summary", type=Path, default=None, help="only print the summary of a stored file")
    args = parser.parse_args(argv)
    if args.summary is not None:
        summary(args.summary)
        return 0
    warnings.filterwarnings("ignore")
    from lime_core.models.registry import load_model

    inner = load_model("sentiment")
    inner.predict_proba(["warm up"])
    out = args.out or ROOT / "benchmarks" / "results" / f"heldout-kl-{args.set}.jsonl"
    reviews = SETS[args.set][args.skip: None if args.texts is None else args.texts]
    for text, kind in reviews:
        row = one_review(inner, text, kind, args.diagnose, not args.no_peers, args.store, args.memo, args.deletion,
                         not args.no_lime)
        with out.open("a") as f:
            f.write(json.dumps(row) + "\n")
        lc = row["lime_core"]
        e5 = row.get("eli5", {"wall": float("nan"), "common": {"deletion": float("nan"), "mask_token": float("nan")}})
        print(f"{lc['wall']:5.2f} s vs eli5 {e5['wall']:6.2f} s; common KL (deletion / mask set) lime_core "
              f"{lc['common']['deletion']:.4f} / {lc['common']['mask_token']:.4f}, eli5 {e5['common']['deletion']:.4f}"
              f" / {e5['common']['mask_token']:.4f}; {lc['verdict']}, {lc['samples']} samples; load "
              f"{row['load'][0]:.1f}: {text}", flush=True)
    summary(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
