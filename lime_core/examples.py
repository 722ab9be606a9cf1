"""Ready-made texts for demos, each with the story it tells.

The dashboard offers these in its text boxes so a demo never starts from a
blank page. Each example names the bundled model it was written for
(:mod:`lime_core.models.registry` names); the app switches to that model when
it is available and keeps the current one otherwise.

The stories:

* **kidney stones** -- test post 0 of the 20 Newsgroups "bydate" split (headers
  and footers removed), the classic LIME/eli5 demonstration: the topic model
  says ``sci.med`` and the highlighted words show why.
* **"7 million USD"** -- the same phrase in a scam email and in a term-sheet
  email. Explained side by side on the Compare page, the same words get
  different weights: an explanation is *local*, it describes the model near
  one text, not the meaning of a word everywhere.
* **restaurant review** -- an English review for the sentiment model.
* **German / French reviews** -- for the multilingual review model. On an
  English-only stand-in model they show that LIME explains what the model
  does, right or wrong, and that a poor fit is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    """A demo text and the story it tells."""

    key: str
    title: str
    text: str
    model: str  # registry name of the model the example was written for
    story: str  # one or two sentences shown under the text box


KIDNEY_STONES = (
    "As I recall from my bout with kidney stones, there isn't any medication that can do anything about them "
    "except relieve the pain. Either they pass, or they have to be broken up with sound, or they have to be "
    "extracted surgically. When I was in, the X-ray tech happened to mention that she'd had kidney stones and "
    "children, and the childbirth hurt less."
)

SCAM_EMAIL = (
    "Dear friend, I am a bank manager and I need your urgent help to transfer 7 million USD out of the country. "
    "You will receive 30% of the funds for your assistance. Please reply with your bank details and keep this "
    "strictly confidential."
)

TERM_SHEET_EMAIL = (
    "Hi Anna, attached is the revised term sheet: the Series A round is 7 million USD at a 28 million pre-money "
    "valuation, with a standard 1x liquidation preference. Please review it before Thursday's board call."
)

RESTAURANT_REVIEW = (
    "The restaurant was amazing, the quality of their food was exceptional. The waiters were so polite."
)

GERMAN_REVIEW = (
    "Das Essen war leider kalt und der Kellner war sehr unfreundlich. Für diesen Preis erwarte ich deutlich mehr. "
    "Nie wieder!"
)

FRENCH_REVIEW = (
    "Le repas était délicieux et le service impeccable. Le chef est venu nous saluer à la fin du dîner. "
    "Nous reviendrons avec plaisir !"
)

EXAMPLES: tuple[Example, ...] = (
    Example(
        "kidney-stones",
        "Medical post (20 Newsgroups test post 0)",
        KIDNEY_STONES,
        "20ng-svm",
        "The classic demonstration: the topic model reads this post as medicine. Which words make it say so?",
    ),
    Example(
        "scam-email",
        "Email: \u201c7 million USD\u201d in a scam",
        SCAM_EMAIL,
        "sentiment",
        "Compare it with the term-sheet email: the same \u201c7 million USD\u201d can weigh differently, because "
        "an explanation only describes the model near one text.",
    ),
    Example(
        "term-sheet-email",
        "Email: \u201c7 million USD\u201d in a term sheet",
        TERM_SHEET_EMAIL,
        "sentiment",
        "Compare it with the scam email: same amount, different context, different weights.",
    ),
    Example(
        "restaurant-review",
        "Restaurant review (English)",
        RESTAURANT_REVIEW,
        "sentiment",
        "A clear-cut review: the praise words should carry the prediction.",
    ),
    Example(
        "german-review",
        "Restaurant review (German)",
        GERMAN_REVIEW,
        "sentiment",
        "A negative review in German, for the multilingual model. A model that does not read German may get it "
        "wrong: LIME explains what the model does, right or wrong.",
    ),
    Example(
        "french-review",
        "Restaurant review (French)",
        FRENCH_REVIEW,
        "sentiment",
        "A positive review in French, for the multilingual model.",
    ),
)

COMPARE_PAIR: tuple[str, str] = ("scam-email", "term-sheet-email")
"""The two examples the Compare page starts with."""


def get_example(key: str) -> Example:
    """The example with this key; KeyError names the known keys."""
    for example in EXAMPLES:
        if example.key == key:
            return example
    raise KeyError(f"unknown example {key!r}; known: {[e.key for e in EXAMPLES]}")


def examples_for(model: str | None = None) -> list[Example]:
    """Examples written for ``model`` first, then the others (all of them when ``model`` is None)."""
    if model is None:
        return list(EXAMPLES)
    return [e for e in EXAMPLES if e.model == model] + [e for e in EXAMPLES if e.model != model]
