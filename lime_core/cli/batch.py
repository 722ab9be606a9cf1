"""The ``explain-batch`` and ``summarize`` commands of ``python -m lime_core`` (docs/batch.md).

:func:`add_batch_commands` adds them to the main parser (:mod:`lime_core.cli.main`),
which keeps its error handling: one ``error:`` line, no traceback. The runs themselves
are :mod:`lime_core.batch`'s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..batch.choices import (
    BACKENDS,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_STOP_AFTER,
    DEFAULT_WAIT_SECONDS,
    MODEL_FROM,
    SUFFIXES,
)
from ..terminal import json_for_terminal
from .errors import EXIT_USAGE, CliError
from .io import write_output
from .options import (
    add_explanation_options,
    add_model_options,
    add_multi_label_option,
    model_source,
    positive_int,
    seconds,
)

if TYPE_CHECKING:
    from ..batch.runner import BatchProgress

PLAIN_PROGRESS_SECONDS = 10.0


def add_batch_commands(commands: Any) -> None:
    """Add ``explain-batch`` and ``summarize`` to the main parser's subcommands."""
    eb = commands.add_parser(
        "explain-batch",
        help="explain every text of a dataset into Parquet files",
        description="Explain every text of a CSV, JSON Lines, Parquet or text file (one text per line) into "
        "OUTPUT/explanations.parquet and OUTPUT/weights.parquet (docs/batch.md).",
    )
    eb.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    add_model_options(eb)
    add_multi_label_option(eb)
    data = eb.add_argument_group("data")
    data.add_argument("--input", required=True, metavar="FILE",
                      help=f"the texts; format from the suffix ({', '.join(sorted(SUFFIXES))})")
    data.add_argument("--text-column", default="text", metavar="NAME", help="column holding the texts (default text)")
    data.add_argument("--id-column", default=None, metavar="NAME", help="column of unique ids (default: row numbers)")
    data.add_argument("--label-column", default=None, metavar="NAME", help="column of true labels (optional)")
    data.add_argument("--output", "-o", required=True, metavar="DIR", help="folder for the results")
    data.add_argument("--languages", type=_language_codes, default=None, metavar="CODES",
                      help="ISO 639-1 codes of the languages the model reads, e.g. en,de: each text is checked "
                      "against them as on the dashboard, and one in another language is flagged in its verdict "
                      "and counted at the end (default: a bundled model's declared languages; '' checks none)")
    add_explanation_options(
        eb,
        samples_default="auto",
        seed_default=0,
        seed_help="run seed; each text's seed derives from it and the text's id (default 0)",
        target_help="each text's predicted class",
    )
    run = eb.add_argument_group("execution")
    run.add_argument("--backend", choices=BACKENDS, default="local",
                     help="local: processes on this machine; ray: Ray actors (default local)")
    run.add_argument("--workers", type=positive_int, default=1, metavar="N", help="parallel workers (default 1)")
    run.add_argument("--ray-address", default=None, metavar="ADDRESS",
                     help="join this Ray cluster (default: $RAY_ADDRESS, else a local Ray started for the run)")
    run.add_argument("--model-from", choices=MODEL_FROM, default="driver",
                     help="ray: driver (default): the driver loads a --pipeline file or a bundled scikit-learn model "
                     "and sends it to the workers through Ray's object store; nodes: each worker opens the model "
                     "itself (transformers and --url models always are)")
    run.add_argument("--ray-wait", type=seconds, default=DEFAULT_WAIT_SECONDS, metavar="SECONDS",
                     help=f"ray: give up when no worker can start for this long (default {DEFAULT_WAIT_SECONDS:g})")
    run.add_argument("--max-attempts", type=positive_int, default=DEFAULT_MAX_ATTEMPTS, metavar="N",
                     help="ray: tries per text when the workers under it are lost; then it is recorded as failed "
                     f"(default {DEFAULT_MAX_ATTEMPTS})")
    run.add_argument("--resume", action="store_true",
                     help="continue the run in OUTPUT: texts already explained are not sent to the model again")
    run.add_argument("--chunk-size", type=positive_int, default=DEFAULT_CHUNK_SIZE, metavar="N",
                     help=f"texts read and written at a time (default {DEFAULT_CHUNK_SIZE})")
    run.add_argument("--stop-after-failures", type=int, default=DEFAULT_STOP_AFTER, metavar="N",
                     help=f"stop when N texts in a row fail the same way at the model (a server that is down); "
                     f"--resume retries them (default {DEFAULT_STOP_AFTER}; 0: never stop)")
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    eb.set_defaults(handler=_cmd_explain_batch)

    sm = commands.add_parser(
        "summarize",
        help="summarise a batch run: words per class, SP-LIME picks, errors",
        description="Summarise the local explanations of a batch run (not the model's global logic).",
    )
    sm.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sm.add_argument("dir", metavar="DIR", help="the output folder of explain-batch")
    sm.add_argument("--pick", type=positive_int, default=None, metavar="K",
                    help="also pick K representative explanations with SP-LIME")
    sm.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    sm.add_argument("--all", action="store_true", dest="all_explanations",
                    help="count every explanation, not only the trustworthy ones (each word says how many were)")
    sm.add_argument("--top", type=positive_int, default=20, metavar="N", help="words per class (default 20)")
    sm.add_argument("--output", "-o", metavar="PATH", default=None, help="write here instead of stdout")
    sm.set_defaults(handler=_cmd_summarize)


