"""lime_core beside eli5 and lime on one black box, one text, one sample count.

Usage: ``bash scripts/bench.sh`` (installs requirements-bench.txt, prepares the
20 Newsgroups model) or ``python benchmarks/run.py [--samples 5000] [--repeats 3]``.

The case is the classic one: the 20 Newsgroups TF-IDF -> LSA -> RBF SVM
pipeline (scikit-learn's own ``predict_proba``, the same object for all three
tools), test post 0 (the kidney-stones post), 5,000 samples. For each tool it
prints the median wall time, the time spent inside the model, the explainer's
own time, the texts sent to the model, and fidelity on held-out perturbed
samples: each tool's own held-out figures where it reports them (eli5,
lime_core), and all three scored on one common held-out set of perturbations
that none of them was fitted on. lime reports only an in-sample R^2, which is
printed as such and is not a fidelity figure.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import TimedModel

from lime_core.explainer import TextExplainer
from lime_core.features import FeatureSpace
from lime_core.metrics import mean_kl_divergence, top_class_agreement
from lime_core.models.newsgroups import load_newsgroups, load_or_train
from lime_core.sampling import default_sampler, draw_neighbourhood
from lime_core.tokenization import TokenizedText

TARGET = "sci.med"


@dataclass
class Run:
    wall: float
    model: float
    texts: int
    own_kl: float | None
    own_score: float | None
    top: list[str]
    predict_heldout: Callable[[list[str], np.ndarray], np.ndarray]
    ranked: list[str] = field(default_factory=list)  # the target's features by |weight|, largest first


@dataclass
class ToolResult:
    name: str
    runs: list[Run] = field(default_factory=list)


def run_lime_core(doc: str, model: TimedModel, n_samples: int, seed: int, target: int) -> Run:
    model.reset()
    start = time.perf_counter()
    explainer = TextExplainer(n_samples=n_samples, random_state=seed)
    explanation = explainer.explain(doc, model, targets=[target])
    wall = time.perf_counter() - start
    surrogate = explainer.local_fit_.surrogate
    top = [w.feature for w in explanation.targets[0].top(8) if w.weight > 0][:6]

    def predict(texts: list[str], keep: np.ndarray) -> np.ndarray:
        return surrogate.predict_proba(explainer.features_.transform(keep))

    m = explanation.metrics
    return Run(wall, model.seconds, model.texts, m.mean_KL_divergence, m.score, top, predict)


def run_eli5(doc: str, model: TimedModel, n_samples: int, seed: int, target: int) -> Run:
    from eli5.lime import TextExplainer as Eli5TextExplainer

    model.reset()
    start = time.perf_counter()
    te = Eli5TextExplainer(n_samples=n_samples, random_state=seed)
    te.fit(doc, model.predict_proba)
    expl = te.explain_prediction(target_names=model.class_names, targets=[model.class_names[target]])
    wall = time.perf_counter() - start
    weights = expl.targets[0].feature_weights.pos
    top = [fw.feature for fw in weights if fw.feature != "<BIAS>"][:6]
    both = [*weights, *expl.targets[0].feature_weights.neg]
    ranked = [fw.feature for fw in sorted(both, key=lambda fw: -abs(fw.weight)) if fw.feature != "<BIAS>"]

    def predict(texts: list[str], keep: np.ndarray) -> np.ndarray:
        return te.clf_.predict_proba(te.vec_.transform(texts))

    own_kl, own_score = te.metrics_["mean_KL_divergence"], te.metrics_["score"]
    return Run(wall, model.seconds, model.texts, own_kl, own_score, top, predict, ranked)


def lime_proba(exp: Any, texts: list[str], n_classes: int) -> np.ndarray:
    """lime's per-class ridge models on ``texts`` (its words: split on non-word characters), clipped and normalised."""
    vocab = exp.domain_mapper.indexed_string.inverse_vocab
    index = {word: j for j, word in enumerate(vocab)}
    present = np.zeros((len(texts), len(vocab)))
    for i, text in enumerate(texts):
        for word in set(re.split(r"\W+", text)):
            j = index.get(word)
            if j is not None:
                present[i, j] = 1.0
    raw = np.empty((len(texts), n_classes))
    for c in range(n_classes):
        coef = np.zeros(len(vocab))
        for j, w in exp.local_exp[c]:
            coef[j] = w
        raw[:, c] = exp.intercept[c] + present @ coef
    raw = np.clip(raw, 1e-6, 1.0)
    return raw / raw.sum(axis=1, keepdims=True)


def run_lime(doc: str, model: TimedModel, n_samples: int, seed: int, target: int) -> Run:
    from lime.lime_text import LimeTextExplainer

    n_classes = len(model.class_names)
    model.reset()
    start = time.perf_counter()
    explainer = LimeTextExplainer(class_names=model.class_names, random_state=seed)
    # All classes and all features, so that lime's surrogate can be scored on held-out samples like the others.
    exp = explainer.explain_instance(
        doc, model.predict_proba, labels=range(n_classes), num_features=10_000, num_samples=n_samples
    )
    wall = time.perf_counter() - start
    vocab = exp.domain_mapper.indexed_string.inverse_vocab
    top = [vocab[i] for i, w in sorted(exp.local_exp[target], key=lambda p: -p[1]) if w > 0][:6]
    ranked = [vocab[i] for i, w in sorted(exp.local_exp[target], key=lambda p: -abs(p[1])) if w != 0]

    def predict(texts: list[str], keep: np.ndarray) -> np.ndarray:
        return lime_proba(exp, texts, n_classes)

    print(f"   (lime's own score is an in-sample R^2 of one class's ridge model: {exp.score:.3f})")
    return Run(wall, model.seconds, model.texts, None, None, top, predict, ranked)


