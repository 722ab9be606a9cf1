"""Sentences that only the dashboard shows: the help of its metrics and the note in its sidebar.

What the reports (text, HTML, JSON) show too is in :mod:`lime_core.wording`,
so a downloaded report and the dashboard say the same thing.
"""

from __future__ import annotations

from lime_core.defaults import CONFIDENCE
from lime_core.verdict import MIN_HELDOUT

LIME_IS_LOCAL = "LIME explanations are local: they describe the model near one text, not the model in general."
"""The sidebar's reminder, on every page (each explanation also carries :data:`lime_core.wording.LOCAL_CAVEAT`)."""

METRIC_HELP: dict[str, str] = {
    "score": (
        "Agreement: on variations of the text kept aside for checking, how often the simple explaining model picks "
        "the same class as the real model (closer variations count more); 100% is perfect."
    ),
    "close_agreement": (
        "Agreement: on variations of the text kept aside for checking, how often the simple explaining model picks "
        "the real model's class, or one the real model rates within 0.05 of it (closer variations count more); "
        "100% is perfect. Where the real model itself hesitates between two classes, either pick counts."
    ),
    "mean_KL_divergence": (
        "Mean KL divergence: how far the simple model's probabilities are from the real model's on those "
        "variations; 0 is perfect, above 0.3 the simple model misses a lot."
    ),
    "gap": (
        "Probability gap: how far the simple model's probability for the explained class is from the real "
        "model's on the original text; 0 is perfect."
    ),
    "n_heldout": (
        "Held-out samples: how many variations were kept aside for this check; with fewer than "
        f"{MIN_HELDOUT} the check itself is unreliable."
    ),
}

TRUST_HELP: dict[str, str] = {
    "interval": (
        "Interval: the range in which the word's weight would most likely fall if the explanation were run again "
        f"with other random variations ({CONFIDENCE:.0%} by default). If it contains 0, even the direction of the "
        "word's effect is uncertain."
    ),
    "stability": (
        "Stability: the explaining model is refitted several times on resampled variations (no extra model calls); "
        "the share of top words the refits agree on (mean Jaccard similarity, 100% = always the same words)."
    ),
    "expected_jaccard": (
        "Expected agreement with unlimited samples: from the weights' intervals, the share of these top words that "
        "a run with endlessly many variations would also put at the top (mean Jaccard similarity). Below 90% the "
        "last top words are near ties with the next ones."
    ),
    "comprehensiveness": (
        "Comprehensiveness: how much the real model's probability drops when the explanation's top words are "
        "removed from the text; higher means the words really drive the prediction."
    ),
    "sufficiency": (
        "Sufficiency: how much the probability drops when only the top words are kept; lower means they suffice "
        "on their own (negative: the model is even surer with them alone)."
    ),
    "auc": (
        "Deletion curve: the model's probability as the top-ranked words are removed one after another; the area "
        "under it (0-1) is lower when the ranking finds the important words first. Compared with a random order "
        "and with leaving out one word at a time (occlusion)."
    ),
    "sampling": (
        "Sampling: how many variations were drawn and sent to the model; in automatic mode they are drawn in "
        "rounds until the top words settle."
    ),
}
