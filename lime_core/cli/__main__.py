"""``python -m lime_core.cli``: the same command line as ``python -m lime_core``."""

from .main import main

if __name__ == "__main__":
    raise SystemExit(main())
