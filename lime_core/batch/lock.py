"""One writer per output folder: a run holds the folder's lock from its first check to its last write.

Two runs writing one folder lose rows (each merges the parts it knows of) and pay for the same model calls
twice, so a second run is refused with a message naming the first. The lock is an OS file lock
(``filelock``: ``flock`` on Linux and macOS, ``msvcrt`` on Windows) on ``.lock`` in the folder, and
``.lock.json`` says who holds it. The kernel releases the lock when its process dies however it dies, so a
killed run's ``--resume`` takes the folder over at once, with no stale lock to clear by hand.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .backends import BatchError

LOCK_FILE = ".lock"  # the OS lock (filelock truncates it on every attempt, so it holds nothing)
HOLDER_FILE = ".lock.json"  # who holds it: process, host and since when, for the second run's message


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold ``output``'s lock for the block, or raise :class:`BatchError` at once when another run holds it."""
    output.mkdir(parents=True, exist_ok=True)
    path = output / HOLDER_FILE
    lock = FileLock(str(output / LOCK_FILE), timeout=0, thread_local=False, preserve_lock_file=True)
    try:
        lock.acquire()
    except Timeout:
        raise BatchError(
            f"another batch run is writing to {output} ({_holder(path)}); two writers would lose rows and "
            "repeat model calls. Wait for it to finish, or stop it and continue with --resume"
        ) from None
    try:
        _write_holder(path)
        yield
    finally:
        lock.release()


def _write_holder(path: Path) -> None:
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(holder), encoding="utf-8")
    os.replace(tmp, path)


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
        since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(holder["since"])))
        return f"process {int(holder['pid'])} on {str(holder['host'])[:64]}, since {since}"
    except (OSError, ValueError, KeyError, TypeError):
        return "its process is not known"
