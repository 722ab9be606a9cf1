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


def cjk_text(n_chars: int, punctuated: bool) -> str:
    """Chinese characters drawn from 3,000 (about 3,000 distinct), with a full stop every 40 if ``punctuated``."""
    import numpy as np

    chars = np.random.default_rng(0).choice([chr(0x4E00 + i) for i in range(3_000)], size=n_chars)
    return "".join(c + ("\u3002" if punctuated and i % 40 == 39 else "") for i, c in enumerate(chars))[:n_chars]


def run_cjk(punctuated: bool, level: str) -> dict:
    """A 20,000-character CJK text on auto ends (within 60 s and 2 GB) or is refused at once, with advice."""
    from lime_core import TextExplainer
    from lime_core.errors import WorkLimitError

    text = cjk_text(20_000, punctuated)
    started = time.perf_counter()
    row: dict = {"punctuated": punctuated, "level_asked": level}
    try:
        explainer = TextExplainer(n_samples="auto", random_state=0, level=level).fit(text, CheapModel())
        row.update(outcome="explained", level=explainer.level_.level, units=explainer.features_.n_features,
                   calls=int(explainer.n_model_calls_))
    except WorkLimitError as exc:
        row.update(outcome="refused", message=str(exc))
    row["seconds"] = round(time.perf_counter() - started, 2)
    row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return row


CJK_CASES = [(True, "auto"), (False, "auto"), (True, "words")]


def print_cjk() -> None:
    print("\n20,000-character CJK text (about 3,000 distinct characters), auto sampling, cheap model:")
    print("| full stops | level asked | outcome | level | units | calls | seconds | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for punctuated, level in CJK_CASES:
        args = [sys.executable, __file__, "--cjk", str(int(punctuated)), level]
        out = subprocess.run(args, capture_output=True, text=True)
        if out.returncode:
            print(f"| {punctuated} | {level} | failed: {out.stderr.strip().splitlines()[-1]} |")
            continue
        r = json.loads(out.stdout)
        print(f"| {'every 40' if punctuated else 'none'} | {level} | {r['outcome']} | {r.get('level', '-')} | "
              f"{r.get('units', '-')} | {r.get('calls', '-')} | {r['seconds']} | {r['peak_rss_mb']:,} |")
        if r["outcome"] == "refused":
            print(f"|  |  | message: {r['message']} |")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--hostile":  # the bounds on hostile servers and inputs (docs/security.md)
        from benchmarks.hostile import main as hostile

        hostile()
    if len(sys.argv) > 1 and sys.argv[1] == "--cjk":
        print(json.dumps(run_cjk(bool(int(sys.argv[2])), sys.argv[3])))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--only-cjk":
        print_cjk()
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
    print_cjk()


if __name__ == "__main__":
    main()
