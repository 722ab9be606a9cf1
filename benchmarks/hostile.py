"""Hostile inputs, timed: what each bound costs in seconds and memory (printed by benchmarks/limits.py).

Every server is on 127.0.0.1 in this process; CLI cases run as subprocesses so their peak resident memory is
their own. Run: ``python benchmarks/limits.py --hostile`` (about a minute on an idle 2-core machine).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20


def _traced(call):
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = call()
    except Exception as exc:  # the bounded cases end in an error: that is the point
        outcome = f"{type(exc).__name__}: {' '.join(str(exc).split())[:90]}"
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return seconds, peak, outcome


def quote_bomb() -> list[tuple[str, str, str, str]]:
    from lime_core.models.remote import RemoteClassifier
    from tests.http_fixtures import RawServer, http_head

    body = b'"' + b'\\"' * (4 * MB - 1)
    rows = []
    def answering(server, status):
        def handler(sock, stopping):
            server.send(sock, http_head(status, {"Content-Length": str(len(body))}) + body)

        return handler

    for status, retries in ((200, 0), (503, 2)):
        server = RawServer(lambda sock, stopping: None)
        server.handler = answering(server, status)
        with server:
            model = RemoteClassifier(server.url, class_names=["a", "b"], deadline=3.0, max_retries=retries,
                                     backoff_base=0.2)
            seconds, peak, outcome = _traced(lambda model=model: model.predict_proba(["x"]))
        rows.append((f"8 MB quote bomb, HTTP {status}, {retries} retries, deadline 3 s", f"{seconds:.2f}",
                     f"{peak:.0f} (traced, both sides)", outcome))
    return rows


def _child(args: list[str], stdin: bytes | None = None) -> tuple[str, float, str]:
    """Run the CLI in a child: ('wall/CPU seconds', peak RSS MB, its last line)."""
    code = (
        "import resource, subprocess, sys, time; t = time.monotonic(); "
        "p = subprocess.run(sys.argv[1:], input=sys.stdin.buffer.read() if not sys.stdin.isatty() else None, "
        "capture_output=True); "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(f'{time.monotonic() - t:.2f}/{u.ru_utime + u.ru_stime:.2f}', u.ru_maxrss / 1024, "
        "p.stderr.decode().strip().splitlines()[-1][:90] if p.stderr else p.returncode)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "lime_core", *args], input=stdin or b"",
                         capture_output=True, env=env, check=True).stdout.decode().split(" ", 2)
    return out[0], float(out[1]), out[2].strip()


def endless_input() -> list[tuple[str, str, str, str]]:
    seconds, peak, said = _child(["explain", "--file", "/dev/zero", "--model", "20ng-svm"])
    rows = [("explain --file /dev/zero (wall/CPU)", seconds, f"{peak:.0f} (RSS)", said)]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.txt"
        with open(big, "wb") as fh:
            fh.write(b"first\n")
            for _ in range(300):
                fh.write(b"x" * MB)
            fh.write(b"\nlast\n")
        code = ("import sys; from lime_core.batch import InputSpec; from lime_core.batch.io import read_records; "
                "import resource, time; t = time.monotonic(); "
                "n = [r.refused is not None for c in read_records(InputSpec(__import__('pathlib').Path(sys.argv[1])))"
                " for r in c]; print(time.monotonic() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,"
                " n)")
        out = subprocess.run([sys.executable, "-c", code, str(big)], capture_output=True, check=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.decode().split(" ", 2)
        rows.append(("batch text file with one 300 MB line (read_records)", f"{float(out[0]):.2f}",
                     f"{float(out[1]):.0f} (RSS, with pyarrow and pandas loaded)",
                     f"rows refused: {out[2].strip()}"))
    return rows


def two_writers() -> list[tuple[str, str, str, str]]:
    from lime_core.batch.lock import output_lock

    with tempfile.TemporaryDirectory() as tmp, output_lock(Path(tmp)):
        seconds, peak, outcome = _traced(lambda: output_lock(Path(tmp)).__enter__())
    return [("a second run on a folder in use", f"{seconds:.3f}", f"{peak:.1f} (traced)", outcome[:90])]


def dead_server() -> list[tuple[str, str, str, str]]:
    from lime_core.cli import main
    from tests.http_fixtures import Canned, ScriptedServer

    with tempfile.TemporaryDirectory() as tmp, ScriptedServer(default=lambda r: Canned(503, {"error": "down"})) as s:
        data = Path(tmp) / "texts.txt"
        data.write_text("".join(f"text {i}\n" for i in range(50_000)), encoding="utf-8")
        args = ["explain-batch", "--url", s.url, "--input", str(data), "--output", str(Path(tmp) / "out"),
                "--workers", "1", "--quiet", "--deadline", "3"]
        seconds, peak, outcome = _traced(lambda: main(args))
        requests = s.request_count
    return [("batch of 50,000 texts, server always 503, deadline 3 s, default breaker (10)", f"{seconds:.1f}",
             f"{peak:.0f} (traced)", f"exit {outcome}, {requests} requests, then stopped; --resume goes on")]


def pollers() -> list[tuple[str, str, str, str]]:
    import http.client

    from lime_core.classifier import ClassifierAdapter
    from lime_core.serve import serve_in_thread
    from tests.http_fixtures import poll_health_keepalive, tiny_text_pipeline

    stop = threading.Event()
    with serve_in_thread(ClassifierAdapter(tiny_text_pipeline(), name="t")) as server:
        threads = [threading.Thread(target=poll_health_keepalive, args=(server.port, stop, 10.0), daemon=True)
                   for _ in range(32)]
        for t in threads:
            t.start()
        time.sleep(2.0)
        started, ok, waits = time.monotonic(), 0, []
        for _ in range(14):
            t0 = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("POST", "/", body=json.dumps({"inputs": ["a text"]}))
            ok += conn.getresponse().status == 200
            conn.close()
            waits.append(time.monotonic() - t0)
            time.sleep(3.0)
        stop.set()
        seconds = time.monotonic() - started
    waits.sort()
    return [("32 keep-alive pollers (GET /health every 10 s), 14 real requests over 45 s", f"{seconds:.0f}",
             "-", f"{ok}/14 answered 200; request time median {waits[7]:.2f} s, max {waits[-1]:.2f} s")]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    print("| hostile case | seconds | peak MB | outcome |\n|---|---|---|---|")
    for case in (quote_bomb, endless_input, two_writers, dead_server, pollers):
        for row in case():
            print("| " + " | ".join(row) + " |", flush=True)
    print(f"(peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
