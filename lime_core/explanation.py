"""The explanation as plain data: frozen dataclasses, and the codes and thresholds that define their fields.

Nothing here renders or computes anything, and nothing here imports the modules
that make or read an explanation; formatters in :mod:`lime_core.formatters`
turn an :class:`Explanation` into HTML, text, a DataFrame or its JSON
(:mod:`lime_core.formatters.json_codec`: a documented, stable contract,
docs/json-schema.md; :meth:`Explanation.to_json` calls it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .language import LanguageReport
from .methods.data import MethodsReport

SCHEMA_VERSION = 1

# A text has nothing to explain when removing its words moves no class's probability by this much over the samples
# (the rule, its sentence and its error are in lime_core.nothing_to_explain).
NO_CHANGE = 0.005  # a change of the probability below this is "no change" (it shows as 0.00)


def moves_nothing(spread: float | None) -> bool:
    """True when the answers moved by less than :data:`NO_CHANGE` (None: not known, e.g. a stored result)."""
    return spread is not None and spread < NO_CHANGE
BIAS_FEATURE = "<BIAS>"

Span = tuple[int, int]


@dataclass(frozen=True)
class FeatureWeight:
    """One feature's weight towards a class in the local surrogate.

    ``spans`` are ``(start, end)`` code-point offsets of every occurrence in the
    original text; ``value`` is the feature's value there (its count).
    """

    feature: str
    weight: float
    spans: tuple[Span, ...] = ()
    value: float = 1.0
    std: float | None = None
    interval: tuple[float, float] | None = None

    @property
    def contribution(self) -> float:
        """How much this feature adds to the class score of the original text."""
        return self.weight * self.value

    @property
    def sign_certain(self) -> bool | None:
        """Whether the interval excludes zero; None when no interval was computed."""
        if self.interval is None:
            return None
        low, high = self.interval
        return low > 0 or high < 0


@dataclass(frozen=True)
class TargetExplanation:
    """Why the model leans towards (or away from) one class, near this text."""

    class_name: str
    class_index: int
    probability: float  # the black box's, on the original text
    surrogate_probability: float  # the surrogate's, on the original text
    bias: float
    weights: tuple[FeatureWeight, ...]  # sorted by weight, most positive first

    @property
    def positive(self) -> tuple[FeatureWeight, ...]:
        return tuple(w for w in self.weights if w.weight > 0)

    @property
    def negative(self) -> tuple[FeatureWeight, ...]:
        return tuple(w for w in reversed(self.weights) if w.weight < 0)

    def top(self, k: int) -> tuple[FeatureWeight, ...]:
        """The ``k`` features with the largest absolute weight, largest first."""
        return tuple(sorted(self.weights, key=lambda w: -abs(w.weight))[:k])


@dataclass(frozen=True)
class FidelityMetrics:
    """How well the surrogate reproduces the black box on held-out perturbed samples.

    ``mean_KL_divergence``: similarity-weighted mean KL divergence (nats) from
    the black box's to the surrogate's probabilities; 0 is perfect.
    ``score``: similarity-weighted share of held-out samples on which both pick
    the same top class; 1 is perfect.
    ``close_agreement``: the same share, counting as agreeing a pick the model rates within
    :data:`lime_core.metrics.AGREEMENT_MARGIN` of its own top class (the verdict's agreement; None in results
    stored before it existed).
    """

    mean_KL_divergence: float
    score: float
    n_heldout: int
    close_agreement: float | None = None


@dataclass(frozen=True)
class ExplainerSettings:
    """What produced the explanation, so that it can be reproduced."""

    n_samples: int
    random_state: int | None
    tokenization: str
    sampler: str
    kernel: str
    surrogate: str
    bigrams: bool
    mask_token: str | None
    heldout_fraction: float
    adaptive: bool = False  # True: samples were drawn in rounds until the top words settled; n_samples is the cap
    position_dependent: bool = False  # True: every token position is its own feature ("[3] word"), eli5's option
    # "linear": weights are a linear surrogate's; "tree_path": a decision tree's (clf=) contributions along this
    # text's path, on the probability scale (docs/json-schema.md)
    weights_kind: str = "linear"
    # The unit of the weights: "logit" (log-odds) or "probability" (changes in P(class): ridge, a tree's paths)
    output_scale: str = "logit"
    # The unit removed and weighed (lime_core.levels): "words" (or the tokenization's units), "sentences",
    # "paragraphs"; always written to the JSON, so that a reader never guesses
    level: str = "words"
    # Why this level: auto's choice or a fallback (e.g. "the text is one sentence: explained by its words instead")
    level_reason: str = ""
    # A drill-down: only the units inside this (start, end) span were removed and weighed, the rest held as it is
    within: tuple[int, int] | None = None
    # How removed words were removed (lime_core.removal): "deletion", "replace" (by mask_token), "mask_token",
    # "unk_token" (the model's token, in mask_token) or "attention_mask" (docs/removal.md)
    removal: str = "deletion"
    # With bigrams="auto" (the sentiment model's default): which features were kept for this text, and why
    # (lime_core.word_pairs); ``bigrams`` says whether the features include word pairs
    features_reason: str = ""


# -- trust reports (docs/trust.md says how each number is computed) --------------------------------------


@dataclass(frozen=True)
class UncertaintyInfo:
    """How the ``std`` and ``interval`` of every weight were computed.

    ``method`` names the estimator (``"sandwich"``: the robust covariance of
    the surrogate's fit over the random perturbations); ``confidence`` is the
    nominal coverage of each interval (0.95: a 95 % interval).
    """

    method: str
    confidence: float


@dataclass(frozen=True)
class WordStability:
    """How one word fared over the refits: how often it was in the top ``k`` and how often its sign flipped."""

    feature: str
    in_top_k: float  # share of refits in which the word is among the top k
    sign_flips: float  # share of refits in which its weight has the opposite sign to the reported one
    reported_rank: int  # 1-based rank by |weight| in the reported explanation


# "high" stability also needs the top-k set's expected Jaccard with an endless sample's (from the intervals) to
# reach this. On the sampling benchmark's post set that figure is calibrated (posts at 0.80-0.90 share 0.84 of the
# 20,000-sample reference's top 5 on average, posts at 0.90+ share 0.96), and the bootstrap alone let near ties
# through.
SETTLED_JACCARD = 0.9


def top_k_settled(expected_jaccard: float | None) -> bool:
    """Whether the intervals say the top k would stay with unlimited samples (True without intervals)."""
    return expected_jaccard is None or expected_jaccard >= SETTLED_JACCARD


@dataclass(frozen=True)
class StabilityReport:
    """Whether the top ``k`` words survive refitting the surrogate on resampled perturbations.

    ``top_k_jaccard`` is the mean Jaccard similarity of the top-k word sets
    over all pairs of refits (1: every refit picks the same words).
    ``words`` lists every word that is in the reported top k or enters the top
    k in some refit. ``expected_jaccard`` is the expected Jaccard similarity of
    the reported top k with the top k an endless sample would give, from the
    weights' covariance (None without intervals). ``level`` is ``"high"``,
    ``"medium"`` or ``"low"``; ``warning`` is True when the reader should be
    told the top words move.
    """

    class_name: str
    k: int  # at most this many top words; words with negligible weight are never top words
    n_refits: int
    top_k_jaccard: float
    level: str
    warning: bool
    top_k: tuple[str, ...]
    words: tuple[WordStability, ...]
    method: str
    expected_jaccard: float | None = None
    # The largest m such that every refit's top m words are the reported top m (as a set) with the same signs (None
    # in results written before it was kept: the verdict then judges from `words`).
    refits_agree: int | None = None

    @property
    def settled(self) -> bool:
        """Whether the intervals say the top k would stay with unlimited samples (True without intervals)."""
        return top_k_settled(self.expected_jaccard)

    @property
    def dropped(self) -> tuple[str, ...]:
        """Words of the reported top k that leave it in at least one refit."""
        return tuple(w.feature for w in self.words if w.feature in self.top_k and w.in_top_k < 1.0)

    @property
    def entered(self) -> tuple[str, ...]:
        """Words outside the reported top k that enter it in at least one refit."""
        return tuple(w.feature for w in self.words if w.feature not in self.top_k and w.in_top_k > 0.0)

    @property
    def sign_flips(self) -> tuple[str, ...]:
        """Words whose sign flips in at least one refit."""
        return tuple(w.feature for w in self.words if w.sign_flips > 0.0)


@dataclass(frozen=True)
class CurvePoint:
    """The model's probability of the explained class with the ``k`` highest-ranked words removed."""

    k: int
    probability: float


@dataclass(frozen=True)
class FaithfulnessScores:
    """Comprehensiveness, sufficiency and the deletion curve of one word ranking (ERASER's measures)."""

    comprehensiveness: float  # p(text) - p(text without the top k words): higher is more faithful
    sufficiency: float  # p(text) - p(only the top k words): lower is more faithful
    auc: float  # normalised area under the deletion curve (mean probability): lower is more faithful
    curve: tuple[CurvePoint, ...]


@dataclass(frozen=True)
class FaithfulnessReport:
    """Does removing the words the explanation ranks highest change the real model's prediction?

    Measured on the black box itself for ``class_name``: ``scores`` for the
    explanation's ranking, ``baselines`` for a random ranking (averaged over
    a few draws) and for occlusion (leave-one-word-out). ``level`` is
    ``"good"``, ``"weak"``, ``"poor"`` or ``"uninformative"``.
    """

    class_name: str
    k: int
    n_words: int
    probability: float  # the model's probability of the class on the original text
    scores: FaithfulnessScores
    baselines: dict[str, FaithfulnessScores]
    n_random: int
    level: str
    n_model_calls: int  # distinct texts sent to the model for this check (cached ones not counted)

    @property
    def comprehensiveness(self) -> float:
        return self.scores.comprehensiveness

    @property
    def sufficiency(self) -> float:
        return self.scores.sufficiency

    @property
    def auc(self) -> float:
        return self.scores.auc

    @property
    def curve(self) -> tuple[CurvePoint, ...]:
        return self.scores.curve

    @property
    def beats_random(self) -> bool:
        """True when the explanation's ranking removes more of the prediction than a random one."""
        rand = self.baselines.get("random")
        if rand is None:
            return True
        return self.scores.comprehensiveness > rand.comprehensiveness and self.scores.auc < rand.auc


@dataclass(frozen=True)
class SamplingRound:
    """One round of adaptive sampling: the samples so far and the state of the top words after it."""

    n_samples: int
    n_model_calls: int
    top_k: tuple[str, ...]
    max_halfwidth: float | None  # widest interval half-width among the top words (None without intervals)


# Why sampling stopped: the values of SamplingReport.stopped_because (lime_core.wording says each in plain words).
STOP_FIXED = "fixed sample count"
STOP_SHARED = "samples shared with the label they were drawn for"  # a multi-label model's other labels
# n_samples="auto" (lime_core.trust.adaptive's stopping rule):
STOP_SEPARATED = "top words separated and fit settled"
STOP_PRECISE = "top words settled (near ties within tolerance) and fit settled"  # the set criterion
STOP_COSTLY = "top words close to settled; settling the last near tie would cost several times the samples so far"
STOP_UNCHANGED = "top words unchanged (no intervals for this surrogate)"
STOP_CAP = "sample cap reached"
STOP_EVERY_VARIATION = "(nearly) every variation of the text answered: samples up to the cap cost few model calls"
STOP_HOPELESS = "the fit cannot become trustworthy: a model of single words does not describe this black box here"
# Results while they compute (lime_core.rounds' on_round): a round's fit while sampling goes on, and a fit kept when
# the caller stopped sampling there, before the stopping rule was met.
STOP_INTERIM = "preliminary: sampling is still running"
STOP_EARLY = "stopped early on request, before the top words had settled"


@dataclass(frozen=True)
class SamplingReport:
    """How many perturbed texts were drawn, what they cost, and why sampling stopped.

    ``mode`` is ``"fixed"`` (``n_samples`` given) or ``"auto"`` (drawn in
    rounds until the top words settled, at most ``max_samples``).
    """

    mode: str
    rounds: int
    n_samples: int
    n_model_calls: int
    stopped_because: str
    max_samples: int | None = None
    history: tuple[SamplingRound, ...] = ()


@dataclass(frozen=True)
class MultiLabelScores:
    """A multi-label model's answer on the text: every label's own probability, and the label explained.

    Each label is its own yes/no question, so ``probabilities`` need not sum to 1. The explanation that carries
    this is the explained label's, as a two-class problem: its ``class_names`` are ``("not <label>", label)``.
    """

    labels: tuple[str, ...]
    probabilities: tuple[float, ...]
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "probabilities": list(self.probabilities), "label": self.label}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MultiLabelScores:
        return cls(
            labels=tuple(str(x) for x in d["labels"]),
            probabilities=tuple(float(p) for p in d["probabilities"]),
            label=str(d["label"]),
        )


