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
# The longest text one explanation takes, in the library (TextExplainer's max_chars) and the CLI.
MAX_TEXT_CHARS = 100_000


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
