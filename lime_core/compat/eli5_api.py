"""eli5's ``TextExplainer``: lime_core's explainer with eli5's names, methods and parts (:class:`TextExplainer`).

After ``te = TextExplainer(random_state=42).fit(doc, pipe.predict_proba)``,
eli5's learned attributes and methods work as in eli5 (its tutorial runs with
only the import changed, see docs/migrating.md):

* ``doc_``, ``samples_`` (the perturbed texts), ``similarity_``, ``y_proba_``,
  ``X_``, ``metrics_`` (``mean_KL_divergence`` and ``score``, held out);
  ``clf_`` is the fitted surrogate and ``vec_`` the feature space;
* ``explain_prediction`` returns the :class:`~lime_core.explanation.Explanation`
  (it renders itself in a notebook); ``show_prediction`` returns HTML that a
  notebook shows: the highlighted text and the weights;
* ``explain_weights`` / ``show_weights``: every class's surrogate weights.

eli5's constructor arguments and what they do here (:func:`check_eli5_params`
refuses the ones that have no meaning, with the lime_core way to get the same):

* ``n_samples``, ``random_state``: as in eli5 (``random_state`` may be a
  ``numpy.random.RandomState``, as eli5 allows);
* ``char_based=True``: characters as units (grapheme clusters);
* ``token_pattern``: a regular expression matching one token;
* ``position_dependent=True``: every token position is its own feature,
  named ``[i] token`` as in eli5;
* ``rbf_sigma``: sample weights ``exp(-d**2 / (2 sigma**2))`` of the cosine
  distance, eli5's formula;
* ``expand_factor``: for ``clf=``, as in eli5: each sample repeated that many times with labels drawn
  from the black box's probabilities (None: its most probable class once); lime_core's own surrogate fits
  the probabilities exactly and does not use it;
* ``clf``: any scikit-learn classifier taking ``sample_weight`` as the surrogate
  (:class:`~lime_core.surrogates.ClassifierSurrogate`). A linear one is explained by its weights (no
  intervals); a decision tree by its path contributions (``show_prediction``) and by its importances and
  the tree as text (``show_weights``, :class:`TreeWeights`), with no intervals or stability;
* ``vec`` (a scikit-learn vectorizer) and eli5-style samplers (``sample_near``) take the path of
  :mod:`lime_core.compat.eli5_samples`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..defaults import CONFIDENCE, TOP_K
from ..estimator import DEFAULT_MAX_CHARS, BaseTextExplainer, resolve_targets
from ..estimator import seed_of as seed_of  # re-exported: eli5's and lime's RandomState seeds
from ..explanation import ExplainerSettings, Explanation
from ..kernels import ExponentialKernel, Kernel
from ..levels import AUTO as AUTO_LEVEL
from ..predictor import PredictionCache
from ..removal import Removal
from ..rounds import NeighbourhoodSource
from ..surrogates import ClassifierSurrogate, Surrogate, weights_kind
from ..tokenization import RegexTokenizer, Tokenizer, char_tokenizer
from ..trust.adaptive import DEFAULT_MAX_SAMPLES, DEFAULT_REL_TOL, DEFAULT_TOP_K, AdaptiveSettings
from ..trust.stability import DEFAULT_REFITS
from .eli5_samples import TextSamplesSource, check_text_sample_params, uses_text_samples

if TYPE_CHECKING:
    from ..features import FeatureSpace
    from ..fitting import LocalFit
    from ..neighbourhood import Neighbourhood

# eli5's display options of show_prediction/show_weights that change only eli5's own HTML layout; they are
# accepted so that eli5 code runs, and have no effect on lime_core's report.
ELI5_DISPLAY_OPTIONS = frozenset(
    {
        "show",
        "highlight_spaces",
        "horizontal_layout",
        "show_feature_values",
        "include_styles",
        "force_weights",
        "preserve_density",
        "feature_names",
        "feature_re",
        "feature_filter",
        "vectorized",
    }
)
DEFAULT_TOP = 20


@dataclasses.dataclass(frozen=True)
class TreeWeights:
    """What ``explain_weights`` returns for a decision-tree surrogate (plain data; renders in a notebook).

    A tree has no per-class weights: ``importances`` are its ``(feature, importance)`` pairs, largest first
    (scikit-learn's impurity-based ``feature_importances_``), ``tree_text`` the tree as text with the class
    names at its leaves; the fidelity is the held-out one, as for every surrogate.
    """

    importances: tuple[tuple[str, float], ...]
    tree_text: str
    class_names: tuple[str, ...]
    mean_KL_divergence: float
    score: float

    def _repr_html_(self) -> str:
        from ..formatters.weights import format_tree_weights_html

        return format_tree_weights_html(self)


class NotebookHTML:
    """HTML that a Jupyter notebook renders (``_repr_html_``); ``str()`` gives the markup itself."""

    def __init__(self, html: str) -> None:
        self.data = html

    def _repr_html_(self) -> str:
        return self.data

    def __str__(self) -> str:
        return self.data

    def __repr__(self) -> str:
        return f"<NotebookHTML: {len(self.data):,} characters>"


# -- constructor arguments ---------------------------------------------------------------------------------------


def check_eli5_params(explainer: Any) -> None:
    """Refuse eli5 arguments that have no meaning in lime_core, saying what to use instead."""
    if explainer.clf is not None and explainer.surrogate is not None:
        raise ValueError("pass clf= (eli5's name) or surrogate=, not both")
    sampler = explainer.sampler
    if (
        sampler is not None
        and not callable(getattr(sampler, "sample", None))
        and not callable(getattr(sampler, "sample_near", None))
    ):
        kind = type(sampler).__name__
        raise ValueError(
            f"sampler={kind} is not a sampler: pass one from lime_core.sampling (PositionSampler, "
            "BagOfWordsSampler, MixtureSampler), any object with sample(groups, n_samples, rng), or an eli5-style "
            "one with sample_near(doc, n_samples) -> (texts, similarity)"
        )
    if explainer.rbf_sigma is not None and not float(explainer.rbf_sigma) > 0:
        raise ValueError(f"rbf_sigma must be positive, not {explainer.rbf_sigma}")
    if explainer.position_dependent and explainer.bigrams is True:
        raise ValueError("position_dependent=True takes each token position as a feature; it has no bigrams")


def eli5_tokenizer(char_based: bool | None, token_pattern: str | None) -> RegexTokenizer | None:
    """The tokenizer eli5's ``char_based`` / ``token_pattern`` ask for, or None for the explainer's own."""
    if token_pattern is not None:
        import regex

        return RegexTokenizer(regex.compile(token_pattern), f"token_pattern={token_pattern!r}")
    if char_based:
        return char_tokenizer()
    return None


def eli5_kernel(rbf_sigma: float | None) -> Kernel | None:
    """eli5's ``rbf(1 - similarity, sigma)`` is ``exp(-d**2 / (2 sigma**2))``: the exponential kernel of width
    ``sqrt(2) sigma``."""
    if rbf_sigma is None:
        return None
    return ExponentialKernel(width=float(np.sqrt(2.0) * float(rbf_sigma)))


# -- after fit ---------------------------------------------------------------------------------------------------


class Eli5Interface:
    """eli5's ``TextExplainer`` attributes and methods, for :class:`lime_core.TextExplainer` to inherit.

    Everything here reads what ``fit`` stored; nothing calls the model again.
    """

    # Set by lime_core.explainer.TextExplainer.fit.
    neighbourhood_: Neighbourhood
    local_fit_: LocalFit
    tokenized_: Any
    proba_: np.ndarray
    features_: FeatureSpace

    def _require_fit(self, name: str) -> None:
        if not hasattr(self, "local_fit_"):
            raise AttributeError(f"{name} is set by fit(); call fit(doc, predict_proba) first")

    @property
    def doc_(self) -> str:
        """The explained text."""
        self._require_fit("doc_")
        return self.tokenized_.text

    @property
    def samples_(self) -> list[str]:
        """The perturbed texts the surrogate learned from (row 0 is the text itself)."""
        self._require_fit("samples_")
        return self.neighbourhood_.sample_texts()

    @property
    def y_proba_(self) -> np.ndarray:
        """The black box's probabilities for ``samples_``."""
        self._require_fit("y_proba_")
        return self.proba_

    @property
    def metrics_(self) -> dict[str, float]:
        """``mean_KL_divergence`` and ``score`` of the surrogate on held-out samples (eli5's definitions)."""
        self._require_fit("metrics_")
        metrics = self.local_fit_.metrics
        return {"mean_KL_divergence": float(metrics.mean_KL_divergence), "score": float(metrics.score)}

    @property
    def clf_(self) -> Surrogate:
        """The fitted surrogate (eli5's white-box classifier)."""
        self._require_fit("clf_")
        return self.local_fit_.surrogate

    @property
    def vec_(self) -> FeatureSpace:
        """The features of the explained text (eli5's fitted vectorizer)."""
        self._require_fit("vec_")
        return self.features_

    def explain_prediction(
        self,
        target_names: Sequence[str] | None = None,
        targets: Sequence[str | int] | None = None,
        top: int | None = None,
        top_targets: int | None = None,
        **display: Any,
    ) -> Explanation:
        """The :class:`~lime_core.explanation.Explanation` of the fitted text, as eli5 selects its classes.

        ``target_names`` names the model's classes in order (a plain function has none: "class 0", ...);
        ``targets``: class names or indices to explain; ``top_targets``: the N most probable classes. By
        default every class is explained, or the predicted one of two. ``top`` is a display option of
        :meth:`show_prediction` and is accepted here for eli5's signature.
        """
        _check_display(display)
        self._require_fit("explain_prediction")
        names = self._class_names(target_names)
        chosen = self._choose_targets(names, targets, top_targets)
        explanation = self.explanation(chosen)  # type: ignore[attr-defined]
        return renamed(explanation, names)

    def show_prediction(
        self,
        target_names: Sequence[str] | None = None,
        targets: Sequence[str | int] | None = None,
        top: int | None = None,
        top_targets: int | None = None,
        **display: Any,
    ) -> NotebookHTML:
        """The prediction explained as HTML: the text with its words highlighted, the weights, the fidelity."""
        from ..formatters.html import format_html

        explanation = self.explain_prediction(target_names, targets, top, top_targets, **display)
        return NotebookHTML(format_html(explanation, top=DEFAULT_TOP if top is None else int(top)))

    def explain_weights(
        self,
        target_names: Sequence[str] | None = None,
        targets: Sequence[str | int] | None = None,
        top: int | None = None,
        top_targets: int | None = None,
        **display: Any,
    ) -> Explanation | TreeWeights:
        """The surrogate's weights for every class (or ``targets``), as an Explanation; for a decision tree
        (``clf=``), its :class:`TreeWeights`."""
        _check_display(display)
        self._require_fit("explain_weights")
        names = self._class_names(target_names)
        if weights_kind(self.clf_) == "tree_path":
            return self._tree_weights(names)
        if targets is None and top_targets is None:
            chosen: Any = "all"
        else:
            chosen = self._choose_targets(names, targets, top_targets)
        return renamed(self.explanation(chosen), names)  # type: ignore[attr-defined]

    def show_weights(
        self,
        target_names: Sequence[str] | None = None,
        targets: Sequence[str | int] | None = None,
        top: int | None = None,
        top_targets: int | None = None,
        **display: Any,
    ) -> NotebookHTML:
        """A table of the largest surrogate weights of every class, ``<BIAS>`` included (eli5's show_weights)."""
        from ..formatters.weights import format_weights_html

        explanation = self.explain_weights(target_names, targets, top, top_targets, **display)
        top = DEFAULT_TOP if top is None else int(top)
        if isinstance(explanation, TreeWeights):
            from ..formatters.weights import format_tree_weights_html

            return NotebookHTML(format_tree_weights_html(explanation, top=top))
        return NotebookHTML(format_weights_html(explanation, top=top))

    def _tree_weights(self, names: list[str]) -> TreeWeights:
        surrogate: Any = self.clf_  # a ClassifierSurrogate: its weights are a tree's path
        tree = surrogate.clf_
        features = list(self.features_.names)
        importances = np.asarray(tree.feature_importances_, dtype=np.float64)
        order = np.argsort(-importances, kind="stable")
        metrics = self.metrics_
        return TreeWeights(
            importances=tuple((features[j], float(importances[j])) for j in order),
            tree_text=tree_text(tree, features, [names[c] for c in surrogate.classes_]),
            class_names=tuple(names),
            mean_KL_divergence=metrics["mean_KL_divergence"],
            score=metrics["score"],
        )

    # -- helpers ------------------------------------------------------------------------------------------------

    def _class_names(self, target_names: Sequence[str] | None) -> list[str]:
        own = [str(c) for c in self.model_.class_names]  # type: ignore[attr-defined]
        if target_names is None or len(target_names) == 0:
            return own
        names = [str(n) for n in target_names]
        if len(names) != len(own):
            raise ValueError(f"target_names has {len(names)} names but the model has {len(own)} classes")
        return names

    def _choose_targets(
        self, names: list[str], targets: Sequence[str | int] | None, top_targets: int | None
    ) -> list[int] | str:
        proba = self.proba_[0]
        if targets is not None:
            return resolve_targets(targets, names, int(np.argmax(proba)))
        if top_targets is not None:
            return [int(i) for i in np.argsort(-proba, kind="stable")[: int(top_targets)]]
        return "all" if len(names) > 2 else [int(np.argmax(proba))]


# -- the explainer with eli5's names -----------------------------------------------------------------------------


class TextExplainer(Eli5Interface, BaseTextExplainer):
    """Explains one prediction of a text classifier with a local surrogate: lime_core's explainer
    (:class:`~lime_core.estimator.BaseTextExplainer`) with eli5's names and methods.

    ``model`` is any object with ``predict_proba(list[str])`` or a plain function ``f(list[str]) -> (n, k)``.
    eli5's names work too (``char_based``, ``position_dependent``, ``token_pattern``, ``rbf_sigma``,
    ``expand_factor``, ``clf``, ``vec``; ``fit(doc, predict_proba)``, ``show_prediction``, ``metrics_``, ...):
    :mod:`lime_core.compat.eli5_api` says what each one does. eli5's ``vec=`` and ``sampler=`` plug into the
    explainer's neighbourhood-source seam (:class:`~lime_core.compat.eli5_samples.TextSamplesSource`).

    A scikit-learn estimator: parameters are stored unchanged (``get_params``, ``set_params``,
    ``sklearn.base.clone`` and the repr come from ``BaseEstimator``; a clone shares the ``cache``, which is
    meant to be shared); :meth:`fit` does the work and returns ``self``; :meth:`explanation` turns the fit
    into an :class:`Explanation`. The same ``random_state`` gives an identical explanation.

    The parts are swappable: ``tokenizer`` (:class:`~lime_core.tokenization.Tokenizer` or a name),
    ``removal`` (:class:`~lime_core.removal.Removal` or a name: what a removed word becomes; default
    ``mask_token`` when given, else the model's declared ``default_removal``, else deletion),
    ``sampler`` (:class:`~lime_core.sampling.Sampler`: ``sample(groups, n_samples, rng) -> keep-masks``),
    ``kernel`` (:class:`~lime_core.kernels.Kernel`: ``weights(keep) -> sample weights``) and ``surrogate``
    (:class:`~lime_core.surrogates.Surrogate`, whose docstring lists what it must and may declare).

    Trust (docs/trust.md says what each number means and costs):

    * ``n_samples="auto"`` draws samples in rounds until the ``auto_top_k``
      leading words and the fit have settled (``auto_tolerance``: how close a
      near tie may be left unresolved, relative to the largest weight), at most
      ``max_samples``; ``sampling`` in the explanation says how it went
      (:class:`lime_core.trust.stopping.SettledTopWords`; its tuning constants are ``adaptive_settings``, an
      :class:`~lime_core.trust.adaptive.AdaptiveSettings`, default its defaults).
    * ``uncertainty`` adds a standard error and a ``confidence`` interval to
      every weight (no model calls; a few ms).
    * ``stability_refits`` bootstrap refits of the surrogate on the stored
      samples report whether the ``top_k`` words move (no model calls; about
      a millisecond each; 0 turns it off).
    * ``faithfulness`` removes the ``top_k`` words from the text and asks the
      model what changes, against random and leave-one-out rankings (a few
      dozen model calls, made in :meth:`fit`; off by default).
    * ``methods`` (``("kernelshap", "occlusion")``, a comma-separated string or
      ``"all"``) puts other methods beside LIME for the same class: their word
      values, top-k agreement, faithfulness and one sentence
      (:func:`lime_core.methods.compare_methods`; implies the faithfulness check;
      occlusion one model call per word, KernelSHAP at most a few dozen; made in
      :meth:`fit`; none by default).

    Multi-label models (``multi_label=True``, or None and a model that declares ``multi_label = True``): one
    independent probability per label, rows need not sum to 1. Each label is its own yes/no question
    ("not X" against "X"), explained from the same samples: one set of model calls serves every label. The
    samples are drawn for the most probable label (adaptive sampling settles its words);
    :meth:`explanation` explains one label (default that one; another is refitted on the same samples, no model
    calls), :meth:`explanations` several. Each label's explanation has its own fidelity (binary KL and
    agreement), intervals, stability and verdict, and carries every label's probability
    (:class:`~lime_core.explanation.MultiLabelScores`). A model whose rows do not sum to 1 without the option is
    refused with a message naming it.

    Long documents (:mod:`lime_core.levels`): ``level`` is the unit removed and weighed, ``"words"``,
    ``"sentences"`` or ``"paragraphs"``; ``"auto"`` (the default) keeps words unless the text has more distinct
    words than :data:`~lime_core.levels.AUTO_MAX_WORDS`. ``within=(start, end)`` drills down: only the words
    inside that span of the text (say, one sentence) are removed and weighed, the rest of the text is held as
    it is. ``level_`` says which level the fit used and why; every output names it.

    Attributes
    ----------
    fit_result_ : FitResult
        Everything the fit produced, as plain data with no model
        (:class:`~lime_core.neighbourhood.FitResult`); :func:`explain_fit` explains any class from it.
    neighbourhood_ : Neighbourhood
        The samples and the model's answers (:class:`~lime_core.neighbourhood.Neighbourhood`).
    local_fit_ : LocalFit
        The fitted surrogate, its train / held-out rows and its held-out fidelity.
    trust_ : TrustResults
        The trust computations of ``local_fit_``, made on first use and kept.
    sampling_ : SamplingReport
        How the samples were drawn (one round, or the adaptive rounds).
    stopping_rule_ : StoppingRule
        The rule that ended the sampling loop (:mod:`lime_core.trust.stopping`), with its per-round record.
    level_ : LevelChoice
        The level the features are at (``words``, ``sentences``, ``paragraphs``), its tokenizer, and why.
    trust_seed_ : int
        Seeds the trust computations, drawn after the fit so that they never change the explanation.
    model_ : TextClassifier
        The model, as :func:`~lime_core.classifier.as_classifier` wrapped it.
    black_box_ : BlackBox
        The model behind its cache and batching (asked again only by a faithfulness check).
    tokenized_, features_, keep_, X_, proba_, sample_weight_, similarity_, n_model_calls_, n_answers_reused_
        The fields of ``neighbourhood_`` (``keep_`` only when lime_core's own sampler drew the samples).
    doc_, samples_, y_proba_, metrics_, clf_, vec_
        eli5's names (:class:`~lime_core.compat.eli5_api.Eli5Interface`).
    """

    def __init__(
        self,
        n_samples: int | str = 5000,
        tokenizer: Tokenizer | str = "words",
        sampler: Any = None,
        kernel: Kernel | None = None,
        surrogate: Surrogate | None = None,
        bigrams: bool | str | None = None,
        mask_token: str | None = None,
        removal: Removal | str | None = None,
        heldout_fraction: float = 0.3,
        random_state: Any = None,
        max_chars: int | None = DEFAULT_MAX_CHARS,
        batch_size: int | None = None,
        cache: PredictionCache | None = None,
        max_samples: int = DEFAULT_MAX_SAMPLES,
        auto_tolerance: float = DEFAULT_REL_TOL,
        auto_top_k: int = DEFAULT_TOP_K,
        top_k: int = TOP_K,
        uncertainty: bool = True,
        confidence: float = CONFIDENCE,
        stability_refits: int = DEFAULT_REFITS,
        faithfulness: bool = False,
        methods: str | Sequence[str] | None = None,
        multi_label: bool | None = None,
        level: str = AUTO_LEVEL,
        within: tuple[int, int] | None = None,
        adaptive_settings: AdaptiveSettings | None = None,
        # eli5's TextExplainer arguments (the module docstring says what each does)
        char_based: bool | None = None,
        position_dependent: bool = False,
        token_pattern: str | None = None,
        rbf_sigma: float | None = None,
        expand_factor: int | None = 10,
        clf: Any = None,
        vec: Any = None,
    ) -> None:
        super().__init__(
            n_samples=n_samples,
            tokenizer=tokenizer,
            sampler=sampler,
            kernel=kernel,
            surrogate=surrogate,
            bigrams=bigrams,
            mask_token=mask_token,
            removal=removal,
            heldout_fraction=heldout_fraction,
            random_state=random_state,
            max_chars=max_chars,
            batch_size=batch_size,
            cache=cache,
            max_samples=max_samples,
            auto_tolerance=auto_tolerance,
            auto_top_k=auto_top_k,
            top_k=top_k,
            uncertainty=uncertainty,
            confidence=confidence,
            stability_refits=stability_refits,
            faithfulness=faithfulness,
            methods=methods,
            multi_label=multi_label,
            level=level,
            within=within,
            adaptive_settings=adaptive_settings,
            position_dependent=position_dependent,
        )
        self.char_based = char_based
        self.token_pattern = token_pattern
        self.rbf_sigma = rbf_sigma
        self.expand_factor = expand_factor
        self.clf = clf
        self.vec = vec

    # -- eli5's parts, through the explainer's seams ---------------------------------------------------------------

    def make_tokenizer(self) -> Tokenizer:
        return eli5_tokenizer(self.char_based, self.token_pattern) or super().make_tokenizer()

    def make_kernel(self) -> Kernel:
        if self.kernel is not None:
            return self.kernel
        return eli5_kernel(self.rbf_sigma) or super().make_kernel()

    def make_surrogate(self) -> Surrogate:
        if self.surrogate is not None or self.clf is None:
            return super().make_surrogate()
        seed = int(self.random_state) if isinstance(self.random_state, int | np.integer) else None
        return ClassifierSurrogate(self.clf, expand_factor=self.expand_factor, random_state=seed)

    def keeps_words(self) -> bool:
        """eli5's tokenizer options and per-position features name word features; ``level="auto"`` keeps them."""
        return super().keeps_words() or eli5_tokenizer(self.char_based, self.token_pattern) is not None

    def validate_params(self) -> None:
        if uses_text_samples(self) and self.multi_label:
            raise ValueError("multi_label=True works with lime_core's own samplers, not eli5's vec= or sampler=")
        super().validate_params()
        check_eli5_params(self)
        if uses_text_samples(self):
            check_text_sample_params(self)

    def neighbourhood_source(self, text: str, classifier: Any) -> NeighbourhoodSource:
        """eli5's ``vec=`` or an eli5 sampler: their texts and features (:class:`TextSamplesSource`); else
        lime_core's own."""
        if uses_text_samples(self):
            return TextSamplesSource(self, text)
        return super().neighbourhood_source(text, classifier)

    def settings(self) -> ExplainerSettings:
        settings = super().settings()
        if self.vec is not None:
            return dataclasses.replace(settings, tokenization=f"vec={self.vec!r}")
        eli5_choice = eli5_tokenizer(self.char_based, self.token_pattern)
        if eli5_choice is not None:
            return dataclasses.replace(settings, tokenization=eli5_choice.name)
        return settings


def tree_text(tree: Any, feature_names: Sequence[str], class_names: Sequence[str]) -> str:
    """A fitted decision tree as indented text: each split with the share of (weighted) training samples that
    reach it, each leaf with its class probabilities, the most probable first."""
    t = tree.tree_
    weight = t.weighted_n_node_samples
    lines: list[str] = []

    def leaf(node: int) -> str:
        dist = t.value[node, 0] / t.value[node, 0].sum()
        order = np.argsort(-dist, kind="stable")
        return ", ".join(f"{class_names[c]} {dist[c]:.3f}" for c in order)

    def walk(node: int, depth: int) -> None:
        pad = "    " * depth
        left, right = int(t.children_left[node]), int(t.children_right[node])
        if left == right:  # a leaf
            lines.append(f"{pad}---> {leaf(node)}")
            return
        name, threshold = feature_names[t.feature[node]], t.threshold[node]
        lines.append(f"{pad}{name} <= {threshold:.3f}  ({weight[left] / weight[0]:.1%})")
        walk(left, depth + 1)
        lines.append(f"{pad}{name} > {threshold:.3f}  ({weight[right] / weight[0]:.1%})")
        walk(right, depth + 1)

    walk(0, 0)
    return "\n".join(lines)


def _check_display(display: dict[str, Any]) -> None:
    unknown = sorted(set(display) - ELI5_DISPLAY_OPTIONS)
    if unknown:
        raise TypeError(f"unexpected argument(s) {', '.join(unknown)}")


def renamed(explanation: Explanation, names: Sequence[str]) -> Explanation:
    """``explanation`` with its classes called ``names`` (in class order), e.g. eli5's ``target_names``."""
    names = tuple(str(n) for n in names)
    if names == explanation.class_names:
        return explanation
    if len(names) != len(explanation.class_names):
        raise ValueError(f"{len(names)} class names for {len(explanation.class_names)} classes")
    old = dict(zip(explanation.class_names, names, strict=True))

    def rename(report: Any) -> Any:
        return None if report is None else dataclasses.replace(report, class_name=old[report.class_name])

    return dataclasses.replace(
        explanation,
        class_names=names,
        targets=tuple(dataclasses.replace(t, class_name=names[t.class_index]) for t in explanation.targets),
        stability=rename(explanation.stability),
        faithfulness=rename(explanation.faithfulness),
    )
