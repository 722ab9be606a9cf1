"""How the command line reports: one ``error: ...`` line (or ``warning: ...``) on stderr, and the exit status.

Exit status 2 when the command line itself is wrong (missing or conflicting
options, invalid numbers or choices), 1 when something fails while running.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any, NoReturn

from ..terminal import printable

EXIT_RUNTIME = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A failure to report as one ``error:`` line with the given exit status."""

    def __init__(self, message: str, status: int = EXIT_RUNTIME) -> None:
        super().__init__(message)
        self.status = status


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as a single ``error:`` line (exit 2) instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see {self.prog} --help)", EXIT_USAGE)


def log_warnings_as_lines() -> None:
    """lime_core's warnings (e.g. a remote retry) as ``warning: ...`` lines on stderr, like the errors."""
    package = logging.getLogger("lime_core")
    if not any(getattr(h, "_lime_cli", False) for h in package.handlers):
        handler = _StderrHandler()
        handler.setLevel(logging.WARNING)
        handler.setFormatter(_LineFormatter())
        handler._lime_cli = True  # type: ignore[attr-defined]
        package.addHandler(handler)
        package.propagate = False


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is written (tests and callers may swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class _LineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        prefix = "warning" if record.levelno < logging.ERROR else "error"
        return f"{prefix}: {one_line(record.getMessage())}"


def fail(message: str, status: int) -> int:
    """Print ``error: message`` as one line on stderr; returns ``status``."""
    print(f"error: {one_line(message)}", file=sys.stderr)
    return status


def one_line(message: str) -> str:
    """``message`` on one printable line (terminal control characters escaped)."""
    return printable(" ".join(message.split())) or "failed"


def silence_stdout() -> None:
    """Point stdout at the null device (its reader went away, e.g. ``| head``)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
