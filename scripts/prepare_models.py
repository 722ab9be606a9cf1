#!/usr/bin/env python
"""Prepare the bundled models before the app or the tests start.

Trains and caches the 20 Newsgroups pipeline (or confirms the cached one is
usable) and checks that the sentiment model loads, printing what it found.
Settings come from the environment (LIME_20NG_ARCHIVE, LIME_SENTIMENT_MODEL,
LIME_CACHE_DIR; see lime_core.settings), which scripts/_env.sh fills in.

Exit status: 0 when the topic model is ready, even if the sentiment model is
not (the app then shows it as unavailable, with the same message); 1 when the
topic model cannot be prepared.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file from a checkout, not installed

from lime_core.errors import LimeCoreError
from lime_core.settings import Settings, get_settings

# About 150 words, for timing predict_proba on LIME-like perturbations of one document.
SAMPLE_POST = (
    "I have been reading about kidney stones after my doctor told me that the pain in my side was probably "
    "caused by one. She prescribed plenty of water and a mild painkiller, and said most small stones pass on "
    "their own within a few weeks. Has anyone here tried the diet changes that are supposed to prevent new "
    "stones from forming? I read that less salt and less animal protein can help, and that citrus juice may "
    "raise citrate levels in the urine. On the other hand, a friend of mine who studies medicine says the "
    "evidence for most of these remedies is weak and that the only proven measure is drinking enough fluid. "
    "I would also like to know whether the ultrasound treatment is painful and how long recovery takes. Any "
    "experience or references to good studies would be very welcome. Thanks in advance to everyone on this "
    "group for the advice."
)
REVIEWS = [
    "A wonderful film, I loved every minute.",
    "Dull and far too long.",
    "The acting is fine but the story goes nowhere, and the ending feels rushed and unearned.",
    "Brilliant!",
]


def perturbations(text: str, n: int, seed: int = 0) -> list[str]:
    """``n`` copies of ``text`` with random subsets of words removed, as LIME's sampler makes them."""
    import numpy as np

    rng = np.random.default_rng(seed)
    words = text.split()
    out = []
    for _ in range(n):
        keep = rng.random(len(words)) >= rng.uniform(0, 1)
        out.append(" ".join(w for w, k in zip(words, keep, strict=True) if k))
    return out


def prepare_newsgroups(settings: Settings, *, retrain: bool, benchmark: bool) -> bool:
    from lime_core.models.newsgroups import NewsgroupsClassifier, load_or_train, pipeline_path

    source = settings.newsgroups_archive or "scikit-learn's download (LIME_20NG_ARCHIVE unset)"
    print(f"20ng-svm: data from {source}")
    started = time.perf_counter()
    try:
        result = load_or_train(settings, force_retrain=retrain)
    except LimeCoreError as exc:
        print(f"20ng-svm: FAILED: {exc}", file=sys.stderr)
        return False
    except Exception as exc:  # a one-line report, not a traceback, for the start/test scripts
        print(f"20ng-svm: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return False
    elapsed = time.perf_counter() - started
    meta = result.meta
    accuracy = meta.get("test_accuracy", float("nan"))
    if result.trained:
        print(
            f"20ng-svm: trained ({result.reason}): fit {meta.get('train_seconds', float('nan')):.1f} s, "
            f"{elapsed:.1f} s with data loading and scoring; test accuracy {accuracy:.4f}"
        )
    else:
        print(f"20ng-svm: cached pipeline loaded in {elapsed:.2f} s; test accuracy {accuracy:.4f}")
    print(f"20ng-svm: stored at {pipeline_path(settings)}")
    if benchmark:
        model = NewsgroupsClassifier(result.pipeline, meta)
        texts = perturbations(SAMPLE_POST, 5000)
        model.predict_proba(texts[:100])
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            model.predict_proba(texts)
            times.append(time.perf_counter() - t0)
        print(
            f"20ng-svm: predict_proba on 5,000 perturbed texts: best {min(times):.3f} s, "
            f"median {sorted(times)[2]:.3f} s"
        )
    return True


def check_sentiment(settings: Settings, *, benchmark: bool) -> bool:
    from lime_core.models import load_model, model_status

    ok, message = model_status("sentiment", settings)
    print(f"sentiment: {message}")
    if not ok:
        print("sentiment: not available (the app will show it as such)")
        return False
    started = time.perf_counter()
    try:
        model = load_model("sentiment", settings)
    except LimeCoreError as exc:
        print(f"sentiment: not available: {exc}")
        return False
    except Exception as exc:
        print(f"sentiment: not available: {type(exc).__name__}: {exc}")
        return False
    print(
        f"sentiment: loaded in {time.perf_counter() - started:.1f} s; labels {list(model.class_names)}, "
        f"max_length {getattr(model, 'max_length', '?')}"
    )
    if benchmark:
        texts = [f"{REVIEWS[i % len(REVIEWS)]} ({i})" for i in range(640)]
        for batch_size in (32, 64):
            model.batch_size = batch_size
            model.predict_proba(texts[:batch_size])
            t0 = time.perf_counter()
            model.predict_proba(texts)
            rate = len(texts) / (time.perf_counter() - t0)
            print(f"sentiment: {rate:.0f} short texts/s at batch size {batch_size}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--retrain", action="store_true", help="train the 20 Newsgroups pipeline even if cached")
    parser.add_argument("--skip-sentiment", action="store_true", help="do not check the sentiment model")
    parser.add_argument("--benchmark", action="store_true", help="also time predictions of both models")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the loaders do")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(name)s: %(message)s")

    settings = get_settings()
    print(f"cache directory: {settings.cache_dir}")
    if not prepare_newsgroups(settings, retrain=args.retrain, benchmark=args.benchmark):
        return 1
    if not args.skip_sentiment:
        check_sentiment(settings, benchmark=args.benchmark)
    return 0


if __name__ == "__main__":
    sys.exit(main())
