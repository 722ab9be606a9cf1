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

from .errors import WorkLimitError

MAX_SAMPLES = 100_000
MAX_SAMPLE_CHARS = 400_000_000


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
