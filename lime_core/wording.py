"""The sentences and labels that the reports (text, HTML, JSON) and the dashboard both show: each is written here once.

The rules that produce a sentence from numbers (the verdict's reasons, the
sampling line) stay with their rules, in :mod:`lime_core.verdict` and
:mod:`lime_core.formatters.trust`; what is fixed text lives here, so that the
dashboard, a downloaded report and the CLI say the same thing in the same words.
Sentences that only the dashboard shows are in the dashboard's own package
(``dashboard/wording.py``), which lime_core never imports.
"""

from __future__ import annotations

from typing import Literal

from .explanation import (
    STOP_CAP,
    STOP_COSTLY,
    STOP_EARLY,
    STOP_EVERY_VARIATION,
    STOP_FIXED,
    STOP_INTERIM,
    STOP_PRECISE,
    STOP_SEPARATED,
    STOP_SHARED,
    STOP_UNCHANGED,
)

Level = Literal["trust", "check", "distrust"]  # a verdict's level (lime_core.verdict)

# -- the caveat every explanation carries ----------------------------------------------------------------------------

LOCAL_CAVEAT_LEAD = "This explanation is local"
LOCAL_CAVEAT_BODY = (
    "it describes how the model behaves near this text (on variations of it with words removed), not how the model "
    "works in general. The same word can weigh differently in another text."
)
LOCAL_CAVEAT = f"{LOCAL_CAVEAT_LEAD}: {LOCAL_CAVEAT_BODY}"

DATASET_CAVEAT = (
    "A summary of local explanations: which words carried weight in the explanations of single texts. "
    "It is not the model's global logic; the model may weigh a word differently in other texts."
)

# -- the verdict -----------------------------------------------------------------------------------------------------

TITLES: dict[Level, str] = {"trust": "Trustworthy", "check": "Check it", "distrust": "Do not trust"}

CHECK_TITLES: dict[str, str] = {
    "fidelity": "Fidelity",
    "stability": "Stability",
    "signs": "Signs",
    "faithfulness": "Faithfulness",
    "sampling": "Sampling",
    "language": "Language",
    "nothing_to_explain": "Nothing to explain",
}
"""The short label of each trust check (:class:`lime_core.verdict.TrustCheck`), in the order reports list them."""

VERDICT_SCOPE = (
    "The verdict is about the explanation: whether it describes faithfully how this model behaves near this text. "
    "It does not say whether the model's prediction is right."
)

# -- what each trust figure means, for people who do not read statistics ---------------------------------------------

MEANING: dict[str, str] = {
    "fidelity": (
        "How closely the simple explaining model copies the real model on variations of this text that were "
        "kept aside for checking."
    ),
    "stability": (
        "Whether the same top words come out when the explanation is refitted on resampled variations "
        "(no extra model calls); 100% means the same top words every time."
    ),
    "signs": (
        "Every weight comes with a range where it would most likely fall in a re-run; when the range includes "
        "zero, even whether the word pushes for or against is uncertain."
    ),
    "faithfulness": (
        "Whether the real model's probability drops when the explanation's top words are removed, compared "
        "with removing random words and with removing the words that matter most one at a time (occlusion)."
    ),
    "sampling": "How many variations of the text were sent to the model, and why sampling stopped.",
}

FAITHFULNESS_MEASURES: dict[str, str] = {
    "comprehensiveness": "drop in probability when the top words are removed; higher is better",
    "sufficiency": "drop in probability when only the top words are kept; lower is better",
    "auc": "average probability while words are removed in ranked order (deletion curve); lower is better",
}

BASELINE_LABELS: dict[str, str] = {
    "explanation": "This explanation",
    "random": "Random words",
    "occlusion": "Occlusion",
}

# -- why sampling stopped --------------------------------------------------------------------------------------------

STOP_REASONS: dict[str, str] = {
    STOP_SEPARATED: "the top words were clearly ahead of the others and the fit had settled",
    STOP_PRECISE: "the top words had settled (near ties left as ties) and the fit had settled",
    STOP_COSTLY: (
        "the top words had nearly settled and the fit had settled; the last near tie at the edge of the top words "
        "would have cost several times more samples"
    ),
    STOP_UNCHANGED: "the top words stayed the same from one round to the next",
    STOP_CAP: "the cap was reached before the top words settled",
    STOP_EVERY_VARIATION: (
        "the model had answered (nearly) every variation of this short text, so samples up to the cap cost few "
        "further model calls"
    ),
    STOP_FIXED: "a fixed number of samples was asked for",
    STOP_SHARED: "a multi-label model's labels are all explained from the samples drawn for its top label",
    STOP_EARLY: "a stop was asked for before the top words had settled",
    STOP_INTERIM: "it has not stopped: this is a preliminary result while sampling goes on",
}
"""Each recorded stop reason in plain words; a reason not listed here (e.g. ``STOP_HOPELESS``, already a
sentence) is shown as it is."""

