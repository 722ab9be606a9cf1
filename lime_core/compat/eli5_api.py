"""eli5's ``TextExplainer`` surface, inherited by :class:`lime_core.TextExplainer`.

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

from ..explanation import Explanation
from ..kernels import ExponentialKernel, Kernel
from ..surrogates import weights_kind
from ..tokenization import RegexTokenizer, Tokenizer, char_tokenizer

if TYPE_CHECKING:
    from ..features import FeatureSpace
    from ..fitting import LocalFit
    from ..neighbourhood import Neighbourhood
    from ..surrogates import Surrogate

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
    if explainer.position_dependent and explainer.bigrams:
        raise ValueError("position_dependent=True takes each token position as a feature; it has no bigrams")


def eli5_tokenizer(char_based: bool | None, token_pattern: str | None) -> Tokenizer | None:
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


def seed_of(random_state: Any) -> Any:
    """A seed ``numpy.random.default_rng`` takes: eli5 and lime also accept a ``numpy.random.RandomState``,
    which is drawn from once (as eli5 and lime draw from it)."""
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    return random_state


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
    ) -> Explanation:
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
        tree = self.clf_.clf_
        features = list(self.features_.names)
        importances = np.asarray(tree.feature_importances_, dtype=np.float64)
        order = np.argsort(-importances, kind="stable")
        metrics = self.metrics_
        return TreeWeights(
            importances=tuple((features[j], float(importances[j])) for j in order),
            tree_text=tree_text(tree, features, [names[c] for c in self.clf_.classes_]),
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
        from ..explainer import resolve_targets

        proba = self.proba_[0]
        if targets is not None:
            return resolve_targets(targets, names, int(np.argmax(proba)))
        if top_targets is not None:
            return [int(i) for i in np.argsort(-proba, kind="stable")[: int(top_targets)]]
        return "all" if len(names) > 2 else [int(np.argmax(proba))]


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
