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

Three more modes, each scored on common sets the same way (docs/removal.md):

* ``--diagnose-deletion``: why lime_core with deletion differs from eli5 on deletion's set (:func:`diagnose_deletion`:
  5,000 samples, refits with other penalties, features and kernels, and the two tools' pieces crossed);
* ``--pair-rules``: words or pairs chosen by other rules (folds, margin) on the samples of the default run, with the
  mask token and with deletion (:func:`pair_rules`; lime_core.word_pairs' margin was chosen with it);
* ``--operators``: lime_core's default with each removal operator, held-out KL on its own operator's set.

Rows are appended to a JSON-lines file as each review finishes (``--out``), so a run cut short keeps its reviews;
the summary reads every row of the file.

    python benchmarks/heldout_kl.py --set dev [--texts 8] [--diagnose] [--out benchmarks/results/heldout-kl-dev.jsonl]
    python benchmarks/heldout_kl.py --set report --out benchmarks/results/heldout-kl-report.jsonl
    python benchmarks/heldout_kl.py --set report --deletion --memo \
        --out benchmarks/results/heldout-kl-report-like-for-like.jsonl
    python benchmarks/heldout_kl.py --set dev --diagnose-deletion --memo \
        --out benchmarks/results/heldout-kl-dev-deletion.jsonl
    python benchmarks/heldout_kl.py --set dev --pair-rules --out benchmarks/results/heldout-kl-dev-pair-rules.jsonl
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
from timing import copy_declarations  # noqa: E402

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
        copy_declarations(model, self)
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


def diagnose_deletion(inner: Any, text: str, kind: str, store: Path | None, memo: bool) -> dict[str, Any]:
    """Why lime_core with deletion is (or is not) behind eli5 on deletion's common set, on one review.

    lime_core with deletion at ``auto`` and at 5,000 samples (eli5's count), each refitted (no model calls) with
    other penalties, features and kernels; eli5 at 5,000; and the two tools' pieces crossed: lime_core's softmax
    surrogate fitted on eli5's own samples and features (its 5,000 samples, cosine weights), eli5's vectorizer
    (counts of words and of the text's adjacent pairs) on lime_core's 5,000 samples, and eli5's classifier (SGD,
    elastic net, samples expanded by labels drawn from the probabilities) on lime_core's 5,000 samples.
    """
    from eli5.lime.utils import fit_proba
    from sklearn.base import clone

    from lime_core.removal import resolve_removal
    from lime_core.surrogates import SoftmaxSurrogate

    model = Recording(inner)
    common = common_set(inner, text, "deletion", store)
    row: dict[str, Any] = {"text": text, "kind": kind}
    runs = {}
    for key, n_samples in (("lime_core_deletion", "auto"), ("lime_core_deletion_5000", PEER_SAMPLES)):
        explainer, row[key] = lime_core_run(model, text, n_samples, "deletion")
        row[key]["common"] = {"deletion": kl_on(common, lime_core_predict(explainer, common))}
        row[key]["variants"] = variants(explainer, common)
        runs[key] = explainer
    te, row["eli5"] = eli5_run(model, text, memo)
    Xc = te.vec_.transform(common["texts"])
    row["eli5"]["common"] = {"deletion": kl_on(common, te.clf_.predict_proba(Xc))}
    crossed: dict[str, float] = {}
    for alpha in (1e-4, 1e-3, 1e-2):
        fitted = SoftmaxSurrogate(alpha=alpha).fit(te.X_, te.y_proba_, te.similarity_)
        crossed[f"softmax a{alpha:g} on eli5's samples and features"] = kl_on(common, fitted.predict_proba(Xc))
    n = runs["lime_core_deletion_5000"].neighbourhood_
    train = runs["lime_core_deletion_5000"].local_fit_.train_index
    texts = resolve_removal("deletion", None, inner).texts(n.tokenized, n.keep)
    X_vec = te.vec_.transform(texts)
    fitted = SoftmaxSurrogate(alpha=1e-3).fit(X_vec[train], n.proba[train], n.sample_weight[train])
    crossed["softmax a0.001 with eli5's features on lime_core's 5,000"] = kl_on(common, fitted.predict_proba(Xc))
    sgd = fit_proba(clone(te.clf), X_vec[train], n.proba[train], expand_factor=10,
                    sample_weight=n.sample_weight[train], random_state=0)
    crossed["eli5's classifier and features on lime_core's 5,000"] = kl_on(common, sgd.predict_proba(Xc))
    row["crossed"] = crossed
    row["load"] = os.getloadavg()
    return row


PAIR_RULES = {  # (folds, margin) of lime_core.word_pairs' choice; None: always pairs
    "3 folds, margin 5 % (before)": (3, 0.05),
    "3 folds, margin 0 (the default)": (3, 0.0),
    "5 folds, margin 5 %": (5, 0.05),
    "10 folds, margin 5 %": (10, 0.05),
    "10 folds, margin 0": (10, 0.0),
    "always pairs": None,
}


def pair_rules(inner: Any, text: str, kind: str, store: Path | None) -> dict[str, Any]:
    """Words or pairs chosen by other rules on the samples of lime_core's ``auto`` run (no model calls), with the
    model's mask token and with deletion, each scored on its operator's common held-out set."""
    from sklearn.base import clone

    from lime_core.features import FeatureSpace
    from lime_core.word_pairs import cross_validated_kl

    model = Recording(inner)
    row: dict[str, Any] = {"text": text, "kind": kind}
    for removal in ("mask_token", "deletion"):
        common = common_set(inner, text, removal, store)
        explainer, run = lime_core_run(model, text, "auto", removal)
        n, fit = explainer.neighbourhood_, explainer.local_fit_
        train, surrogate = fit.train_index, clone(fit.surrogate)
        words, pairs = FeatureSpace.build(n.tokenized), FeatureSpace.build(n.tokenized, bigrams=True)
        X = {"words": words.transform(n.keep), "pairs": pairs.transform(n.keep)}
        common_kl = {}
        for name, space in (("words", words), ("pairs", pairs)):
            fitted = clone(surrogate).fit(X[name][train], n.proba[train], n.sample_weight[train])
            common_kl[name] = kl_on(common, fitted.predict_proba(space.transform(common["keep"])))
        chosen = {}
        for rule, spec in PAIR_RULES.items():
            if spec is None:
                chosen[rule] = "pairs"
                continue
            folds, margin = spec
            w = cross_validated_kl(X["words"], n, train, surrogate, folds)
            p = cross_validated_kl(X["pairs"], n, train, surrogate, folds)
            chosen[rule] = "pairs" if p <= (1.0 - margin) * w else "words"
        row[removal] = {"samples": run["samples"], "common": common_kl, "chosen": chosen,
                        "shipped_pairs": run["pairs"]}
    row["load"] = os.getloadavg()
    return row


def summary_pair_rules(rows: list[dict[str, Any]]) -> None:
    """Per operator and rule: median [p10, p90] common KL of the features each rule keeps, and how often pairs."""
    for removal in ("mask_token", "deletion"):
        print(f"  {removal}: words only {np.median([r[removal]['common']['words'] for r in rows]):.4f}, "
              f"pairs lower on the common set on "
              f"{sum(r[removal]['common']['pairs'] < r[removal]['common']['words'] for r in rows)}/{len(rows)}")
        for rule in PAIR_RULES:
            kl = np.asarray([r[removal]["common"][r[removal]["chosen"][rule]] for r in rows])
            kept = sum(r[removal]["chosen"][rule] == "pairs" for r in rows)
            print(f"    {rule:36s} {np.median(kl):.4f} [{np.percentile(kl, 10):.4f}, {np.percentile(kl, 90):.4f}]; "
                  f"pairs kept on {kept}/{len(rows)}")


OPERATORS = ("deletion", "mask_token", "unk_token", "attention_mask")


def operators(inner: Any, text: str, kind: str, store: Path | None) -> dict[str, Any]:
    """lime_core's default explanation (``auto``, words or pairs per text) with each removal operator, scored on the
    common held-out set made with that operator: held-out KL only (benchmarks/removal.py adds the references)."""
    from lime_core import PredictionCache, TextExplainer

    row: dict[str, Any] = {"text": text, "kind": kind}
    for removal in OPERATORS:
        common = common_set(inner, text, removal, store)
        explainer = TextExplainer(n_samples="auto", random_state=0, cache=PredictionCache(), removal=removal)
        explanation = explainer.fit(text, inner).explanation()
        row[removal] = {
            "common": kl_on(common, lime_core_predict(explainer, common)),
            "samples": int(explainer.X_.shape[0]),
            "calls": int(explanation.n_model_calls),
            "pairs": bool(explanation.settings.bigrams),
            "verdict": explanation_verdict(explanation),
        }
    row["load"] = os.getloadavg()
    return row


def summary_operators(rows: list[dict[str, Any]]) -> None:
    """Per operator: median [p10, p90] common KL on its own set, on how many reviews it is the lowest, verdicts."""
    best = [min(OPERATORS, key=lambda op: r[op]["common"]) for r in rows]
    for op in OPERATORS:
        kl = np.asarray([r[op]["common"] for r in rows])
        lower = sum(r[op]["common"] < r["deletion"]["common"] for r in rows)
        print(f"  {op:15s} {np.median(kl):.4f} [{np.percentile(kl, 10):.4f}, {np.percentile(kl, 90):.4f}]; lowest on "
              f"{best.count(op)}/{len(rows)}; below deletion on {lower}/{len(rows)}; model calls "
              f"{np.median([r[op]['calls'] for r in rows]):.0f}; Trustworthy "
              f"{sum(r[op]['verdict'] == 'trust' for r in rows)}/{len(rows)}")


def summary_deletion(rows: list[dict[str, Any]]) -> None:
    """The summary of ``--diagnose-deletion`` rows: median [p10, p90] of every figure's common KL."""

    def q(values: Any) -> str:
        v = np.asarray(list(values), dtype=float)
        return f"{np.median(v):.4f} [{np.percentile(v, 10):.4f}, {np.percentile(v, 90):.4f}]"

    eli5 = [r["eli5"]["common"]["deletion"] for r in rows]
    print(f"  eli5 (5,000)                      {q(eli5)}")
    for key in ("lime_core_deletion", "lime_core_deletion_5000"):
        mine = [r[key]["common"]["deletion"] for r in rows]
        wins = sum(a < b for a, b in zip(mine, eli5, strict=True))
        print(f"  {key:33s} {q(mine)}; samples {q(r[key]['samples'] for r in rows)}; pairs kept on "
              f"{sum(bool(r[key]['pairs']) for r in rows)}/{len(rows)}; lower than eli5 on {wins}/{len(rows)}")
        names = rows[0][key]["variants"]
        med = {name: float(np.median([r[key]["variants"][name] for r in rows])) for name in names}
        print("    refits: " + ", ".join(f"{name} {med[name]:.4f}" for name in sorted(med, key=med.__getitem__)[:8]))
    for name in rows[0]["crossed"]:
        values = [r["crossed"][name] for r in rows]
        wins = sum(a < b for a, b in zip(values, eli5, strict=True))
        print(f"  {name}: {q(values)}; lower than eli5 on {wins}/{len(rows)}")


def summary(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not rows:
        print("no rows")
        return
    if "attention_mask" in rows[0]:
        print(f"{path.name}: {len(rows)} reviews, common KL on each operator's own set, median [p10, p90]")
        summary_operators(rows)
        return
    if "mask_token" in rows[0] and "chosen" in rows[0]["mask_token"]:
        print(f"{path.name}: {len(rows)} reviews, common KL on each operator's own set, median [p10, p90]")
        summary_pair_rules(rows)
        return
    if "crossed" in rows[0]:
        print(f"{path.name}: {len(rows)} reviews, common KL on deletion's set, median [p10, p90]")
        summary_deletion(rows)
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
    parser.add_argument("--operators", action="store_true",
                        help="lime_core's default with each removal operator, on its own common set (operators)")
    parser.add_argument("--pair-rules", action="store_true",
                        help="words or pairs chosen by other rules on the auto run's samples, both operators")
    parser.add_argument("--diagnose-deletion", action="store_true",
                        help="why lime_core with deletion differs from eli5 on deletion's set (diagnose_deletion)")
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
        if args.operators:
            row = operators(inner, text, kind, args.store)
            with out.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(" ".join(f"{op} {row[op]['common']:.4f}" for op in OPERATORS) + f": {text}", flush=True)
            continue
        if args.pair_rules:
            row = pair_rules(inner, text, kind, args.store)
            with out.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(f"{row['mask_token']['common']} {row['deletion']['common']}: {text}", flush=True)
            continue
        if args.diagnose_deletion:
            row = diagnose_deletion(inner, text, kind, args.store, args.memo)
            with out.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(f"lime_core auto {row['lime_core_deletion']['common']['deletion']:.4f}, 5,000 "
                  f"{row['lime_core_deletion_5000']['common']['deletion']:.4f}, eli5 "
                  f"{row['eli5']['common']['deletion']:.4f}; {text}", flush=True)
            continue
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
