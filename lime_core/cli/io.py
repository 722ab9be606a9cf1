"""The command line's input and output: the text to explain (bounded, from an option, a file or stdin) and
where a report goes (stdout or a file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import InputTextError
from ..limits import read_text_within
from .errors import CliError


def read_text(args: argparse.Namespace, max_chars: int | None) -> str:
    """The text to explain (``--text`` or ``--file``; ``-`` is stdin), read no further than ``max_chars`` allows
    (a file or stdin may be endless)."""
    source = args.file if args.file is not None else args.text
    if source == "-":
        if not hasattr(sys.stdin, "buffer"):
            return sys.stdin.read(max_chars + 1 if max_chars is not None else -1)
        return _read_within(sys.stdin.buffer, max_chars, "stdin")
    if args.file is None:
        return args.text
    try:
        with open(args.file, "rb") as stream:
            return _read_within(stream, max_chars, args.file)
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from None


def _read_within(stream: Any, max_chars: int | None, name: str) -> str:
    try:
        return read_text_within(stream, max_chars, name)
    except InputTextError as exc:
        raise CliError(str(exc)) from None


def write_output(output: str, path: str | None) -> None:
    """Write ``output`` to stdout (``path`` None or ``-``) or to the file ``path``."""
    if path is None or path == "-":
        sys.stdout.write(output)
        sys.stdout.flush()
        return
    try:
        Path(path).write_text(output, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
