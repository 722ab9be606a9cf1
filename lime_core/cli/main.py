"""Command line: ``python -m lime_core explain | models | explain-batch | summarize``.

Every failure ends with one line ``error: ...`` on stderr and no traceback:
exit status 2 when the command line itself is wrong (missing or conflicting
options, invalid numbers or choices), 1 when something fails while running
(unreadable file, unusable model, empty text, unknown class, a model or
network error). ``--debug`` shows the traceback instead, for bug reports.
See docs/cli.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..errors import LimeCoreError
from .errors import EXIT_RUNTIME, EXIT_USAGE, CliError, Parser, fail, log_warnings_as_lines, silence_stdout


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for docs and tests)."""
    from .batch import add_batch_commands  # explain-batch and summarize (docs/batch.md)
    from .explain import add_explain_command
    from .models import add_models_command

    parser = Parser(
        prog="python -m lime_core",
        description="Explain a text classifier's prediction with LIME.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_explain_command(commands)
    add_models_command(commands)
    add_batch_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of raising (except for --help)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    log_warnings_as_lines()
    try:
        args = build_parser().parse_args(args_list)
        return int(args.handler(args) or 0)
    except CliError as exc:
        if debug and exc.status != EXIT_USAGE:
            raise
        return fail(str(exc), exc.status)
    except (LimeCoreError, ValueError) as exc:  # lime_core's messages are written for users
        if debug:
            raise
        return fail(str(exc), EXIT_RUNTIME)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:  # e.g. piped into `head`: not an error worth a message
        silence_stdout()
        return EXIT_RUNTIME
    except Exception as exc:  # a bug or a model failing in its own way: still one line unless --debug
        if debug:
            raise
        return fail(f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", EXIT_RUNTIME)