def negative_class(label: str) -> str:
    """The name of "not this label", the other class of one label's yes/no question."""
    return f"not {label}"


@dataclass(frozen=True)
class Explanation:
    """A LIME explanation of one text: the black box's view and the local surrogate's."""

    text: str
    model: str
    class_names: tuple[str, ...]
    probabilities: tuple[float, ...]
    surrogate_probabilities: tuple[float, ...]
    targets: tuple[TargetExplanation, ...]
    metrics: FidelityMetrics
    n_samples: int
    n_model_calls: int
    settings: ExplainerSettings
    extras: dict[str, Any] = field(default_factory=dict, compare=True)
    # Trust reports (None when not computed; see docs/trust.md).
    uncertainty: UncertaintyInfo | None = None
    stability: StabilityReport | None = None
    faithfulness: FaithfulnessReport | None = None
    sampling: SamplingReport | None = None
    # Answers the prediction cache gave without asking the model (n_model_calls counts only the texts sent now).
    n_answers_reused: int = 0
    # The text's language beside the model's (lime_core.language); None when the model's languages are not known.
    language: LanguageReport | None = None
    # LIME beside other methods (KernelSHAP, occlusion) for the trust class; None when not asked (lime_core.methods).
    methods: MethodsReport | None = None
    # A multi-label model's every label probability; None for a single-label model (see MultiLabelScores).
    multi_label: MultiLabelScores | None = None
    # How far the model's answers moved over the samples (lime_core.nothing_to_explain); None when not known. The
    # JSON holds it only when there is nothing to explain, so it stays out of comparisons (a round trip is equal).
    answer_spread: float | None = field(default=None, compare=False)

    @property
    def nothing_to_explain(self) -> bool:
        """Removing words never moved the model's answer: the weights are noise (lime_core.nothing_to_explain)."""
        return moves_nothing(self.answer_spread)

    @property
    def predicted_class(self) -> str:
        return self.class_names[max(range(len(self.probabilities)), key=self.probabilities.__getitem__)]

    def target(self, class_name: str) -> TargetExplanation:
        for t in self.targets:
            if t.class_name == class_name:
                return t
        raise KeyError(f"class {class_name!r} is not explained here; explained: {[t.class_name for t in self.targets]}")

    # -- JSON (the codec is lime_core.formatters.json_codec; these keep the methods users call) ------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (see docs/json-schema.md), verdict included."""
        from .formatters.json_codec import explanation_to_dict

        return explanation_to_dict(self)

    def to_json(self, indent: int | None = None) -> str:
        from .formatters.json_codec import explanation_to_json

        return explanation_to_json(self, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanation:
        from .formatters.json_codec import explanation_from_dict

        return explanation_from_dict(data)

    @classmethod
    def from_json(cls, text: str) -> Explanation:
        from .formatters.json_codec import explanation_from_json

        return explanation_from_json(text)

    def _repr_html_(self) -> str:
        from .formatters.html import format_html  # imported only when a notebook asks

        return format_html(self)
