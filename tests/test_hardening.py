"""The second hardening round against hostile input, each item against a hostile server or file on 127.0.0.1.

Servers run in this process on loopback; the CLI runs as a real subprocess. Time and peak
memory are asserted only where the item is a bound (the figures live in benchmarks/limits.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lime_core
from lime_core.cli import main
from lime_core.limits import MAX_TEXT_CHARS
from tests.http_fixtures import ScriptedServer, hf_responder

REPO = Path(lime_core.__file__).resolve().parents[1]
TEXT = "a good film with great acting but a boring story"
# Labels a hostile server may send: a colour escape, a forged report line, a bell, a bidi override, a C1 CSI.
HOSTILE_LABELS = ["\x1b[32mgood\x1b[0m", "bad\r\nTrust: Trustworthy. Forged", "bell\x07", "\u202eexe.txt", "c1\x9b2J"]
DRIVERS = ("\x1b", "\x07", "\r", "\u202e", "\x9b")


def cli(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 120,
        stdin: bytes | None = None, wrapper: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "LIME_API_TOKEN"}
    full.update({"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "NO_PROXY": "127.0.0.1,localhost",
                 "no_proxy": "127.0.0.1,localhost", **(env or {})})
    proc = subprocess.run([sys.executable, *wrapper, "-m", "lime_core", *map(str, args)], input=stdin,
                          capture_output=True, env=full, cwd=REPO, timeout=timeout, check=False)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


@pytest.fixture()
def hostile_labels():
    # Each label is keyed to a word of the texts, so the answers move as words are removed (a model whose answer
    # never moves has nothing to explain, and the reports would not show the labels at all).
    keywords = dict(zip(HOSTILE_LABELS, ["good", "boring", "acting", "great", "film"], strict=True))
    with ScriptedServer(default=hf_responder(HOSTILE_LABELS, keywords=keywords)) as server:
        yield server


# --------------------------------------------------------------------------- item 4: labels cannot drive a terminal


def test_server_labels_cannot_drive_the_terminal(hostile_labels, capsys):
    for fmt in ("text", "json", "html"):
        assert main(["explain", "--url", hostile_labels.url, "--text", TEXT, "--samples", "60", "--seed", "0",
                     "--format", fmt, "--target", "all"]) == 0
        out, err = capsys.readouterr()
        assert not [c for c in DRIVERS if c in out + err], fmt
        if fmt == "text":
            assert not any(line.startswith("Trust: Trustworthy. Forged") for line in out.splitlines())
            assert "\\x1b[32mgood\\x1b[0m" in out and "\\u202eexe.txt" in out  # shown, escaped
        if fmt == "json":  # the same data for a program that reads it back
            assert sorted(json.loads(out)["class_names"]) == sorted(HOSTILE_LABELS)


def test_batch_summary_cannot_drive_the_terminal(hostile_labels, tmp_path, capsys):
    data = tmp_path / "texts.txt"
    data.write_text(f"{TEXT}\nbad acting\n", encoding="utf-8")
    out = tmp_path / "run"
    assert main(["explain-batch", "--url", hostile_labels.url, "--input", str(data), "--output", str(out),
                 "--samples", "40", "--workers", "1", "--quiet"]) == 0
    for fmt in ("text", "json"):
        capsys.readouterr()
        assert main(["summarize", str(out), "--all", "--format", fmt]) == 0
        shown, err = capsys.readouterr()
        assert not [c for c in DRIVERS if c in shown + err], fmt
        assert not any(line.startswith("Trust: Trustworthy") for line in shown.splitlines())


# --------------------------------------------------------------------------- item 5: input read up to the limit


# Runs one command and reports that child's own CPU time and peak RSS: RUSAGE_CHILDREN in the test process would
# report the largest child the whole suite has waited for, not this one.
_MEASURE_ONE_CHILD = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:]).returncode\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.write(f'\\nMEASURED {u.ru_utime + u.ru_stime} {u.ru_maxrss}\\n')\n"
    "sys.exit(rc)\n"
)


def _timed_rss(*args: str | Path, stdin: bytes | None = None) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run the CLI and measure it alone: (process, its CPU seconds, its peak RSS in MB)."""
    proc = cli(*args, stdin=stdin, timeout=60, wrapper=("-c", _MEASURE_ONE_CHILD, sys.executable))
    stderr, _, measured = proc.stderr.rpartition("\nMEASURED ")
    cpu, maxrss_kb = measured.split()
    measured_proc = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, stderr)
    return measured_proc, float(cpu), int(maxrss_kb) / 1024


