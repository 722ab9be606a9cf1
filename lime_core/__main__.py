"""``python -m lime_core``: the command line (see :mod:`lime_core.cli` and docs/cli.md)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
