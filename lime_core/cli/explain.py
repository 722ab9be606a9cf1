"""``python -m lime_core explain``: explain one prediction, as text, JSON or HTML (docs/cli.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..limits import MAX_TEXT_CHARS
from ..terminal import html_for_terminal, json_for_terminal
from .errors import CliError
from .io import read_text, write_output
from .options import (
    add_explanation_options,
    add_model_options,
    add_multi_label_option,
    explainer_options,
    model_source,
    positive_int,
    span,
)

FORMATS = ("text", "json", "html")


def add_explain_command(commands: Any) -> None:
    """Add ``explain`` to the main parser's subcommands."""
    ex = commands.add_parser("explain", help="explain one prediction", description="Explain one prediction.")
    ex.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    text = ex.add_argument_group("text (exactly one)").add_mutually_exclusive_group(required=True)
    text.add_argument("--text", metavar="TEXT", help="the text to explain ('-' reads stdin)")
    text.add_argument("--file", metavar="PATH", help="read the text from a UTF-8 file ('-' reads stdin)")
    add_model_options(ex)
    add_multi_label_option(ex)
    add_explanation_options(ex)
    # One text's span: not an explanation option that explain-batch shares, so it has a group of its own.
    ex.add_argument_group("drill-down").add_argument("--within", metavar="START:END", type=span, default=None,
                      help="drill down: explain only the words between these character offsets (e.g. one sentence "
                      "of a sentence-level explanation: its spans are in the JSON), holding the rest of the text "
                      "as it is")
    out = ex.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    out.add_argument("--top", type=positive_int, default=20, metavar="K",
                     help="features listed per class in text and html output (default 20)")
    out.add_argument("--output", "-o", metavar="PATH", default=None, help="write here instead of stdout")
    out.add_argument("--progress", action="store_true", help="report progress on stderr")
    ex.set_defaults(handler=run_explain)


def run_explain(args: argparse.Namespace) -> int:
    source = model_source(args)
    # Read (and bound) the text before the heavy imports: an endless file is refused in a fraction of a second.
    text = read_text(args, MAX_TEXT_CHARS)
    from ..levels import check_within
    from ..nothing_to_explain import check_answers_move
    from ..tokenization import TokenizedText, get_tokenizer

    explainer = explainer_options(args, within=args.within).build()
    # Check the text before loading a model: loading can be slow, and a remote model costs money.
    TokenizedText.from_text(text, get_tokenizer(args.tokenization), explainer.max_chars)
    if args.within is not None:
        check_within(args.within, text)
    model = source.open(multi_label=bool(args.multi_label))
    targets = resolve_targets(args.target, model)
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
        write_output(_render_several(explainer.explanations(targets), args.format, args.top), args.output)
        return 0
    write_output(_render(explainer.explanation(targets), args.format, args.top), args.output)
    return 0


def resolve_targets(requested: list[str] | None, model: Any) -> str | list[str] | None:
    """Check ``--target`` against the model's classes before any sampling is paid for."""
    if not requested:
        return None
    if "all" in requested:
        return "all"
    from ..classifier import validate_class_names

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
        from ..formatters.html import format_html

        return html_for_terminal(format_html(explanation, top=top, standalone=True))
    from ..formatters.text import format_text

    return format_text(explanation, top=top)


def _render_several(explanations: list[Any], fmt: str, top: int) -> str:
    """Several labels of a multi-label model: a JSON array of explanations, or the text reports one after another."""
    if fmt == "json":
        import json

        return json.dumps([e.to_dict() for e in explanations], indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return "\n".join(_render(e, fmt, top) for e in explanations)
