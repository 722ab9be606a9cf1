"""Ready-made texts for demos, each with the story it tells.

The dashboard offers these in its text boxes so a demo never starts from a
blank page. Each example names the bundled model it was written for
(:mod:`lime_core.models.registry` names); the app switches to that model when
it is available and keeps the current one otherwise.

The stories:

* **kidney stones** -- test post 0 of the 20 Newsgroups "bydate" split (headers
  and footers removed), the classic LIME/eli5 demonstration: the topic model
  says ``sci.med`` and the highlighted words show why.
* **"image"** -- in a graphics question and in a Bible verse, both explained
  for ``comp.graphics`` by the topic model on the Compare page: the same word
  gets very different weights (seed 0: +0.5 in the question, where it is one
  graphics word among many, +3.3 in the verse, where it is nearly the only
  one). An explanation is *local*: it describes the model near one text, not
  the meaning of a word everywhere.
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
    language: str = "en"  # ISO 639-1 code of the text's language
    expected: str = ""  # the class its story expects: a topic, or "positive"/"negative" for a review


KIDNEY_STONES = (
    "As I recall from my bout with kidney stones, there isn't any medication that can do anything about them "
    "except relieve the pain. Either they pass, or they have to be broken up with sound, or they have to be "
    "extracted surgically. When I was in, the X-ray tech happened to mention that she'd had kidney stones and "
    "children, and the childbirth hurt less."
)

GRAPHICS_QUESTION = (
    "I render the image with OpenGL and save it as a JPEG file; the colours look wrong on screen."
)

BIBLE_VERSE = "God made man in His own image, the Bible says; the colours of the rainbow are His promise."

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
        expected="sci.med",
    ),
    Example(
        "graphics-question",
        "\u201cimage\u201d in a graphics question",
        GRAPHICS_QUESTION,
        "20ng-svm",
        "Compare it with the Bible verse: for comp.graphics, \u201cimage\u201d is one graphics word among many "
        "here, and almost the only one there, so it weighs differently: an explanation describes one text.",
        expected="comp.graphics",
    ),
    Example(
        "bible-verse",
        "\u201cimage\u201d in a Bible verse",
        BIBLE_VERSE,
        "20ng-svm",
        "Compare it with the graphics question: the same \u201cimage\u201d and \u201ccolours\u201d, another "
        "context, other weights.",
        expected="soc.religion.christian",
    ),
    Example(
        "restaurant-review",
        "Restaurant review (English)",
        RESTAURANT_REVIEW,
        "sentiment",
        "A clear-cut review: the praise words should carry the prediction.",
        expected="positive",
    ),
    Example(
        "german-review",
        "Restaurant review (German)",
        GERMAN_REVIEW,
        "sentiment",
        "A negative review in German, for the multilingual model. A model that does not read German may get it "
        "wrong: LIME explains what the model does, right or wrong.",
        language="de",
        expected="negative",
    ),
    Example(
        "french-review",
        "Restaurant review (French)",
        FRENCH_REVIEW,
        "sentiment",
        "A positive review in French, for the multilingual model.",
        language="fr",
        expected="positive",
    ),
)

COMPARE_PAIR: tuple[str, str] = ("graphics-question", "bible-verse")
"""The two examples the Compare page starts with, on :data:`COMPARE_MODEL`, both explained for :data:`COMPARE_CLASS`."""
COMPARE_MODEL = "20ng-svm"
COMPARE_CLASS = "comp.graphics"
"""The same class on both sides: "image" weighs much more for it in the verse (measured in tests/test_app_pages.py)."""


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
