"""Pure logic shared by every renderer (HTML, text, the dashboard): word weights, colours, top features.

Nothing here produces markup. The renderers and the dashboard all call these
functions so that a word has the same weight and the same colour wherever it
is shown.

How a word gets its weight: every occurrence of a feature in the text is a
span. A span that contains no other feature's span is a *word* (a unigram
occurrence; with ``tokenization='chars'``, a character). Each occurrence of a
feature adds its weight to the words it covers, split equally between them:
a unigram gives its whole weight to its word, a bigram half of it to each of
its two words. The weight of a word is the sum of those shares, i.e. how much
that occurrence moves the class score according to the surrogate.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from ..explanation import BIAS_FEATURE, Explanation, FeatureWeight, TargetExplanation

Span = tuple[int, int]

# Full-intensity colours (sRGB): a green and a red that keep dark text readable
# (contrast ratio with #1f2328 above 4.5:1) and stay distinguishable for most
# colour-blind readers thanks to their different lightness.
POSITIVE_RGB = (64, 168, 92)
NEGATIVE_RGB = (226, 88, 82)
WHITE_RGB = (255, 255, 255)
TRANSPARENT = "transparent"


@dataclass(frozen=True)
class Segment:
    """A stretch of the text: a word with its weight, or a gap (``weight is None``) between words.

    ``features`` names the features whose occurrences cover this word, largest
    share first, so a tooltip can say where the weight comes from; ``shares``
    pairs each with the part of ``weight`` it gives (a bigram gives half its weight).
    """

    start: int
    end: int
    text: str
    weight: float | None
    features: tuple[str, ...] = ()
    shares: tuple[tuple[str, float], ...] = ()

    @property
    def is_word(self) -> bool:
        return self.weight is not None


@dataclass(frozen=True)
class WordWeight:
    """The weight of one word occurrence and the share each feature contributes to it."""

    start: int
    end: int
    weight: float
    shares: tuple[tuple[str, float], ...]  # (feature, share of its weight), largest |share| first


def word_weights(target: TargetExplanation) -> list[WordWeight]:
    """The weight of every word occurrence in the explained text, in text order.

    Does not need the text itself (only the spans), so scales can be computed
    for explanations that are not rendered.
    """
    weights = [w for w in target.weights if w.feature != BIAS_FEATURE and w.spans]
    all_spans = {(s[0], s[1]) for w in weights for s in w.spans if s[0] < s[1]}
    words = sorted(_minimal_spans(all_spans))
    starts = [s for s, _ in words]
    shares: dict[Span, dict[str, float]] = {w: {} for w in words}
    for fw in weights:
        for span in fw.spans:
            covered = _covered_words(words, starts, span)
            if not covered:
                continue
            share = fw.weight / len(covered)
            for word in covered:
                shares[word][fw.feature] = shares[word].get(fw.feature, 0.0) + share
    out = []
    for word in words:
        ordered = tuple(sorted(shares[word].items(), key=lambda kv: -abs(kv[1])))
        out.append(WordWeight(word[0], word[1], float(sum(v for _, v in ordered)), ordered))
    return out


def token_weights(target: TargetExplanation, text: str) -> list[Segment]:
    """Split the whole ``text`` into consecutive segments: words with their weight, and the gaps between them.

    The segments cover every character exactly once, in order, so renderers can
    simply concatenate them. Raises ValueError when a span does not fit
    ``text`` (the explanation belongs to another text).
    """
    segments: list[Segment] = []
    cursor = 0
    for word in word_weights(target):
        if word.end > len(text) or word.start < 0:
            raise ValueError(
                f"span [{word.start}, {word.end}) is outside the text of length {len(text)}; "
                "is this the explanation of another text?"
            )
        if word.start < cursor:  # overlapping spans (not produced by lime_core): keep the first word
            continue
        if word.start > cursor:
            segments.append(Segment(cursor, word.start, text[cursor : word.start], None))
        features = tuple(name for name, _ in word.shares)
        segments.append(Segment(word.start, word.end, text[word.start : word.end], word.weight, features, word.shares))
        cursor = word.end
    if cursor < len(text):
        segments.append(Segment(cursor, len(text), text[cursor:], None))
    return segments


def default_scale(targets: Explanation | Iterable[TargetExplanation]) -> float:
    """The largest absolute word weight over ``targets``: the weight that gets full colour.

    Pass the targets of several explanations to colour them on one scale (the
    dashboard's Compare page). Returns 1.0 when every weight is zero, so the
    scale can always divide.
    """
    if isinstance(targets, Explanation):
        targets = targets.targets
    largest = max((abs(w.weight) for t in targets for w in word_weights(t)), default=0.0)
    return largest if largest > 0 else 1.0


def colour_intensity(weight: float | None, scale: float) -> float:
    """How strongly a weight is coloured, from 0 (not at all) to 1 (full colour).

    ``intensity = min(1, |weight| / scale)``: linear, so that a word with twice
    the weight looks twice as strong, and clipped so that a weight larger than
    the scale (possible when a shared scale was chosen by hand) gets full colour.
    """
    if weight is None or scale <= 0 or weight != weight:  # None, bad scale or NaN
        return 0.0
    return min(1.0, abs(weight) / scale)


def colour_for(weight: float | None, scale: float) -> str:
    """The background colour of a word with this weight, as ``#rrggbb`` (or ``"transparent"``).

    Positive weights (towards the class) are green, negative ones (against it)
    red. The colour is white mixed with the full colour by
    :func:`colour_intensity`, channel by channel:
    ``c = 255 + intensity * (full_c - 255)``, rounded. A weight of zero, a gap
    (``None``) or a non-positive scale gives ``"transparent"``.
    """
    intensity = colour_intensity(weight, scale)
    if intensity == 0.0:
        return TRANSPARENT
    assert weight is not None
    full = POSITIVE_RGB if weight > 0 else NEGATIVE_RGB
    r, g, b = (round(w + intensity * (f - w)) for w, f in zip(WHITE_RGB, full, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass(frozen=True)
class TopFeatures:
    """The features worth listing for one class: the strongest for and against, and how many were left out."""

    positive: tuple[FeatureWeight, ...]  # largest contribution first
    negative: tuple[FeatureWeight, ...]  # most negative contribution first
    hidden_positive: int
    hidden_negative: int


def top_features(target: TargetExplanation, top: int = 20) -> TopFeatures:
    """The ``top`` features with the largest absolute contribution (weight x count), split by sign.

    Ranked by contribution rather than weight because that is what a feature
    adds to this text's score: a word present twice counts twice. Features
    with zero contribution are left out; ``<BIAS>`` is never among them
    (renderers show it apart).
    """
    if top < 0:
        raise ValueError(f"top must be 0 or more, not {top}")
    useful = [w for w in target.weights if w.feature != BIAS_FEATURE and w.contribution != 0]
    ranked = sorted(useful, key=lambda w: -abs(w.contribution))
    shown = ranked[:top]
    positive = tuple(sorted((w for w in shown if w.contribution > 0), key=lambda w: -w.contribution))
    negative = tuple(sorted((w for w in shown if w.contribution < 0), key=lambda w: w.contribution))
    n_positive = sum(1 for w in useful if w.contribution > 0)
    n_negative = len(useful) - n_positive
    return TopFeatures(positive, negative, n_positive - len(positive), n_negative - len(negative))


def _minimal_spans(spans: set[Span]) -> list[Span]:
    """The spans that contain no other span: the words.

    Sorted by start ascending and end descending, every span that could lie
    inside a span comes after it; so a span is minimal when all later spans end
    after it. One pass from the right, O(n log n).
    """
    ordered = sorted(spans, key=lambda s: (s[0], -s[1]))
    minimal: list[Span] = []
    min_end_after = float("inf")
    for span in reversed(ordered):
        if min_end_after > span[1]:
            minimal.append(span)
        min_end_after = min(min_end_after, span[1])
    return minimal


def _covered_words(words: list[Span], starts: list[int], span: Span) -> list[Span]:
    """The words inside ``span`` (words are sorted and do not nest)."""
    i = bisect_left(starts, span[0])
    covered = []
    while i < len(words) and words[i][0] < span[1]:
        if words[i][1] <= span[1]:
            covered.append(words[i])
        i += 1
    return covered


def weights_meaning(explanation: Explanation) -> str:
    """One sentence on the unit of the weights, which depends on the surrogate and the number of classes."""
    two = len(explanation.class_names) == 2
    if explanation.settings.weights_kind == "tree_path":
        return (
            "The surrogate is a decision tree: each weight is what that word's split adds to P(this class) along "
            "this text's path from the root (<BIAS>) to its leaf. A tree has no intervals or stability refits."
        )
    if explanation.settings.output_scale == "probability":
        return "Weights come from a linear (ridge) surrogate of the probabilities: the change in P(this class)."
    if two:
        return "Weights are changes in the log-odds of this class against the other one."
    return "Weights are changes in the log-odds of this class against the average class."


def format_weight(x: float, signed: bool = True) -> str:
    """A weight for people: three decimals, or two significant digits when three decimals would show 0.

    Weights span orders of magnitude, and a weight printed as ``-0.000`` looks
    like a bug; ``-2.1e-05`` says it is tiny but real.
    """
    if x != 0 and abs(x) < 0.0005:
        return f"{x:+.1e}" if signed else f"{x:.1e}"
    return f"{x:+.3f}" if signed else f"{x:.3f}"
