"""Command line: ``python -m lime_core explain`` and ``python -m lime_core models``.

Every failure ends with one line ``error: ...`` on stderr and no traceback:
exit status 2 when the command line itself is wrong (missing or conflicting
options, invalid numbers or choices), 1 when something fails while running
(unreadable file, unusable model, empty text, unknown class, a model or
network error). ``--debug`` shows the traceback instead, for bug reports.
See docs/cli.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .errors import InputTextError, LimeCoreError
from .levels import LEVEL_CHOICES
from .limits import MAX_SAMPLES, MAX_TEXT_CHARS, read_text_within
from .settings import ENV_API_TOKEN as TOKEN_ENV_VAR
from .terminal import html_for_terminal, json_for_terminal, printable

EXIT_RUNTIME = 1
EXIT_USAGE = 2
MIN_SAMPLES = 20
SAMPLERS = ("mixture", "positions", "bow")
REMOVAL_NAMES = ("deletion", "mask_token", "unk_token", "attention_mask")  # lime_core.removal.REMOVALS (lazy)
SURROGATES = ("softmax", "ridge")
FORMATS = ("text", "json", "html")


class CliError(Exception):
    """A failure to report as one ``error:`` line with the given exit status."""

    def __init__(self, message: str, status: int = EXIT_RUNTIME) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as a single ``error:`` line (exit 2) instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see {self.prog} --help)", EXIT_USAGE)


def _samples(value: str) -> int | str:
    """``--samples``: a whole number of at least 20, or ``auto`` (adaptive sampling)."""
    if value.strip().lower() == "auto":
        return "auto"
    try:
        n = int(value)
    except ValueError:
        message = f"must be a whole number of at least {MIN_SAMPLES} or 'auto', not {value!r}"
        raise argparse.ArgumentTypeError(message) from None
    if n < MIN_SAMPLES:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_SAMPLES}, not {n}")
    if n > MAX_SAMPLES:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_SAMPLES} (lime_core.limits.MAX_SAMPLES), not {n}")
    return n


def _span(value: str) -> tuple[int, int]:
    """``--within START:END``: two character offsets."""
    try:
        start, end = (int(v) for v in value.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be START:END, two character offsets, not {value!r}") from None
    if not 0 <= start < end:
        raise argparse.ArgumentTypeError(f"START must be 0 or more and less than END, not {value!r}")
    return start, end


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {value!r}") from None
    if not 0 < seconds < 86_400:
        raise argparse.ArgumentTypeError(f"must be more than 0 and less than a day, not {value}")
    return seconds


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _methods(value: str) -> tuple[str, ...]:
    """``--methods``: other methods to compare with LIME (``kernelshap,occlusion`` or ``all``)."""
    from .methods.data import parse_methods  # light: plain data, no scipy

    try:
        return parse_methods(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seed(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {n}")
    return n


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """The model options (``--pipeline | --model | --url``, ``--max-requests``, ``--deadline``).

    One definition for ``explain`` and ``explain-batch``, so the two stay in step; check them with
    :func:`check_model_options`.
    """
    model_group = parser.add_argument_group("model (exactly one)")
    model = model_group.add_mutually_exclusive_group(required=True)
    model.add_argument("--pipeline", metavar="FILE", help="a joblib pickle of an object with predict_proba "
                       "(e.g. a scikit-learn Pipeline); only load files you trust")
    model.add_argument("--model", metavar="NAME", help="a bundled model (see: python -m lime_core models)")
    model.add_argument("--url", metavar="URL", help=f"a remote model speaking the Hugging Face inference format; "
                       f"the token is read from ${TOKEN_ENV_VAR} (for a batch, in each worker's environment)")
    model_group.add_argument("--max-requests", type=_positive_int, default=None, metavar="N",
                             help="with --url: most HTTP requests one explanation may send (default: the "
                             "client's budget, 50)")
    model_group.add_argument("--deadline", type=_seconds, default=None, metavar="SECONDS",
                             help="with --url: the most one HTTP request may take, connecting, sending, the "
                             "whole answer and any retries with their waits together (default 60)")


def add_multi_label_option(parser: argparse.ArgumentParser) -> None:
    """``--multi-label``: the model gives one independent probability per label (rows need not sum to 1)."""
    parser.add_argument(
        "--multi-label",
        action="store_true",
        default=None,
        help="the model gives each label its own probability (rows need not sum to 1, e.g. a Hugging Face "
        "multi-label checkpoint): each label is explained as its own yes/no question from the same samples "
        "(default: the predicted label; --target names others, or 'all'); a bundled multi-label model needs no flag",
    )


def check_model_options(args: argparse.Namespace) -> None:
    """Refuse the remote-only options without ``--url`` (a usage error)."""
    for option in ("max_requests", "deadline"):
        if getattr(args, option) is not None and args.url is None:
            flag = "--" + option.replace("_", "-")
            raise CliError(f"{flag} only applies to a remote model (--url)", EXIT_USAGE)


def add_explanation_options(
    parser: argparse.ArgumentParser,
    *,
    samples_default: int | str | None = None,
    seed_default: int | None = None,
    seed_help: str = "random seed, for a reproducible explanation",
    target_help: str = "the predicted class",
) -> Any:
    """The LIME options shared by ``explain`` and ``explain-batch``; returns their argument group."""
    lime = parser.add_argument_group("explanation")
    lime.add_argument("--samples", type=_samples, default=samples_default, metavar="N",
                      help=f"perturbed texts to sample (at least {MIN_SAMPLES}, default "
                      f"{'5000' if samples_default is None else samples_default}), or 'auto': "
                      "sample in rounds until the top words have settled (at most 5000)")
    lime.add_argument("--seed", type=_seed, default=seed_default, help=seed_help)
    lime.add_argument("--target", action="append", metavar="CLASS",
                      help=f"class to explain (repeatable, or 'all'; default: {target_help})")
    lime.add_argument("--bigrams", action="store_true", help="also use pairs of adjacent words as features")
    lime.add_argument("--sampler", choices=SAMPLERS, default=None, help="how words are removed (default: mixture)")
    lime.add_argument("--surrogate", choices=SURROGATES, default=None, help="the local model (default: softmax)")
    lime.add_argument("--tokenization", choices=("words", "chars"), default="words",
                      help="unit of explanation at the word level (default: words)")
    lime.add_argument("--level", choices=LEVEL_CHOICES, default="auto",
                      help="features: words, sentences or paragraphs; 'auto' (default) keeps words unless the text "
                      "has too many distinct words (long documents), then sentences, then paragraphs")
    lime.add_argument("--mask-token", metavar="STR", default=None,
                      help="replace removed words with this instead of deleting them")
    lime.add_argument("--removal", choices=REMOVAL_NAMES, default=None,
                      help="what a removed word becomes (default: the model's own default, docs/removal.md)")
    lime.add_argument("--faithfulness", action="store_true",
                      help="also remove the top words from the text and ask the model what changes, against "
                      "random and leave-one-out rankings (a few dozen more model calls per text); part of the verdict")
    lime.add_argument("--methods", type=_methods, default=(), metavar="LIST",
                      help="also compare LIME with other methods on the same samples: kernelshap, occlusion "
                      "(comma-separated, or 'all'): their word values, top-5 agreement and faithfulness; "
                      "occlusion one model call per word, KernelSHAP at most a few dozen (docs/methods.md)")
    return lime


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for docs and tests)."""
    parser = _Parser(
        prog="python -m lime_core",
        description="Explain a text classifier's prediction with LIME.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ex = commands.add_parser("explain", help="explain one prediction", description="Explain one prediction.")
    ex.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    text = ex.add_argument_group("text (exactly one)").add_mutually_exclusive_group(required=True)
    text.add_argument("--text", metavar="TEXT", help="the text to explain ('-' reads stdin)")
    text.add_argument("--file", metavar="PATH", help="read the text from a UTF-8 file ('-' reads stdin)")
    add_model_options(ex)
    add_multi_label_option(ex)
    add_explanation_options(ex)
    # One text's span: not an explanation option that explain-batch shares, so it has a group of its own.
    ex.add_argument_group("drill-down").add_argument("--within", metavar="START:END", type=_span, default=None,
                      help="drill down: explain only the words between these character offsets (e.g. one sentence "
                      "of a sentence-level explanation: its spans are in the JSON), holding the rest of the text "
                      "as it is")
    out = ex.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    out.add_argument("--top", type=_positive_int, default=20, metavar="K",
                     help="features listed per class in text and html output (default 20)")
    out.add_argument("--output", "-o", metavar="PATH", default=None, help="write here instead of stdout")
    out.add_argument("--progress", action="store_true", help="report progress on stderr")
    ex.set_defaults(handler=_cmd_explain)

    models = commands.add_parser("models", help="list the bundled models and whether each can be loaded",
                                 description="List the bundled models and whether each can be loaded.")
    models.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    models.set_defaults(handler=_cmd_models)

    from .batch.cli import add_batch_commands  # explain-batch and summarize (docs/batch.md)

    add_batch_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of raising (except for --help)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    _log_warnings_as_lines()
    try:
        args = build_parser().parse_args(args_list)
        return int(args.handler(args) or 0)
    except CliError as exc:
        if debug and exc.status != EXIT_USAGE:
            raise
        return _fail(str(exc), exc.status)
    except (LimeCoreError, ValueError) as exc:  # lime_core's messages are written for users
        if debug:
            raise
        return _fail(str(exc), EXIT_RUNTIME)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:  # e.g. piped into `head`: not an error worth a message
        _silence_stdout()
        return EXIT_RUNTIME
    except Exception as exc:  # a bug or a model failing in its own way: still one line unless --debug
        if debug:
            raise
        return _fail(f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", EXIT_RUNTIME)


def _log_warnings_as_lines() -> None:
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

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class _LineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        prefix = "warning" if record.levelno < logging.ERROR else "error"
        return f"{prefix}: {_one_line(record.getMessage())}"


def _fail(message: str, status: int) -> int:
    print(f"error: {_one_line(message)}", file=sys.stderr)
    return status


def _one_line(message: str) -> str:
    return printable(" ".join(message.split())) or "failed"


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# -- explain ---------------------------------------------------------------------------------------------------------


def _cmd_explain(args: argparse.Namespace) -> int:
    check_model_options(args)
    # Read (and bound) the text before the heavy imports: an endless file is refused in a fraction of a second.
    text = _read_text(args, MAX_TEXT_CHARS)
    from .explainer import TextExplainer
    from .levels import check_within
    from .nothing_to_explain import check_answers_move
    from .sampling import get_sampler
    from .surrogates import get_surrogate
    from .tokenization import TokenizedText, get_tokenizer

    params: dict[str, Any] = {
        "tokenizer": args.tokenization,
        "bigrams": args.bigrams,
        "mask_token": args.mask_token,
        "removal": args.removal,
        "random_state": args.seed,
        "faithfulness": args.faithfulness,
        "methods": args.methods,
        "multi_label": args.multi_label,  # None: the model's own setting (a registry model may be multi-label)
        "level": args.level,
        "within": args.within,
    }
    if args.samples is not None:
        params["n_samples"] = args.samples
    if args.sampler is not None:
        params["sampler"] = get_sampler(args.sampler)
    if args.surrogate is not None:
        params["surrogate"] = get_surrogate(args.surrogate)
    explainer = TextExplainer(**params)
    # Check the text before loading a model: loading can be slow, and a remote model costs money.
    TokenizedText.from_text(text, get_tokenizer(args.tokenization), explainer.max_chars)
    if args.within is not None:
        check_within(args.within, text)
    model = _load_model(args)
    targets = _resolve_targets(args.target, model)
    progress = _progress_printer() if args.progress else None
    try:
        explainer.fit(text, model, progress=progress)
    finally:
        if progress is not None:
            print(file=sys.stderr)
    check_answers_move(explainer.fit_result_.neighbourhood.proba)  # no word moves the model: an error, not noise
    several = targets == "all" or (targets is not None and len(targets) > 1)
    if explainer.fit_result_.labels and several:  # each label its own explanation, from the same samples
        if args.format == "html":
            raise CliError("--format html shows one label of a multi-label model; name it with one --target")
        _write(_render_several(explainer.explanations(targets), args.format, args.top), args.output)
        return 0
    _write(_render(explainer.explanation(targets), args.format, args.top), args.output)
    return 0


def _read_text(args: argparse.Namespace, max_chars: int | None) -> str:
    """The text to explain, read no further than ``max_chars`` allows (a file or stdin may be endless)."""
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


def _load_model(args: argparse.Namespace) -> Any:
    if args.pipeline is not None:
        return _load_pipeline(args.pipeline)
    if args.model is not None:
        return _import_registry().load_model(args.model)
    multi_label = bool(getattr(args, "multi_label", None))
    return open_remote_model(args.url, max_requests=args.max_requests, deadline=args.deadline, multi_label=multi_label)


def open_remote_model(
    url: str, *, max_requests: int | None = None, deadline: float | None = None, multi_label: bool = False
) -> Any:
    """The remote client for ``--url`` with ``--max-requests``, ``--deadline`` (client defaults when None) and
    ``--multi-label``."""
    from .models.remote import RemoteClassifier

    options: dict[str, Any] = {"multi_label": multi_label}
    if max_requests is not None:
        options["max_requests"] = max_requests
    if deadline is not None:
        options["deadline"] = deadline
    # No token argument: the client reads $LIME_API_TOKEN at each request and keeps no copy of it.
    return RemoteClassifier(url, **options)


def _load_pipeline(path: str) -> Any:
    """Unpickle with joblib and wrap; a pickle runs code when loaded, hence 'only files you trust' in --help."""
    import joblib

    from .classifier import ClassifierAdapter

    file = Path(path)
    if not file.is_file():
        reason = "no such file" if not file.exists() else "not a file"
        raise CliError(f"cannot read {path}: {reason}")
    try:
        obj = joblib.load(file)
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # unpickling fails in many ways (bad opcode, EOF, missing module...)
        raise CliError(f"{path} is not a loadable joblib pickle ({type(exc).__name__}: {exc})") from None
    if not callable(getattr(obj, "predict_proba", None)):
        raise CliError(f"the {type(obj).__name__} in {path} has no predict_proba method, so it cannot be explained")
    return ClassifierAdapter(obj, class_names=_class_names(obj), name=file.name)


def _class_names(obj: Any) -> list[str] | None:
    for attr in ("class_names", "classes_"):
        try:
            names = getattr(obj, attr, None)
        except Exception:  # e.g. a Pipeline whose last step is not fitted
            names = None
        if names is not None and len(names) > 0:
            return [str(c) for c in names]
    return None


def _resolve_targets(requested: list[str] | None, model: Any) -> str | list[str] | None:
    """Check ``--target`` against the model's classes before any sampling is paid for."""
    if not requested:
        return None
    if "all" in requested:
        return "all"
    from .classifier import validate_class_names

    known = validate_class_names(model)  # duplicates would make a target ambiguous: refused before any sampling
    if not known:  # classes only known after the first prediction: the explainer checks later
        return requested
    unknown = [t for t in requested if t not in known]
    if unknown:
        shown = ", ".join(known[:20]) + (f", ... ({len(known)} in all)" if len(known) > 20 else "")
        raise CliError(f"unknown class {unknown[0]!r}; the model's classes are: {shown}")
    return requested


def _progress_printer() -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        print(f"\rasking the model about {done}/{total} perturbed texts", end="", file=sys.stderr, flush=True)

    return report


def _render(explanation: Any, fmt: str, top: int) -> str:
    if fmt == "json":
        return json_for_terminal(explanation.to_json(indent=2)) + "\n"
    if fmt == "html":
        from .formatters.html import format_html

        return html_for_terminal(format_html(explanation, top=top, standalone=True))
    from .formatters.text import format_text

    return format_text(explanation, top=top)


def _render_several(explanations: list[Any], fmt: str, top: int) -> str:
    """Several labels of a multi-label model: a JSON array of explanations, or the text reports one after another."""
    if fmt == "json":
        import json

        return json.dumps([e.to_dict() for e in explanations], indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return "\n".join(_render(e, fmt, top) for e in explanations)


def _write(output: str, path: str | None) -> None:
    if path is None or path == "-":
        sys.stdout.write(output)
        sys.stdout.flush()
        return
    try:
        Path(path).write_text(output, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None


# -- models ----------------------------------------------------------------------------------------------------------


def _import_registry() -> Any:
    """The bundled-model registry, imported late because it pulls in the model stack."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("lime_core.models.registry") is None:
        raise CliError("bundled models are not available in this installation (no lime_core.models.registry)")
    try:
        return importlib.import_module("lime_core.models.registry")
    except ImportError as exc:
        raise CliError(f"bundled models cannot be loaded: {exc}") from None


def _cmd_models(args: argparse.Namespace) -> int:
    registry = _import_registry()
    rows = []
    for spec in registry.available_models():
        name = spec if isinstance(spec, str) else str(getattr(spec, "name", spec))
        title = "" if isinstance(spec, str) else str(getattr(spec, "title", "") or "")
        try:
            state, note = _describe_status(registry.model_status(name))
        except LimeCoreError as exc:
            state, note = "not available", str(exc)
        rows.append((name, state, _one_line(" - ".join(p for p in (title, note) if p and p != name))))
    if not rows:
        print("no bundled models")
        return 0
    name_w = max(len("NAME"), *(len(r[0]) for r in rows))
    state_w = max(len("STATUS"), *(len(r[1]) for r in rows))
    print(f"{'NAME'.ljust(name_w)}  {'STATUS'.ljust(state_w)}  DETAILS".rstrip())
    for name, state, note in rows:
        print(f"{name.ljust(name_w)}  {state.ljust(state_w)}  {note}".rstrip())
    return 0


def _describe_status(status: Any) -> tuple[str, str]:
    """(``available`` | ``not available``, why) from the registry's ``(ok, reason)`` or an object saying so."""
    if isinstance(status, bool):
        ok, note = status, ""
    elif isinstance(status, tuple) and len(status) == 2:
        ok, note = status
    else:
        ok = getattr(status, "available", None)
        note = getattr(status, "reason", "") or ""
        if ok is None:
            return _one_line(str(status)), ""
    return ("available" if ok else "not available"), str(note or "")
