"""``python -m lime_core models``: the bundled models and whether each can be loaded here."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import LimeCoreError
from ..model_source import import_registry
from .errors import one_line


def add_models_command(commands: Any) -> None:
    """Add ``models`` to the main parser's subcommands."""
    models = commands.add_parser("models", help="list the bundled models and whether each can be loaded",
                                 description="List the bundled models and whether each can be loaded.")
    models.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    models.set_defaults(handler=run_models)


def run_models(args: argparse.Namespace) -> int:
    registry = import_registry()
    rows = []
    for spec in registry.available_models():
        name = spec if isinstance(spec, str) else str(getattr(spec, "name", spec))
        title = "" if isinstance(spec, str) else str(getattr(spec, "title", "") or "")
        try:
            state, note = describe_status(registry.model_status(name))
        except LimeCoreError as exc:
            state, note = "not available", str(exc)
        rows.append((name, state, one_line(" - ".join(p for p in (title, note) if p and p != name))))
    if not rows:
        print("no bundled models")
        return 0
    name_w = max(len("NAME"), *(len(r[0]) for r in rows))
    state_w = max(len("STATUS"), *(len(r[1]) for r in rows))
    print(f"{'NAME'.ljust(name_w)}  {'STATUS'.ljust(state_w)}  DETAILS".rstrip())
    for name, state, note in rows:
        print(f"{name.ljust(name_w)}  {state.ljust(state_w)}  {note}".rstrip())
    return 0


def describe_status(status: Any) -> tuple[str, str]:
    """(``available`` | ``not available``, why) from the registry's ``(ok, reason)`` or an object saying so."""
    if isinstance(status, bool):
        ok, note = status, ""
    elif isinstance(status, tuple) and len(status) == 2:
        ok, note = status
    else:
        available = getattr(status, "available", None)
        note = getattr(status, "reason", "") or ""
        if available is None:
            return one_line(str(status)), ""
        ok = bool(available)
    return ("available" if ok else "not available"), str(note or "")
