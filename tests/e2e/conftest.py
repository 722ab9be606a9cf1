"""The dashboard as a real server, opened in Debian's Chromium through pytest-playwright.

``app_url`` starts ``streamlit run app.py`` on a free loopback port with the
offline assets in its environment and waits for ``/_stcore/health``. The
browser is the system Chromium (``playwright install`` is never needed): the
pytest-playwright launch arguments are overridden to point at it.
Screenshots go to ``artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import REPO_ROOT

# A rerun (a model switch, a page change) can take longer than Playwright's 5 s default on a loaded 2-core CI
# machine; assertions that wait for an explanation give their own, longer time-outs.
expect.set_options(timeout=20_000)

ARTIFACTS = REPO_ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HEALTH_TIMEOUT = 120.0


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch arguments, pointed at the system Chromium."""
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1440, "height": 1000}}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sentiment_model(request: pytest.FixtureRequest) -> str:
    configured = os.environ.get("LIME_SENTIMENT_MODEL", "").strip()
    fallback = REPO_ROOT.parent / "shared" / "models" / "minilm-rt-sentiment"
    for candidate in ([Path(configured)] if configured else []) + [fallback]:
        if (candidate / "config.json").is_file():
            return str(candidate)
    return str(request.getfixturevalue("tiny_bert_dir"))  # a small real BERT (tests/conftest.py)


def wait_until_healthy(process: subprocess.Popen, url: str, log_path: Path, timeout: float) -> None:
    """Return once ``url``'s Streamlit health check answers; fail with the log if the process dies or times out."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"streamlit did not become healthy in {timeout:.0f} s:\n{log_path.read_text()}")
        time.sleep(0.25)


@contextmanager
def streamlit_server(
    newsgroups_archive: Path, request: pytest.FixtureRequest, tmp_path_factory, saved_db: Path
) -> Iterator[str]:
    """``streamlit run app.py`` on a free port; yields its URL once ``/_stcore/health`` answers, then stops it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"LIME_API_URL", "LIME_API_TOKEN"}}
    env.update(
        LIME_20NG_ARCHIVE=str(newsgroups_archive),
        LIME_SENTIMENT_MODEL=_sentiment_model(request),
        LIME_CACHE_DIR=os.environ.get("LIME_CACHE_DIR") or str(REPO_ROOT / ".cache" / "lime_core"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        LIME_SENTIMENT_LANGUAGES="en",  # the stand-in (and the tiny test BERT) read English
        LIME_SAVED_DB=str(saved_db),
        PYTHONUNBUFFERED="1",
        LIME_BATCH_DIR=str(tmp_path_factory.mktemp("batches")),  # the Dataset page's runs
    )
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, url, log_path, HEALTH_TIMEOUT)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        server_log = log_path.read_text(errors="replace")
        if "Traceback" in server_log:
            print(server_log)  # shown by pytest when a test failed


@pytest.fixture(scope="session")
def app_url(newsgroups_archive: Path, request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    """The one shared server of the browser tests."""
    saved_db = tmp_path_factory.mktemp("saved") / "saved.sqlite3"
    with streamlit_server(newsgroups_archive, request, tmp_path_factory, saved_db) as url:
        yield url