def common_heldout(
    doc: str, predict_proba: Callable, n: int, seed: int, tokenizer: Any = None, removal: Any = None
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Perturbations drawn with their own seed (none of the tools saw them), with the black box's answers.

    ``tokenizer``: the units removed (default words); a long text explained sentence by sentence gets its held-out
    set at that level, so that lime_core's surrogate can read it (eli5 and lime read the texts). ``removal``: how
    removed words are removed (a lime_core.removal operator; default deletion, eli5's and lime's).
    """
    tokenized = TokenizedText.from_text(doc, tokenizer)
    space = FeatureSpace.build(tokenized)
    keep = draw_neighbourhood(default_sampler(), space.groups, n, np.random.default_rng(seed))[1:]
    texts = tokenized.rebuild(keep) if removal is None else removal.texts(tokenized, keep)
    weights = np.sqrt(keep.sum(axis=1) / keep.shape[1])
    return texts, keep, np.asarray(predict_proba(texts)), weights


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tools", default="lime_core,eli5,lime")
    parser.add_argument("--black-box", choices=["reference", "bundled", "both"], default="both")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")

    train = load_newsgroups("train")
    doc = load_newsgroups("test").texts[0]
    boxes = {}
    if args.black_box in ("reference", "both"):
        boxes["reference"] = (reference_pipeline(train), "README pipeline, SVC(probability=True)")
    if args.black_box in ("bundled", "both"):
        trained = load_or_train()
        boxes["bundled"] = (trained.pipeline, "bundled 20ng-svm, libsvm probabilities without probability=True")
    names = list(train.target_names)
    target = names.index(TARGET)
    print(f"Text: test post 0 ({len(doc)} chars): {doc[:60]!r}...")
    print(f"Samples: {args.samples}; repeats: {args.repeats} (seeds 0..{args.repeats - 1}); medians shown.")
    for pipeline, description in boxes.values():
        print(f"\n== Black box: {description} (scikit-learn predict_proba, the same object for every tool)")
        bench_black_box(args, pipeline, names, doc, target)
    return 0


def reference_pipeline(train):
    """The pipeline of shared/data/README.md, on which the reference figures were measured."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import SVC

    pipeline = make_pipeline(
        TfidfVectorizer(min_df=3, stop_words="english", ngram_range=(1, 2)),
        TruncatedSVD(100, n_iter=7, random_state=42),
        SVC(C=150, gamma=2e-2, probability=True, random_state=42),  # deprecated in 1.9, still the reference
    )
    return pipeline.fit(train.texts, train.target)


def bench_black_box(args, pipeline, names, doc, target) -> None:
    model = TimedModel(pipeline.predict_proba, names, name="20ng-svm")
    model.predict_proba([doc])  # warm-up: first call pays one-off costs in scikit-learn
    heldout_texts, heldout_keep, heldout_proba, heldout_w = common_heldout(doc, pipeline.predict_proba, 2001, 12345)

    runners = {"lime_core": run_lime_core, "eli5": run_eli5, "lime": run_lime}
    header = (
        f"{'tool':10s} {'wall s':>7s} {'model s':>8s} {'own s':>6s} {'own/model':>9s} {'texts':>6s} "
        f"{'KL(own)':>8s} {'score(own)':>10s} {'KL(common)':>10s} {'score(common)':>13s}  top words for "
        f"{TARGET}"
    )
    rows = []
    for tool in args.tools.split(","):
        result = ToolResult(tool)
        for seed in range(args.repeats):
            result.runs.append(runners[tool](doc, model, args.samples, seed, target))
        med = statistics.median
        common = [run.predict_heldout(heldout_texts, heldout_keep) for run in result.runs]
        kl = med(mean_kl_divergence(heldout_proba, q, heldout_w) for q in common)
        score = med(top_class_agreement(heldout_proba, q, heldout_w) for q in common)
        wall = med(r.wall for r in result.runs)
        mdl = med(r.model for r in result.runs)
        own_kl = "-" if result.runs[0].own_kl is None else f"{med(r.own_kl for r in result.runs):.4f}"
        own_score = "-" if result.runs[0].own_score is None else f"{med(r.own_score for r in result.runs):.3f}"
        rows.append((tool, wall))
        print(header if len(rows) == 1 else "", end="\n" if len(rows) == 1 else "")
        print(
            f"{tool:10s} {wall:7.3f} {mdl:8.3f} {wall - mdl:6.3f} {(wall - mdl) / mdl:9.2f} "
            f"{med(r.texts for r in result.runs):6.0f} {own_kl:>8s} {own_score:>10s} {kl:10.4f} {score:13.3f}  "
            f"{', '.join(result.runs[0].top)}"
        )
    walls = dict(rows)
    if "lime_core" in walls:
        for peer in ("eli5", "lime"):
            if peer in walls:
                print(f"lime_core is {walls[peer] / walls['lime_core']:.1f}x faster than {peer} end to end")


if __name__ == "__main__":
    raise SystemExit(main())
