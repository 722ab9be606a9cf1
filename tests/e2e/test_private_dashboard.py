"""The README's start command gives a dashboard that only this machine can reach.

``bash scripts/start.sh`` is run as the README says (extra arguments go to
``streamlit run``; only the port is chosen here). The kernel's socket tables
then say which addresses the port listens on: loopback and nothing else. No
traffic goes anywhere but 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import wait_until_healthy

pytestmark = pytest.mark.e2e

LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1 as /proc/net/tcp* write them


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as the kernel writes them) of LISTEN sockets on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket tables")
def test_the_readme_start_command_listens_on_loopback_only(newsgroups_archive, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "LIME_VENV": sys.prefix,  # the environment running the tests (already installed)
        "LIME_20NG_ARCHIVE": str(newsgroups_archive),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    log = tmp_path / "start.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["bash", "scripts/start.sh", "--server.port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}", log, 240)
        addresses = listening_addresses(port)
        assert addresses, "nothing listens on the port"
        assert addresses <= LOOPBACK, f"listening on {addresses}, not only loopback"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
