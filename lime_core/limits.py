"""Upper bounds on the work one explanation may ask for, so that a typo cannot take the machine down.

Measured on this project's machine (2 cores, 24 GB; peak resident memory of a
fresh process, a cheap black box, default trust checks; ``benchmarks/limits.py``
prints the figures): the 64-word kidney-stones post takes 0.46 GB (3 s) at
100,000 samples and took 2.4 GB (5 minutes) at 1,000,000; a 20,000-character
text takes 1.7 GB at 20,000 samples, a 100,000-character one 1.7 GB at 4,000.
Memory grows with the number of samples times the length of the text,
because every sample is a copy of the text with words removed. Hence two bounds:

* :data:`MAX_SAMPLES` samples, whatever the text;
* :data:`MAX_SAMPLE_CHARS` for samples x characters of the text, which lets a
  20,000-character text (the dashboard's longest) have 20,000 samples and the
  library's longest, 100,000 characters, 4,000.

At either bound one explanation stays under 2 GB, so a few at once fit in 24 GB.
"""

from __future__ import annotations

from typing import BinaryIO

from .errors import InputTextError, WorkLimitError

MAX_SAMPLES = 100_000
MAX_SAMPLE_CHARS = 400_000_000
# The longest text one explanation takes, in the library (TextExplainer's max_chars), the CLI and the dashboard
# too. Longer texts are explained at the sentence or paragraph level (lime_core.levels), so its cost is in
# sentences, not characters; what bounds it is MAX_SAMPLE_CHARS (at most 2,000 samples of a 200,000-character text).
MAX_TEXT_CHARS = 200_000
# What the surrogate's fits cost grows with the number of distinct features (words, or sentences at the sentence
# level) and with the samples: each of the fit and its stability refits runs L-BFGS over samples x features, and
# the iterations grow with the features (benchmarks/limits.py: 1,000 features x 1,000 samples of a cheap model took
# about 50 s, 2,000 x 1,000 130 s; a 20,000-character Chinese text, about 3,000 distinct characters, was
# still running at 300 s). Hence, checked before any model call:
# * at most MAX_FEATURES distinct features;
# * features x samples at most MAX_FEATURE_SAMPLES (auto's cap shrinks to fit; a fixed count over it is refused).
MAX_FEATURES = 1_000
MAX_FEATURE_SAMPLES = 2_000_000


def check_samples(n_samples: int, name: str = "n_samples") -> None:
    """Refuse a sample count over :data:`MAX_SAMPLES`, saying what the limit is and why."""
    if n_samples > MAX_SAMPLES:
        raise WorkLimitError(
            f"{name} is {n_samples:,}, over the limit of {MAX_SAMPLES:,} samples (lime_core.limits.MAX_SAMPLES): "
            "more would need several GB of memory and rarely changes an explanation; use fewer, or 'auto'"
        )


def check_sample_chars(n_samples: int, n_chars: int) -> None:
    """Refuse samples x text length over :data:`MAX_SAMPLE_CHARS`, naming the largest sample count allowed."""
    if n_samples * n_chars > MAX_SAMPLE_CHARS:
        allowed = max(0, MAX_SAMPLE_CHARS // max(n_chars, 1))
        raise WorkLimitError(
            f"{n_samples:,} samples of a {n_chars:,}-character text would copy the text {n_samples:,} times "
            f"(over the limit of {MAX_SAMPLE_CHARS:,} characters, lime_core.limits.MAX_SAMPLE_CHARS); "
            f"use at most {allowed:,} samples for this text, or a shorter text"
        )


# UTF-8 spends at most 4 bytes on a character: a text of max_chars characters is never longer than this.
UTF8_MAX_BYTES_PER_CHAR = 4


def read_text_within(stream: BinaryIO, max_chars: int | None, name: str) -> str:
    """Read UTF-8 text from ``stream`` without ever holding more than the longest text allowed (plus one byte).

    ``explain --file /dev/zero`` or an endless pipe would otherwise be read whole before its length is checked.
    Raises :class:`InputTextError` for a text over ``max_chars`` characters (or its bytes' bound) or one that
    is not UTF-8; ``name`` says where it came from.
    """
    if max_chars is None:
        data = stream.read()
    else:
        limit = UTF8_MAX_BYTES_PER_CHAR * max_chars
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise InputTextError(
                f"{name} holds more than {limit:,} bytes, so more than the limit of {max_chars:,} characters; "
                "it was not read further: give a shorter text"
            )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputTextError(f"{name} is not UTF-8 text") from None
    if max_chars is not None and len(text) > max_chars:
        raise InputTextError(
            f"{name} holds {len(text):,} characters, over the limit of {max_chars:,}; give a shorter text"
        )
    return text


def samples_for_features(n_features: int) -> int:
    """The most samples :data:`MAX_FEATURE_SAMPLES` allows for ``n_features`` features."""
    return MAX_FEATURE_SAMPLES // max(n_features, 1)


def check_features(
    n_features: int, n_samples: int, level: str = "words", adaptive: bool = False, coarser_possible: bool = True
) -> None:
    """Refuse more than :data:`MAX_FEATURES` features, or (a fixed count) features x samples over
    :data:`MAX_FEATURE_SAMPLES`, saying what to do instead: a coarser level, or fewer samples.

    ``coarser_possible=False``: the text is one sentence, so the advice is a shorter part of it instead."""
    unit = {"words": "distinct words", "chars": "distinct characters"}.get(level, level)
    if not coarser_possible:
        coarser = "explain a shorter part of it (it is one sentence, so the sentence level cannot help)"
    elif level in ("words", "chars"):
        coarser = (
            "explain it at the sentence level (level='sentences', --level sentences, or the dashboard's Level "
            "control; 'auto' chooses it for long texts)"
        )
    else:
        coarser = "explain it at the paragraph level (level='paragraphs'), or a part of the text"
    if n_features > MAX_FEATURES:
        raise WorkLimitError(
            f"the text has {n_features:,} {unit} to weigh, over the limit of {MAX_FEATURES:,} "
            f"(lime_core.limits.MAX_FEATURES): the fit would take minutes and GBs; {coarser}"
        )
    if not adaptive and n_features * n_samples > MAX_FEATURE_SAMPLES:
        allowed = samples_for_features(n_features)
        raise WorkLimitError(
            f"{n_samples:,} samples of {n_features:,} {unit} is over the limit of {MAX_FEATURE_SAMPLES:,} "
            f"features x samples (lime_core.limits.MAX_FEATURE_SAMPLES); use at most {allowed:,} samples or 'auto' "
            f"(which stays within it), or {coarser}"
        )