def test_an_endless_file_or_stdin_is_refused_without_reading_it_whole(tmp_path):
    proc, cpu, peak = _timed_rss("explain", "--file", "/dev/zero", "--pipeline", tmp_path / "none.joblib")
    assert proc.returncode == 1, proc.stderr
    assert f"/dev/zero holds more than {4 * MAX_TEXT_CHARS:,} bytes" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert cpu < 2.0  # read before the heavy imports: CPU time, as the shared machine's wall time is noisy
    assert peak < 300
    words = MAX_TEXT_CHARS // 5 + 10_000
    proc, _, _ = _timed_rss("explain", "--file", "-", "--pipeline", "none.joblib", stdin=b"word " * words)
    assert proc.returncode == 1
    assert f"stdin holds {5 * words:,} characters, over the limit of {MAX_TEXT_CHARS:,}" in proc.stderr, proc.stderr


def test_batch_text_lines_and_cells_over_the_limit_are_refused_unread_and_not_stored(tmp_path):
    import tracemalloc

    import pandas as pd

    from lime_core.batch import InputSpec
    from lime_core.batch.io import BatchInputError, count_records, read_records

    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.write(b"first text\n")
        for _ in range(40):  # one 40 MB line
            fh.write(b"x" * (1 << 20))
        fh.write(b"\nlast text\n")
    tracemalloc.start()
    records = [r for chunk in read_records(InputSpec(big), max_chars=1000) for r in chunk]
    peak = tracemalloc.get_traced_memory()[1] / (1 << 20)
    tracemalloc.stop()
    assert [r.text for r in records] == ["first text", "", "last text"]
    assert records[1].refused and "over the limit of 1,000 characters" in records[1].refused
    assert peak < 8  # the 40 MB line was skipped 1 MB at a time
    assert count_records(InputSpec(big)) == 3

    csv = tmp_path / "big.csv"
    csv.write_text("text,label\nshort,a\n" + "y" * 300_000 + ",b\n", encoding="utf-8")
    with pytest.raises(BatchInputError, match=r"line 3 of big\.csv or one soon after it is longer than 69,536 bytes"):
        list(read_records(InputSpec(csv), max_chars=1000))
    cells = tmp_path / "cells.csv"
    pd.DataFrame({"text": ["ok", "z" * 5000]}).to_csv(cells, index=False)
    rows = [r for chunk in read_records(InputSpec(cells), max_chars=1000) for r in chunk]
    assert rows[0].refused is None and rows[1].text == "" and "5,000 characters" in rows[1].refused


def test_a_batch_run_stores_a_refused_text_as_an_error_without_calling_the_model(tmp_path, capsys):
    with ScriptedServer(default=hf_responder(["neg", "pos"])) as server:
        data = tmp_path / "texts.txt"
        data.write_text("a good film\n" + "w " * 150_000 + "\n", encoding="utf-8")
        out = tmp_path / "run"
        assert main(["explain-batch", "--url", server.url, "--input", str(data), "--output", str(out),
                     "--samples", "20", "--workers", "1", "--quiet"]) == 0
        sent = [text for request in server.requests for text in request.inputs]
    import pyarrow.parquet as pq

    table = pq.read_table(out / "explanations.parquet").to_pylist()
    refused = next(row for row in table if row["row"] == 1)
    assert refused["text"] == "" and "over the limit of 100,000 characters" in refused["error"]
    assert not any(len(text) > 1000 for text in sent)