def _language_codes(value: str) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(c.strip().lower() for c in value.split(",") if c.strip()))
    bad = [c for c in codes if not (c.isascii() and c.isalpha() and 2 <= len(c) <= 3)]
    if bad:
        raise argparse.ArgumentTypeError(f"not ISO 639-1 language codes: {', '.join(bad)} (e.g. en,de)")
    return codes


def _languages(args: argparse.Namespace) -> tuple[str, ...]:
    """The languages each text is checked against: --languages, else a bundled model's declared ones (as the
    dashboard's Dataset page takes them from the model's spec)."""
    if args.languages is not None:
        return args.languages
    if args.model is None:
        return ()
    from ..errors import LimeCoreError
    from ..models.registry import get_spec

    try:
        return tuple(get_spec(args.model).languages)
    except (LimeCoreError, KeyError):  # an unknown name: the run says so when it opens the model
        return ()


def _targets(requested: list[str] | None) -> Any:
    if not requested:
        return None
    return "all" if "all" in requested else tuple(requested)


def _cmd_explain_batch(args: argparse.Namespace) -> int:
    from ..batch.io import InputSpec
    from ..batch.runner import run_batch
    from ..batch.work import BatchOptions

    if args.ray_address and args.backend != "ray":
        raise CliError("--ray-address only applies to --backend ray", EXIT_USAGE)
    ray_options = {"model_from": args.model_from, "wait_seconds": args.ray_wait, "max_attempts": args.max_attempts}
    spec = InputSpec(Path(args.input), args.text_column, args.id_column, args.label_column)
    spec.resolved_format()  # an unknown suffix fails before anything starts
    options = BatchOptions(
        samples=args.samples,
        seed=args.seed,
        targets=_targets(args.target),
        bigrams=args.bigrams,
        sampler=args.sampler,
        surrogate=args.surrogate,
        tokenization=args.tokenization,
        mask_token=args.mask_token,
        removal=args.removal,
        faithfulness=args.faithfulness,
        methods=args.methods,
        multi_label=args.multi_label,
        extra={} if args.level == "auto" else {"level": args.level},  # auto is TextExplainer's default
        languages=_languages(args),
    )
    reporter = None if args.quiet else ProgressReporter()
    try:
        final = run_batch(
            spec,
            args.output,
            model_source(args, absolute_path=True),
            options,
            backend=args.backend,
            workers=args.workers,
            ray_address=args.ray_address,
            resume=args.resume,
            chunk_size=args.chunk_size,
            stop_after_failures=args.stop_after_failures,
            progress=reporter,
            ray_options=ray_options,
        )
    finally:
        if reporter is not None:
            reporter.close()
    new = final.done - final.skipped
    rate = new / final.elapsed * 60 if final.elapsed > 0 else 0.0
    print(
        f"explained {new:,} texts in {final.elapsed:.1f} s ({rate:,.0f} per minute, {final.model_calls:,} model "
        f"calls{f', {final.errors:,} could not be explained' if final.errors else ''}"
        f"{f'; {final.skipped:,} were done before' if final.skipped else ''}); results in {args.output}"
    )
    if options.languages:
        from ..batch.language_summary import language_line, language_summary

        print(language_line(language_summary(args.output)))
    return 0


class ProgressReporter:
    """A tqdm bar on a terminal (texts, model calls, time left); plain lines every few seconds otherwise."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar: Any = None
        self.last_line = 0.0
        self.notes_shown = 0

    def __call__(self, p: BatchProgress) -> None:
        for message in p.notes[self.notes_shown:]:  # workers lost, started or waited for: always said
            if self.bar is not None:
                self.bar.write(message, file=self.stream)
            else:
                print(message, file=self.stream, flush=True)
        self.notes_shown = len(p.notes)
        if self.tty:
            self._bar(p)
        elif p.state != "running" or time.monotonic() - self.last_line >= PLAIN_PROGRESS_SECONDS or p.done == p.total:
            self.last_line = time.monotonic()
            total = f"/{p.total:,}" if p.total is not None else ""
            left = p.seconds_left
            eta = f", about {left:.0f} s left" if left is not None and p.state == "running" else ""
            print(f"{p.state}: {p.done:,}{total} texts, {p.model_calls:,} model calls, {p.elapsed:.0f} s{eta}",
                  file=self.stream, flush=True)

    def _bar(self, p: BatchProgress) -> None:
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=p.total, initial=p.skipped, unit="text", file=self.stream, dynamic_ncols=True,
                            desc="explaining")
        self.bar.update(p.done - self.bar.n)
        self.bar.set_postfix(model_calls=f"{p.model_calls:,}", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _cmd_summarize(args: argparse.Namespace) -> int:
    from ..batch.summary import format_summary, summarize

    directory = Path(args.dir)
    if not directory.is_dir():
        raise CliError(f"{args.dir} is not a folder (give the output folder of explain-batch)")
    summary = summarize(directory, pick=args.pick or 0, trusted_only=not args.all_explanations, top=args.top)
    if args.format == "json":
        write_output(json_for_terminal(json.dumps(summary, indent=2, ensure_ascii=False)) + "\n", args.output)
    else:
        write_output(format_summary(summary, top=args.top), args.output)
    return 0
