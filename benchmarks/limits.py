"""Memory and time of one explanation at lime_core's work limits, and the prediction cache at its byte bound.

Each case runs in a fresh subprocess and reports its peak resident memory (``ru_maxrss``), so one case's
garbage does not count against the next. The black box is a cheap numpy function, so the figures are
lime_core's own cost (a real model adds its own memory). Run: ``python benchmarks/limits.py``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class CheapModel:
    """P(long) grows with the text's length: cheap, and every word matters a little."""

    class_names = ("short", "long")

    def predict_proba(self, texts):
        import numpy as np

        n = np.fromiter((len(t) for t in texts), dtype=float, count=len(texts))
        p = 1.0 / (1.0 + np.exp(-(n - n.mean()) / (n.std() + 1.0)))
        return np.c_[1.0 - p, p]


def _text(chars: int) -> str:
    from dashboard.examples import KIDNEY_STONES

    if chars <= len(KIDNEY_STONES):
        return KIDNEY_STONES
    return ((KIDNEY_STONES + " ") * (chars // len(KIDNEY_STONES) + 1))[:chars]


def run_case(n_samples: int, chars: int) -> dict:
    from lime_core import TextExplainer

    text = _text(chars)
    started = time.perf_counter()
    TextExplainer(n_samples=n_samples, random_state=0, max_chars=None).explain(text, CheapModel())
    return {
        "n_samples": n_samples,
        "chars": len(text),
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def run_cache(max_mb: int) -> dict:
    import tracemalloc

    import numpy as np

    from lime_core.predictor import PredictionCache

    tracemalloc.start()
    cache = PredictionCache(max_bytes=max_mb * 2**20)
    base = _text(20_000)
    for start in range(0, 40_000, 500):
        texts = [f"{i} {base}" for i in range(start, start + 500)]
        cache.store("m", texts, np.full((500, 4), 0.25))
    current = tracemalloc.get_traced_memory()[0]
    return {
        "cache_bound_mb": max_mb,
        "rows_kept": len(cache),
        "counted_mb": round(cache.nbytes / 2**20, 1),
        "traced_mb": round(current / 2**20, 1),
    }


CASES = [
    ("kidney post at MAX_SAMPLES", 100_000, 0),
    ("20,000 chars (dashboard's longest) at 20,000 samples (MAX_SAMPLE_CHARS)", 20_000, 20_000),
    ("100,000 chars (library's longest) at 4,000 samples (MAX_SAMPLE_CHARS)", 4_000, 100_000),
]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--hostile":  # issue 21: the bounds on hostile servers and inputs
        from benchmarks.hostile import main as hostile

        hostile()
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--case":
        print(json.dumps(run_case(int(sys.argv[2]), int(sys.argv[3]))))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--cache":
        print(json.dumps(run_cache(int(sys.argv[2]))))
        return
    from lime_core.limits import MAX_SAMPLE_CHARS, MAX_SAMPLES

    print(f"limits: MAX_SAMPLES={MAX_SAMPLES:,}, MAX_SAMPLE_CHARS={MAX_SAMPLE_CHARS:,}")
    print("| case | samples | chars | seconds | peak RSS MB |\n|---|---|---|---|---|")
    for label, n, chars in CASES:
        out = subprocess.run([sys.executable, __file__, "--case", str(n), str(chars)], capture_output=True, text=True)
        if out.returncode:
            print(f"| {label} | failed: {out.stderr.strip().splitlines()[-1]} |")
            continue
        r = json.loads(out.stdout)
        print(f"| {label} | {r['n_samples']:,} | {r['chars']:,} | {r['seconds']} | {r['peak_rss_mb']:,} |")
    out = subprocess.run([sys.executable, __file__, "--cache", "256"], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    print(
        f"\nprediction cache, 20,000-character texts, bound {r['cache_bound_mb']} MB: kept {r['rows_kept']:,} rows, "
        f"counted {r['counted_mb']} MB, traced {r['traced_mb']} MB"
    )


if __name__ == "__main__":
    main()