def test_a_csv_with_an_unclosed_quote_says_so(tmp_path):
    from lime_core.batch import InputSpec
    from lime_core.batch.io import BatchInputError, read_records

    path = tmp_path / "quote.csv"
    path.write_text('text,label\n"an unclosed quote,a\nsecond,b\nthird,c\n', encoding="utf-8")
    with pytest.raises(BatchInputError, match="never closed"):
        list(read_records(InputSpec(path)))


def test_a_parquet_text_column_that_is_not_text_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lime_core.batch import InputSpec
    from lime_core.batch.io import BatchInputError, read_records

    path = tmp_path / "numbers.parquet"
    pq.write_table(pa.table({"text": [1.5, 2.5], "label": ["a", "b"]}), path)
    with pytest.raises(BatchInputError, match="holds double, not text"):
        list(read_records(InputSpec(path)))


# --------------------------------------------------------------------------- item 3: one writer per output folder


def test_a_second_run_on_a_folder_is_refused_and_a_killed_runs_resume_takes_over(tmp_path, capsys):
    import signal
    import time

    import pyarrow.parquet as pq

    respond = hf_responder(["neg", "pos"])

    def slow(request):
        answer = respond(request)
        answer.delay = 0.05
        return answer

    texts = [f"text number {i} is good or bad" for i in range(8)]
    data = tmp_path / "texts.txt"
    data.write_text("\n".join(texts) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    args = ["explain-batch", "--url", None, "--input", str(data), "--output", str(out), "--samples", "30",
            "--workers", "1", "--quiet", "--chunk-size", "2"]
    with ScriptedServer(default=slow) as server:
        args[2] = server.url
        env = {k: v for k, v in os.environ.items() if k != "LIME_API_TOKEN"}
        env.update({"PYTHONPATH": str(REPO), "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"})
        first = subprocess.Popen([sys.executable, "-m", "lime_core", *args], env=env, cwd=REPO,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 90
            while not list((out / "parts").glob("explanations-*.parquet")):
                assert first.poll() is None, first.stderr.read().decode()
                assert time.monotonic() < deadline, "the first run wrote no part in time"
                time.sleep(0.05)
            for extra in ([], ["--resume"], ["--resume", "--chunk-size", "5"]):  # the second run
                capsys.readouterr()
                assert main(args + extra) == 1
                err = capsys.readouterr().err
                assert f"another batch run is writing to {out} (process {first.pid} on" in err, err
                assert "--resume" in err
            first.send_signal(signal.SIGKILL)  # dies holding the lock: the kernel releases it
            first.wait(30)
        finally:
            if first.poll() is None:
                first.kill()
            first.stderr.close()
        assert main([*args, "--resume"]) == 0
    ids = pq.read_table(out / "explanations.parquet", columns=["id"]).column("id").to_pylist()
    assert sorted(ids, key=int) == [str(i) for i in range(len(texts))]  # every row once


# --------------------------------------------------------------------------- item 7: credentials in a batch --url


def test_a_batch_url_loses_its_credentials_in_run_json_and_on_screen(tmp_path, capsys):
    from dashboard.dataset import folder_label

    with ScriptedServer(default=hf_responder(["neg", "pos"])) as server:
        port = server.url.rsplit(":", 1)[1]
        url = f"http://alice:pw-9f8e7d6c@127.0.0.1:{port}/?api_key=key-5a4b3c2d&top_k=2"
        data = tmp_path / "texts.txt"
        data.write_text("a good film\n", encoding="utf-8")
        out = tmp_path / "run"
        args = ["explain-batch", "--url", url, "--input", str(data), "--output", str(out), "--samples", "20",
                "--workers", "1", "--quiet"]
        assert main(args) == 0
        assert main([*args, "--resume"]) == 0  # the stored, redacted URL still matches the run
    stored = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.json"))
    shown = folder_label(out) + capsys.readouterr().out
    for secret in ("alice", "pw-9f8e7d6c", "key-5a4b3c2d"):
        assert secret not in stored and secret not in shown
    assert f"http://127.0.0.1:{port}/?api_key=***&top_k=2" in stored


# --------------------------------------------------------------------------- item 9: a circuit breaker for batch


def test_a_batch_against_a_dead_server_stops_after_failures_in_a_row_and_resumes(tmp_path, capsys):
    import time

    import pyarrow.parquet as pq

    from tests.http_fixtures import Canned

    data = tmp_path / "texts.txt"
    data.write_text("".join(f"text {i} is fine\n" for i in range(40)), encoding="utf-8")
    out = tmp_path / "run"
    args = ["explain-batch", "--input", str(data), "--output", str(out), "--samples", "20", "--workers", "1",
            "--quiet", "--deadline", "2", "--stop-after-failures", "3", "--chunk-size", "4"]
    with ScriptedServer(default=lambda request: Canned(503, {"error": "overloaded"})) as down:
        started = time.monotonic()
        assert main([*args, "--url", down.url]) == 1
        seconds = time.monotonic() - started
        err = capsys.readouterr().err
        assert "stopped: 3 texts in a row failed the same way at the model" in err
        assert "HTTP 503" in err and "--resume" in err
        requests = down.request_count
        assert requests <= 3 * 4  # three texts, each within its retries under the 2 s deadline
    print(f"\n  stopped after {seconds:.1f} s and {requests} requests")  # timed in benchmarks/limits.py
    status = json.loads((out / "status.json").read_text(encoding="utf-8"))
    assert status["state"] == "failed" and "stopped: 3 texts" in status["message"]
    with ScriptedServer(default=hf_responder(["neg", "pos"], keywords={"pos": "fine"})) as up:
        # The same run once the server is back: served here on another port, so run.json is pointed at it.
        manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
        manifest["model"]["value"] = up.url
        (out / "run.json").write_text(json.dumps(manifest), encoding="utf-8")
        assert main([*args, "--url", up.url, "--resume"]) == 0
    rows = pq.read_table(out / "explanations.parquet", columns=["id", "error"]).to_pylist()
    assert sorted(int(r["id"]) for r in rows) == list(range(40))  # the three failed texts were not stored
    assert not [r for r in rows if r["error"]]


# --------------------------------------------------------------------------- items 7/8: the model server's pollers


def test_keep_alive_pollers_cannot_starve_real_requests():
    import http.client
    import threading
    import time

    from lime_core.classifier import ClassifierAdapter
    from lime_core.serve import serve_in_thread
    from tests.http_fixtures import poll_health_keepalive, tiny_text_pipeline

    model = ClassifierAdapter(tiny_text_pipeline(), name="tiny")
    stop = threading.Event()
    # The 32 pollers against 32 slots, scaled down: 12 pollers against 8.
    with serve_in_thread(model, keepalive_idle=1.0, max_connections=8) as server:
        host, port = "127.0.0.1", server.port
        # The client: keep-alive, GET /health, then silence until the next poll.
        pollers = [threading.Thread(target=poll_health_keepalive, args=(port, stop, 2.0), daemon=True)
                   for _ in range(12)]
        for thread in pollers:
            thread.start()
        time.sleep(1.5)
        statuses = []
        for _ in range(6):  # real requests, each on a new connection, spread over a few seconds
            conn = http.client.HTTPConnection(host, port, timeout=10)
            conn.request("POST", "/", body=json.dumps({"inputs": ["a good film"]}),
                         headers={"Content-Type": "application/json"})
            statuses.append(conn.getresponse().status)
            conn.close()
            time.sleep(0.2)
        stop.set()
        for thread in pollers:
            thread.join(5)
        closed = server.server.idle_closed
    assert statuses == [200] * 6, statuses
    assert closed > 0  # idle pollers were closed, for time or for a slot


# --------------------------------------------------------------------------- items 6 and 10: tokens


ECHO_TOKEN = "tok-3c9f1e77a2"


def _echoing_server():
    """Labels that carry whatever the client sent as its bearer token (a server reflecting it)."""
    from tests.http_fixtures import Canned

    def respond(request):
        secret = request.headers.get("Authorization", "").split(" ", 1)[-1]
        labels = [f"pos {secret}", f"neg/{secret}"]
        rows = []
        for text in request.inputs:  # each text its own answer: "good" and "bad" move it
            pos = 0.5 + 0.2 * ("good" in text) - 0.2 * ("bad" in text)
            rows.append([{"label": label, "score": s} for label, s in zip(labels, (pos, 1 - pos), strict=True)])
        return Canned(200, rows)

    return ScriptedServer(default=respond)


def test_a_token_echoed_into_labels_reaches_no_output(tmp_path, capsys, monkeypatch):
    import pyarrow.parquet as pq

    monkeypatch.setenv("LIME_API_TOKEN", ECHO_TOKEN)
    with _echoing_server() as server:
        for fmt in ("text", "json", "html"):
            assert main(["explain", "--url", server.url, "--text", TEXT, "--samples", "40", "--seed", "0",
                         "--format", fmt, "--target", "all"]) == 0
            out, err = capsys.readouterr()
            assert ECHO_TOKEN not in out + err and "pos ***" in out, fmt
        data = tmp_path / "texts.txt"
        data.write_text("a good film\na bad one\n", encoding="utf-8")
        run = tmp_path / "run"
        assert main(["explain-batch", "--url", server.url, "--input", str(data), "--output", str(run),
                     "--samples", "20", "--workers", "1", "--quiet"]) == 0
        assert main(["summarize", str(run), "--all"]) == 0
        assert ECHO_TOKEN not in "".join(capsys.readouterr())
    for path in run.rglob("*"):
        if path.is_file():
            assert ECHO_TOKEN.encode() not in path.read_bytes(), path.name
    assert {"pos ***", "neg/***"} <= set(pq.read_table(run / "weights.parquet").column("class").to_pylist())


def test_a_short_token_is_warned_about_and_redacted_only_as_a_whole_token(caplog):
    from lime_core.models.remote.credentials import BearerToken

    with caplog.at_level("WARNING"):
        zero = BearerToken("0", scheme="http", host="127.0.0.1")
    assert "1 characters long" in caplog.text and "under 8 characters" in caplog.text
    assert zero.redact("http://127.0.0.1:8000 answered 0 labels") == "http://127.0.0.1:8000 answered *** labels"
    x = BearerToken("x", scheme="http", host="127.0.0.1")
    assert x.redact("max_response_bytes, token x") == "max_response_bytes, token ***"
    assert BearerToken(ECHO_TOKEN, scheme="http", host="127.0.0.1").redact(f"a{ECHO_TOKEN}b") == "a***b"


def test_no_exception_keeps_the_request_headers():
    import socket

    from lime_core.errors import RemoteModelError
    from lime_core.models.remote import RemoteClassifier

    with socket.socket() as sock:  # a port nobody listens on: the connection is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    model = RemoteClassifier(f"http://127.0.0.1:{port}", token=ECHO_TOKEN, class_names=["a", "b"], max_retries=0)
    with pytest.raises(RemoteModelError) as info:
        model.predict_proba(["x"])
    seen, stack = set(), [info.value]
    while stack:  # the exception, its context and cause, and every local of every frame of their tracebacks
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, BaseException):
            stack += [x for x in (item.__context__, item.__cause__) if x is not None]
            tb = item.__traceback__
            while tb is not None:
                stack += list(tb.tb_frame.f_locals.values())
                tb = tb.tb_next
        elif isinstance(item, dict):
            stack += list(item.values())
        elif isinstance(item, str):
            assert ECHO_TOKEN not in item


def test_the_model_server_accepts_a_lower_case_bearer_scheme():
    import http.client

    from lime_core.classifier import ClassifierAdapter
    from lime_core.serve import serve_in_thread
    from tests.http_fixtures import tiny_text_pipeline

    with serve_in_thread(ClassifierAdapter(tiny_text_pipeline(), name="t"), token=ECHO_TOKEN) as server:
        for scheme, status in (("bearer", 200), ("BEARER", 200), ("Bearer", 200), ("Basic", 401)):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("POST", "/", body=json.dumps({"inputs": ["x"]}),
                         headers={"Authorization": f"{scheme} {ECHO_TOKEN}", "Content-Type": "application/json"})
            assert conn.getresponse().status == status, scheme
            conn.close()


def test_a_damaged_part_on_resume_gets_a_message_saying_what_to_do(tmp_path, capsys):
    data = tmp_path / "texts.txt"
    data.write_text("".join(f"text {i} is good\n" for i in range(6)), encoding="utf-8")
    out = tmp_path / "run"
    with ScriptedServer(default=hf_responder(["neg", "pos"])) as server:
        args = ["explain-batch", "--url", server.url, "--input", str(data), "--output", str(out), "--samples", "20",
                "--workers", "1", "--quiet", "--chunk-size", "2"]
        assert main(args) == 0
    parts = out / "parts"
    parts.mkdir(exist_ok=True)
    (parts / "explanations-000007.parquet").write_bytes(b"PAR1 this is not parquet PAR1")
    capsys.readouterr()
    assert main([*args, "--resume"]) == 1
    err = capsys.readouterr().err
    assert "parts/explanations-000007.parquet in" in err and "is damaged" in err
    assert "delete it and parts/weights-000007.parquet, then run again with --resume" in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_the_dataset_folder_opener_stays_inside_the_batch_folder(tmp_path):
    from dashboard.run_folder import resolve_run_folder

    root, elsewhere = tmp_path / "batches", tmp_path / "private"
    for folder in (root / "mine", elsewhere):
        folder.mkdir(parents=True)
        (folder / "run.json").write_text("{}", encoding="utf-8")
    assert resolve_run_folder(str(root / "mine"), root) == (root / "mine").resolve()
    assert resolve_run_folder("mine", root) == (root / "mine").resolve()
    for typed, fragment in [
        (str(elsewhere), "is outside the folder of batch runs"),
        (str(root / ".." / "private"), "is outside the folder of batch runs"),
        ("a" * 5000, "5,000 characters long"),
        (str(root), "holds no run.json"),
        ("mine\x00x", "NUL character"),
    ]:
        with pytest.raises(ValueError, match=fragment):
            resolve_run_folder(typed, root)


def test_a_malformed_saved_row_is_listed_and_refused_with_a_message(tmp_path):
    import sqlite3

    from dashboard.saved import SavedStore, SavedStoreError

    store = SavedStore(tmp_path / "saved.sqlite3")
    store.list()  # creates the table
    with sqlite3.connect(tmp_path / "saved.sqlite3") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(saved_explanations)")]
        values = {c: "" for c in columns}
        values.update(id="bad1", title="", created="yesterday", explanation="[1, 2]", details="{}")
        db.execute(f"INSERT INTO saved_explanations ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                   list(values.values()))
    [summary] = store.list()
    assert summary.id == "bad1" and summary.title == "untitled" and summary.created == 0.0
    with pytest.raises(SavedStoreError, match="damaged or written by another version"):
        store.get("bad1")
    assert store.delete("bad1")


def test_one_failure_kind_however_the_retries_ended():
    from lime_core.batch.work import failure_kind
    from lime_core.errors import BudgetExceededError, InputTextError, RemoteModelError

    after = RemoteModelError('server error at http://127.0.0.1:80 (HTTP 503) after 3 attempts: "down"')
    early = RemoteModelError('server error at http://127.0.0.1:80 (HTTP 503): "x"; a retry in 2.0 s would pass it')
    assert failure_kind(after) == failure_kind(early) == "RemoteModelError: HTTP 503"
    assert failure_kind(RemoteModelError("the server at http://127.0.0.1:80 (HTTP 429) is rate limiting")) != (
        failure_kind(after))
    assert failure_kind(InputTextError("the text is empty")) is None  # the text's fault: no streak
    assert failure_kind(BudgetExceededError("over budget")) is None
