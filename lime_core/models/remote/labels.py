"""Class labels of a remote model: their order, and answers aligned to it by name.

Servers list labels by score, which differs per text, so the class order is
the labels' natural name order ("LABEL_2" before "LABEL_10"), the same on every
run; every answer is put into that order by label name, never by position.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...errors import RemoteModelError

_MAX_LABELS_SHOWN = 8


def label_sort_key(label: str) -> tuple[list[Any], str]:
    """Natural order ("LABEL_2" before "LABEL_10"), so discovered classes read as people expect."""
    # ASCII digits only: str.isdigit() accepts characters such as "²" that int() refuses.
    # re.split with a capture group alternates text/number, so parts always compare like with like.
    pieces = re.split(r"([0-9]+)", label)
    parts: list[Any] = [int(p) if i % 2 else p.lower() for i, p in enumerate(pieces)]
    return parts, label


def learn_labels(rows: Sequence[Mapping[str, float]]) -> list[str]:
    """The class order taken from the first decoded answer; raises when it cannot be a classifier's."""
    if not rows:
        raise RemoteModelError("the server returned no results")
    learned = sorted(rows[0], key=label_sort_key)
    if len(learned) < 2:
        raise RemoteModelError(
            f"the server returned {len(learned)} label(s) per text; at least 2 class scores are needed "
            "(for HF endpoints set top_k to the number of labels)"
        )
    return learned


def align_scores(rows: Sequence[Mapping[str, float]], class_names: Sequence[str]) -> np.ndarray:
    """Put decoded rows into an (n, k) matrix whose columns follow ``class_names``.

    Alignment is by label *name*, because servers order labels by score; a row
    whose label set differs from ``class_names`` is an error, not a guess.
    """
    expected = set(class_names)
    column = {name: j for j, name in enumerate(class_names)}
    out = np.empty((len(rows), len(class_names)), dtype=np.float64)
    for i, row in enumerate(rows):
        if set(row) != expected:
            missing = sorted(expected - set(row), key=label_sort_key)
            unexpected = sorted(set(row) - expected, key=label_sort_key)
            raise RemoteModelError(
                "the server's label set changed: "
                + "; ".join(
                    part
                    for part in (
                        f"missing {show_labels(missing)}" if missing else "",
                        f"unexpected {show_labels(unexpected)}" if unexpected else "",
                    )
                    if part
                )
                + f" (expected {len(class_names)} labels: {show_labels(class_names)})"
            )
        for label, score in row.items():
            out[i, column[label]] = score
    return out


def show_labels(labels: Sequence[str]) -> str:
    """At most a few labels, quoted, for a message."""
    shown = ", ".join(repr(label) for label in list(labels)[:_MAX_LABELS_SHOWN])
    return shown + (f", ... ({len(labels)} in all)" if len(labels) > _MAX_LABELS_SHOWN else "")