# -- other methods beside LIME (lime_core.methods) ---------------------------------------------------------------------

METHOD_LABELS: dict[str, str] = {"lime": "LIME", "kernelshap": "KernelSHAP", "occlusion": "occlusion"}
"""Each method's name in a sentence (``METHOD_LABELS[m][:1].upper()`` starts one)."""

METHOD_MEANING: dict[str, str] = {
    "lime": "the local surrogate's weight x count of each word (log-odds for the default surrogate)",
    "kernelshap": (
        "Shapley values from the explanation's own samples: each word's fair share of the change in probability "
        "from no words to the whole text; they add up to it exactly"
    ),
    "occlusion": "how much the probability drops when the word alone is left out (one model call per word)",
}

METHODS_SCALE_NOTE = (
    "Each method is on its own scale (LIME's weights are log-odds, KernelSHAP and occlusion are changes in "
    "probability), so the colours show each value as a share of its method's largest."
)

AGREE_PAIR = "{a} and {b} agree on {overlap} of the top {k} words"
AGREE_WITH = "{a} agrees with {b} on {overlap} of the top {k} words"
AGREE_ALSO = "with {b} on {overlap}"
MOST_FAITHFUL_TWO = (
    "{best}'s ranking is the more faithful here (comprehensiveness {best_value:.2f} against {other_value:.2f})"
)
MOST_FAITHFUL_MANY = "{best}'s ranking is the most faithful here (comprehensiveness {best_value:.2f}; {others})"
FAITHFUL_TIE = "their rankings are about equally faithful here (comprehensiveness {values})"
FAITHFUL_SHARED = (
    "{best} rank about equally faithfully here (comprehensiveness {best_values}), {rest} less so ({rest_values})"
)
FAITHFUL_UNINFORMATIVE = (
    "removing words hardly moves the model's probability here, so faithfulness cannot tell them apart"
)

SHAP_NOTE_ROUGH = (
    "The samples hold fewer distinct word subsets than the text has words, so these Shapley values are rough; "
    "explain with more samples for better ones."
)
METHOD_NOTE_UNCERTAIN = (
    "{n} of its top {k} words have an interval that includes 0: the samples pin these values down poorly "
    "(more samples, or a shorter text, give firmer ones)."
)
SHAP_NOTE_MISSING_SIZES = (
    "{missing} of {sizes} subset sizes had no sample; their weight went to the nearest size that had one."
)

# -- the level of an explanation (every output says it) -------------------------------------------------------------

LEVEL_NOUNS = {"words": "words", "chars": "characters", "sentences": "sentences", "paragraphs": "paragraphs"}


def level_line(level: str, reason: str = "", within: tuple[int, int] | None = None) -> str:
    """One sentence saying what the features are: ``Level: sentences (why)``, or the drill-down's span."""
    if within is not None:
        return (f"Level: words of characters {within[0]:,}-{within[1]:,} only (a drill-down into one part; the rest "
                "of the text is held as it is)")
    noun = LEVEL_NOUNS.get(level, level)
    return f"Level: {noun}" + (f" ({reason})" if reason else "")

# -- how removed words were removed (lime_core.removal) -------------------------------------------------------------


def features_sentence(bigrams: bool, reason: str) -> str:
    """One sentence on the features when they were chosen for the text (``settings.features_reason``), else ""."""
    if not reason:
        return ""
    kept = "Words and adjacent word pairs" if bigrams else "Single words"
    return f"{kept} were chosen for this text: they fit the model's answers better ({reason.split(': ', 1)[-1]})."


def removal_sentence(removal: str, token: str | None) -> str:
    """One sentence on what a removed word became in the perturbed texts (an explanation's ``settings``)."""
    if removal == "attention_mask":
        return (
            "Removed words stayed in place with attention mask 0 (the model's other tokens do not see them; "
            "positions are kept)."
        )
    if removal == "mask_token":
        return f"Removed words were replaced by the model's mask token {token}."
    if removal == "unk_token":
        return f"Removed words were replaced by the model's unknown token {token}."
    if removal == "replace" and token:
        return f"Removed words were replaced by {token!r}."
    return "Removed words were deleted (spaces and punctuation kept)."
