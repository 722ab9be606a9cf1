"""How much held-out KL a fit still loses to sampling noise: the fit criterion's estimates against the KL lost in fact.

For development texts (training split) of one shape of the zoo (benchmarks/sets.py), each explained at fixed sample
counts with several seeds and once with 20,000 samples (seed 1), prints per text and count: Takeuchi's estimate
``tr(B A^-1) / 2`` (the uncertainty's ``excess_loss``), the measured one (half the gap between the held-out KL and
the KL on the fit's training samples, ``lime_core.trust.stopping.training_kl``), and the KL lost in fact: the mean
KL of the runs on a common held-out set of 3,000 perturbations minus the 20,000-sample run's (plus that run's own
estimate), then medians [p10, p90] over the texts of the ratios. docs/decisions/adaptive-sampling.md reports them.

    python benchmarks/fit_noise.py multilabel --texts 8 --sizes 500,625,1000,2000 --seeds 4
    python benchmarks/fit_noise.py posts --texts 6 --every 8 --sizes 500,1000,2000 --seeds 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sets

from lime_core.explainer import TextExplainer
from lime_core.levels import WORDS, choose_level
from lime_core.metrics import mean_kl_divergence
from lime_core.tokenization import get_tokenizer
from lime_core.trust.stopping import training_kl

REFERENCE = 20_000
COMMON_N = 3001
BUILDERS = {
    "multilabel": sets.multilabel_set,
    "posts": sets.post_set,
    "linear20": sets.linear_set,
    "long": sets.long_set,
}


def _q(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.2f} [{np.percentile(values, 10):.2f}, {np.percentile(values, 90):.2f}]"


def one_run(text: str, answers: sets.SharedAnswers, n: int, seed: int, h_keep: np.ndarray, h_proba, h_weight) -> dict:
    explainer = TextExplainer(random_state=seed, n_samples=n).fit(text, answers)
    samples, fit = explainer.neighbourhood_, explainer.local_fit_
    q = fit.surrogate.predict_proba(explainer.features_.transform(h_keep))
    unc = explainer.trust_.uncertainty()
    return {
        "n": n,
        "seed": seed,
        "d": explainer.features_.n_features,
        "takeuchi": None if unc is None else unc.excess_loss,
        "heldout_kl": fit.metrics.mean_KL_divergence,
        "train_kl": training_kl(samples, fit),
        "common_kl": mean_kl_divergence(h_proba, q, h_weight),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shape", choices=sorted(BUILDERS))
    parser.add_argument("--texts", type=int, default=8)
    parser.add_argument("--every", type=int, default=1, help="every N-th text of the shape's development set")
    parser.add_argument("--sizes", default="500,625,1000,2000")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    texts, model = BUILDERS[args.shape](args.texts * args.every, split="train")
    texts = texts[:: args.every][: args.texts]
    multi = bool(getattr(model, "multi_label", False))
    answers = sets.SharedAnswers(model.predict_proba, model.class_names, args.shape, multi_label=multi)
    rows = []
    for name, text in texts:
        target = int(np.argmax(answers.predict_proba([text])[0]))
        level = choose_level(text, get_tokenizer("words"))
        tokenizer = None if level.level == WORDS else level.tokenizer
        _, h_keep, h_proba, h_weight = sets.common_heldout(
            text, answers.predict_proba, COMMON_N, sets.HELDOUT_SEED, tokenizer
        )
        if multi:  # the label's own yes/no question, as its surrogate answers it
            h_proba = np.column_stack([1.0 - h_proba[:, target], h_proba[:, target]])
        common = (text, answers)
        runs = [one_run(*common, n, seed, h_keep, h_proba, h_weight) for n in sizes for seed in range(args.seeds)]
        ref = one_run(*common, REFERENCE, sets.REFERENCE_SEED, h_keep, h_proba, h_weight)
        rows.append({"name": name, "runs": runs, "reference": ref})
        print(f"{name} ({ref['d']} features)", flush=True)
        for n in sizes:
            rs = [r for r in runs if r["n"] == n]
            lost = statistics.mean(r["common_kl"] for r in rs) - ref["common_kl"] + ref["takeuchi"]
            takeuchi = statistics.mean(r["takeuchi"] for r in rs)
            measured = statistics.mean(max(r["takeuchi"], 0.5 * (r["heldout_kl"] - r["train_kl"])) for r in rs)
            print(f"  {n:6d}: lost {lost:.5f}, Takeuchi {takeuchi:.5f}, max(Takeuchi, gap / 2) {measured:.5f}")
    print(f"\n{args.shape}, {len(rows)} development texts, medians [p10, p90] over the texts:")
    for n in sizes:
        ratios: dict[str, list[float]] = {"takeuchi": [], "measured": [], "share": []}
        for row in rows:
            ref, rs = row["reference"], [r for r in row["runs"] if r["n"] == n]
            common_kl = statistics.mean(r["common_kl"] for r in rs)
            lost = common_kl - ref["common_kl"] + ref["takeuchi"]
            ratios["takeuchi"].append(lost / statistics.mean(r["takeuchi"] for r in rs))
            measured = statistics.mean(max(r["takeuchi"], 0.5 * (r["heldout_kl"] - r["train_kl"])) for r in rs)
            ratios["measured"].append(lost / measured)
            ratios["share"].append(lost / common_kl)
        print(
            f"  {n:6d} samples: lost / Takeuchi {_q(ratios['takeuchi'])}; lost / max(Takeuchi, gap / 2) "
            f"{_q(ratios['measured'])}; lost / held-out KL {_q(ratios['share'])}"
        )
    if args.out is not None:
        args.out.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
