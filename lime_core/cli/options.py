"""The options that ``explain`` and ``explain-batch`` share: which model, and how to explain.

One definition of each option, its checks and its help, so the two commands stay in step; the parsed
options become a :class:`~lime_core.model_source.ModelSource` (:func:`model_source`) and an
:class:`~lime_core.explainer_options.ExplainerOptions` (:func:`explainer_options`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..explainer_options import ExplainerOptions
from ..levels import LEVEL_CHOICES
from ..limits import MAX_SAMPLES
from ..model_source import ModelSource
from ..settings import ENV_API_TOKEN as TOKEN_ENV_VAR
from .errors import EXIT_USAGE, CliError

MIN_SAMPLES = 20
SAMPLERS = ("mixture", "positions", "bow")
REMOVAL_NAMES = ("deletion", "mask_token", "unk_token", "attention_mask")  # lime_core.removal.REMOVALS (lazy)
SURROGATES = ("softmax", "ridge")


# -- argument types: each refuses a bad value with a message argparse reports as a usage error -------------------


def samples(value: str) -> int | str:
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


def span(value: str) -> tuple[int, int]:
    """``--within START:END``: two character offsets."""
    try:
        start, end = (int(v) for v in value.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be START:END, two character offsets, not {value!r}") from None
    if not 0 <= start < end:
        raise argparse.ArgumentTypeError(f"START must be 0 or more and less than END, not {value!r}")
    return start, end


def seconds(value: str) -> float:
    """A number of seconds, more than 0 and less than a day."""
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {value!r}") from None
    if not 0 < n < 86_400:
        raise argparse.ArgumentTypeError(f"must be more than 0 and less than a day, not {value}")
    return n


def positive_int(value: str) -> int:
    """A whole number of at least 1."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def methods(value: str) -> tuple[str, ...]:
    """``--methods``: other methods to compare with LIME (``kernelshap,occlusion`` or ``all``)."""
    from ..methods.data import parse_methods  # light: plain data, no scipy

    try:
        return parse_methods(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def seed(value: str) -> int:
    """``--seed``: a whole number of 0 or more."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {n}")
    return n


# -- which model ---------------------------------------------------------------------------------------------------


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """The model options (``--pipeline | --model | --url``, ``--max-requests``, ``--deadline``).

    Check them with :func:`check_model_options`; :func:`model_source` names the model they choose.
    """
    model_group = parser.add_argument_group("model (exactly one)")
    model = model_group.add_mutually_exclusive_group(required=True)
    model.add_argument("--pipeline", metavar="FILE", help="a joblib pickle of an object with predict_proba "
                       "(e.g. a scikit-learn Pipeline); only load files you trust")
    model.add_argument("--model", metavar="NAME", help="a bundled model (see: python -m lime_core models)")
    model.add_argument("--url", metavar="URL", help=f"a remote model speaking the Hugging Face inference format; "
                       f"the token is read from ${TOKEN_ENV_VAR} (for a batch, in each worker's environment)")
    model_group.add_argument("--max-requests", type=positive_int, default=None, metavar="N",
                             help="with --url: most HTTP requests one explanation may send (default: the "
                             "client's budget, 50)")
    model_group.add_argument("--deadline", type=seconds, default=None, metavar="SECONDS",
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


def model_source(args: argparse.Namespace, *, absolute_path: bool = False) -> ModelSource:
    """The model the options name (checked with :func:`check_model_options`); ``absolute_path``: a pipeline by
    its absolute path, so that workers started elsewhere find it (else as typed, as messages name it)."""
    check_model_options(args)
    if args.pipeline is not None:
        return ModelSource("pipeline", str(Path(args.pipeline).resolve()) if absolute_path else args.pipeline)
    if args.model is not None:
        return ModelSource("name", args.model)
    return ModelSource("url", args.url, max_requests=args.max_requests, deadline=args.deadline)


# -- how to explain ------------------------------------------------------------------------------------------------


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
    lime.add_argument("--samples", type=samples, default=samples_default, metavar="N",
                      help=f"perturbed texts to sample (at least {MIN_SAMPLES}, default "
                      f"{'5000' if samples_default is None else samples_default}), or 'auto': "
                      "sample in rounds until the top words have settled (at most 5000)")
    lime.add_argument("--seed", type=seed, default=seed_default, help=seed_help)
    lime.add_argument("--target", action="append", metavar="CLASS",
                      help=f"class to explain (repeatable, or 'all'; default: {target_help})")
    lime.add_argument("--bigrams", action="store_true",
                      help="also use pairs of adjacent words as features (default: the model's choice; the "
                      "sentiment model keeps pairs for a text when they fit it better)")
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
    lime.add_argument("--methods", type=methods, default=(), metavar="LIST",
                      help="also compare LIME with other methods on the same samples: kernelshap, occlusion "
                      "(comma-separated, or 'all'): their word values, top-5 agreement and faithfulness; "
                      "occlusion one model call per word, KernelSHAP at most a few dozen (docs/methods.md)")
    return lime


def explainer_options(args: argparse.Namespace, **more: Any) -> ExplainerOptions:
    """The explanation options as parsed (``more``: fields the command sets itself, e.g. ``within``)."""
    return ExplainerOptions(
        samples=args.samples,
        seed=args.seed,
        tokenization=args.tokenization,
        level=args.level,
        sampler=args.sampler,
        surrogate=args.surrogate,
        bigrams=True if args.bigrams else None,  # without --bigrams: the model's default
        mask_token=args.mask_token,
        removal=args.removal,
        faithfulness=args.faithfulness,
        methods=args.methods,
        multi_label=args.multi_label,
        **more,
    )
