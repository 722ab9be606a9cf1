"""lime's ``LimeTextExplainer`` front end: ``from lime_core import LimeTextExplainer``.

``LimeTextExplainer(class_names=...).explain_instance(text, classifier_fn, num_features=6)``
returns a :class:`LimeExplanation` with lime's ``as_list``, ``as_map``,
``available_labels``, ``as_html``, ``show_in_notebook``, ``save_to_file``,
``as_pyplot_figure``, ``score``, ``local_pred``, ``intercept`` and
``predict_proba``. The fit is lime_core's (:class:`~lime_core.explainer.TextExplainer`),
so the numbers mean what they mean in lime_core, not in lime:

* weights (``as_list``) are log-odds of the class (against the other one, or
  against the average class with more than two), not changes in P(class)
  from a per-class ridge; pass ``surrogate=RidgeSurrogate()`` for lime's scale;
* ``score[label]`` is the held-out top-class agreement of the surrogate (eli5's
  ``score``, the same for every label), not lime's in-sample R² of one label;
* ``local_pred[label]`` is the surrogate's probability of the class on the
  text; ``intercept[label]`` the surrogate's ``<BIAS>`` on the weights' scale;
* every word is in the fit; ``num_features`` only chooses how many are listed
  (lime selects them first, ``feature_selection``), so ``num_features`` does
  not change the weights.

The constructor's other arguments: ``kernel_width`` (default 25, lime's
exponential kernel ``sqrt(exp(-(100 d)**2 / width**2))`` of the cosine distance
``d``), ``kernel(d, kernel_width)`` with lime's distances (times 100),
``bow`` (False: each word position is its own feature and is masked alone),
``mask_string`` (the replacement of a removed word; default: deleted),
``char_level``, ``split_expression`` (a regular expression of separators, or a
function returning the tokens; lime's default ``\\W+`` keeps lime_core's
Unicode word tokenizer), ``random_state``, ``verbose`` (prints the local
prediction as lime does). Other keyword arguments go to
:class:`~lime_core.explainer.TextExplainer` (e.g. ``bigrams=True``, ``cache=``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..classifier import as_classifier
from ..explainer_options import ExplainerOptions
from ..explanation import Explanation
from ..kernels import ExponentialKernel, Kernel, cosine_similarity_to_original
from ..nothing_to_explain import nothing_to_explain_message
from ..sampling import BagOfWordsSampler, PositionSampler
from ..tokenization import Token, Tokenizer

LIME_SPLIT_EXPRESSION = r"\W+"
LIME_KERNEL_WIDTH = 25.0
# lime measures cosine distance in hundredths.
LIME_DISTANCE_SCALE = 100.0


class SplitTokenizer:
    """Tokens are the non-empty stretches between matches of a separator pattern (lime's ``split_expression``),
    or what a function returns, found in the text in order."""

    def __init__(self, split_expression: str | Callable[[str], Sequence[str]]) -> None:
        self.split_expression = split_expression
        self.name = f"split_expression={split_expression!r}" if isinstance(split_expression, str) else "custom split"

    def tokenize(self, text: str) -> list[Token]:
        if callable(self.split_expression):
            return _locate(text, self.split_expression(text))
        tokens: list[Token] = []
        start = 0
        for m in re.finditer(self.split_expression, text):
            if m.start() > start:
                tokens.append(Token(text[start : m.start()], start, m.start()))
            start = max(start, m.end())
        if start < len(text):
            tokens.append(Token(text[start:], start, len(text)))
        return [t for t in tokens if t.text.strip()]

    def __repr__(self) -> str:
        return f"SplitTokenizer({self.name})"


def _locate(text: str, pieces: Iterable[str]) -> list[Token]:
    tokens: list[Token] = []
    cursor = 0
    for piece in pieces:
        if not piece or not piece.strip():
            continue
        start = text.find(piece, cursor)
        if start < 0:
            raise ValueError(f"split_expression returned {piece!r}, which is not in the text after position {cursor}")
        tokens.append(Token(piece, start, start + len(piece)))
        cursor = start + len(piece)
    return tokens


class LimeKernel:
    """A lime kernel function ``kernel(distances, kernel_width)`` on lime's distances (cosine distance x 100)."""

    def __init__(self, kernel: Callable[[np.ndarray, float], np.ndarray], kernel_width: float) -> None:
        self.kernel = kernel
        self.kernel_width = kernel_width

    def weights(self, keep: np.ndarray) -> np.ndarray:
        distance = (1.0 - cosine_similarity_to_original(keep)) * LIME_DISTANCE_SCALE
        return np.asarray(self.kernel(distance, self.kernel_width), dtype=np.float64)

    def __repr__(self) -> str:
        return f"LimeKernel({getattr(self.kernel, '__name__', 'kernel')}, kernel_width={self.kernel_width})"


def lime_kernel(kernel_width: float, kernel: Callable[[np.ndarray, float], np.ndarray] | None) -> Kernel:
    if kernel is not None:
        return LimeKernel(kernel, kernel_width)
    if not float(kernel_width) > 0:
        raise ValueError(f"kernel_width must be positive, not {kernel_width}")
    # lime's default sqrt(exp(-(100 d)^2 / w^2)) = exp(-d^2 / (sqrt(2) w / 100)^2)
    return ExponentialKernel(width=float(np.sqrt(2.0) * float(kernel_width) / LIME_DISTANCE_SCALE))


class LimeTextExplainer:
    """lime's text explainer, fitted by lime_core (module docstring: what each argument does here)."""

    def __init__(
        self,
        kernel_width: float = LIME_KERNEL_WIDTH,
        kernel: Callable[[np.ndarray, float], np.ndarray] | None = None,
        verbose: bool = False,
        class_names: Sequence[str] | None = None,
        feature_selection: str = "auto",
        split_expression: str | Callable[[str], Sequence[str]] = LIME_SPLIT_EXPRESSION,
        bow: bool = True,
        mask_string: str | None = None,
        random_state: Any = None,
        char_level: bool = False,
        **explainer_params: Any,
    ) -> None:
        self.kernel_width = kernel_width
        self.kernel = kernel
        self.verbose = verbose
        self.class_names = class_names
        self.feature_selection = feature_selection
        self.split_expression = split_expression
        self.bow = bow
        self.mask_string = mask_string
        self.random_state = random_state
        self.char_level = char_level
        self.explainer_params = explainer_params

    def _tokenizer(self) -> Tokenizer | str:
        if self.char_level:
            return "chars"
        if self.split_expression != LIME_SPLIT_EXPRESSION:
            return SplitTokenizer(self.split_expression)
        return "words"

    def explainer(self, num_samples: int | str) -> Any:
        """The :class:`~lime_core.explainer.TextExplainer` this front end runs."""
        from ..compat.eli5_api import seed_of

        options = ExplainerOptions(
            samples=num_samples,
            seed=seed_of(self.random_state),
            tokenization=self._tokenizer(),
            level="words",  # lime's features are words (or characters), whatever the text's length
            sampler=BagOfWordsSampler() if self.bow else PositionSampler(),
            kernel=lime_kernel(self.kernel_width, self.kernel),
            mask_token=self.mask_string,
            bigrams=False,  # lime's features are single words
            extra={"position_dependent": not self.bow, **self.explainer_params},
        )
        return options.build()

    def explain_instance(
        self,
        text_instance: str,
        classifier_fn: Any,
        labels: Iterable[int] = (1,),
        top_labels: int | None = None,
        num_features: int = 10,
        num_samples: int | str = 5000,
        distance_metric: str = "cosine",
        model_regressor: Any = None,
    ) -> LimeExplanation:
        """Explain ``classifier_fn`` (a function ``f(list[str]) -> (n, k)`` or a model with ``predict_proba``)
        on ``text_instance`` for ``labels`` (class indices), or for the ``top_labels`` most probable classes."""
        if distance_metric != "cosine":
            raise ValueError(f"distance_metric={distance_metric!r} is not supported; lime_core uses cosine distance")
        if model_regressor is not None:
            raise ValueError(
                "model_regressor is not supported: lime_core fits its own surrogate; pass surrogate=RidgeSurrogate() "
                "to LimeTextExplainer for lime's per-class ridge regression"
            )
        if isinstance(num_features, bool) or not isinstance(num_features, int | np.integer) or num_features < 1:
            raise ValueError(f"num_features must be a positive whole number, not {num_features!r}")
        model = as_classifier(classifier_fn, class_names=self.class_names)
        # "auto" is lime_core's adaptive sampling: rounds until the top words settle, at most 5,000 samples.
        explainer = self.explainer(num_samples if num_samples == "auto" else int(num_samples))
        explainer.fit(text_instance, model)
        proba = np.asarray(explainer.proba_[0], dtype=np.float64)
        n_classes = proba.shape[0]
        if top_labels:
            chosen = [int(i) for i in np.argsort(-proba, kind="stable")[: int(top_labels)]]
        else:
            chosen = [int(i) for i in labels]
        for label in chosen:
            if not 0 <= label < n_classes:
                raise ValueError(f"label {label} is out of range for a model with {n_classes} classes")
        explanation = explainer.explanation(list(dict.fromkeys(chosen)))
        result = LimeExplanation(
            explanation, num_features, top_labels=chosen if top_labels else None, by_position=not self.bow
        )
        if result.nothing_to_explain:
            # lime's API has no place for this in as_list/as_map, and its weights here are noise: say it aloud.
            warnings.warn(nothing_to_explain_message(explanation.n_samples), NothingToExplainWarning, stacklevel=2)
        if self.verbose:
            for label in result.available_labels():
                print("Intercept", result.intercept[label])
                print("Prediction_local", result.local_pred[label])
                print("Right:", result.predict_proba[label])
        return result


class NothingToExplainWarning(UserWarning):
    """``explain_instance`` on a text whose words never moved the model: the weights it returns are noise."""


class LimeExplanation:
    """What lime's ``explain_instance`` returns, over a lime_core :class:`~lime_core.explanation.Explanation`.

    ``explanation`` keeps everything lime_core measured (held-out fidelity,
    intervals, stability); the attributes below have lime's names and shapes.
    Feature ids (``as_map``) index the text's distinct words in order of first
    appearance (word positions with ``bow=False``, where ``as_list`` names each
    position by its word, as lime does, and lime_core's feature is ``[i] word``).
    """

    mode = "classification"

    def __init__(
        self,
        explanation: Explanation,
        num_features: int = 10,
        top_labels: list[int] | None = None,
        by_position: bool = False,
    ):
        self.explanation = explanation
        self.num_features = int(num_features)
        self.class_names = list(explanation.class_names)
        self.predict_proba = np.asarray(explanation.probabilities, dtype=np.float64)
        self.top_labels = top_labels
        # Removing words never moved the model's answer (lime_core.nothing_to_explain): the weights below are noise.
        self.nothing_to_explain = explanation.nothing_to_explain
        self.local_exp: dict[int, list[tuple[int, float]]] = {}
        self.intercept: dict[int, float] = {}
        self.score: dict[int, float] = {}
        self.local_pred: dict[int, np.ndarray] = {}
        spans: dict[str, tuple[tuple[int, int], ...]] = {}
        for target in explanation.targets:
            for w in target.weights:
                spans.setdefault(w.feature, w.spans)
        # Ids in the text's order, as lime numbers its vocabulary while reading the text.
        self._names = sorted(spans, key=lambda name: min((s[0] for s in spans[name]), default=-1))
        self._spans = [spans[name] for name in self._names]
        self._feature_ids = {name: i for i, name in enumerate(self._names)}
        text = explanation.text
        self._words = [
            text[s[0][0] : s[0][1]] if by_position and s else name
            for name, s in zip(self._names, self._spans, strict=True)
        ]
        for target in explanation.targets:
            label = target.class_index
            ranked = sorted(target.weights, key=lambda w: -abs(w.weight))[: self.num_features]
            self.local_exp[label] = [(self._feature_ids[w.feature], float(w.weight)) for w in ranked]
            self.intercept[label] = float(target.bias)
            self.score[label] = float(explanation.metrics.score)
            self.local_pred[label] = np.array([target.surrogate_probability])

    def available_labels(self) -> list[int]:
        """The labels explained: ``top_labels`` in order of probability, else the ``labels`` asked for."""
        return list(self.top_labels) if self.top_labels else list(self.local_exp)

    def as_list(self, label: int = 1, positions: bool = False) -> list[tuple[str, float]]:
        """``(word, weight)`` pairs of ``label``, largest ``|weight|`` first (``word_3-27`` with ``positions``)."""
        if label not in self.local_exp:
            raise KeyError(f"label {label} was not explained; explained: {self.available_labels()}")
        out = []
        for feature_id, weight in self.local_exp[label]:
            name = self._words[feature_id]
            if positions:
                name = f"{name}_{'-'.join(str(start) for start, _ in self._spans[feature_id])}"
            out.append((name, weight))
        return out

    def as_map(self) -> dict[int, list[tuple[int, float]]]:
        """``{label: [(feature id, weight), ...]}``."""
        return self.local_exp

    def _targets(self, labels: Iterable[int] | None) -> list[str]:
        chosen = self.available_labels() if labels is None else [int(label) for label in labels]
        for label in chosen:
            if label not in self.local_exp:
                raise KeyError(f"label {label} was not explained; explained: {self.available_labels()}")
        return [self.class_names[label] for label in chosen]

    def as_html(self, labels: Iterable[int] | None = None, predict_proba: bool = True, **kwargs: Any) -> str:
        """A self-contained HTML page: probabilities, highlighted text, weights and the trust figures.

        lime's ``text``, ``opacity`` and ``show_predicted_value`` options are accepted; lime_core's report always
        shows the probabilities and the text.
        """
        from ..formatters.html import format_html

        return format_html(self.explanation, targets=self._targets(labels), top=self.num_features, standalone=True)

    def show_in_notebook(self, labels: Iterable[int] | None = None, predict_proba: bool = True, **kwargs: Any) -> None:
        """Display the explanation in a Jupyter notebook (needs IPython, which every notebook has)."""
        from IPython.display import HTML, display

        from ..formatters.html import format_html

        display(HTML(format_html(self.explanation, targets=self._targets(labels), top=self.num_features)))

    def save_to_file(self, file_path: str, labels: Iterable[int] | None = None, **kwargs: Any) -> None:
        """Write :meth:`as_html` to ``file_path`` (UTF-8)."""
        with open(file_path, "w", encoding="utf-8") as out:
            out.write(self.as_html(labels=labels, **kwargs))

    def as_pyplot_figure(self, label: int = 1, figsize: tuple[float, float] = (4, 4), **kwargs: Any) -> Any:
        """A horizontal bar chart of :meth:`as_list` (matplotlib is imported only here)."""
        import matplotlib.pyplot as plt

        pairs = self.as_list(label=label, **kwargs)[::-1]
        fig, ax = plt.subplots(figsize=figsize)
        positions = np.arange(len(pairs)) + 0.5
        ax.barh(positions, [w for _, w in pairs], align="center", color=["green" if w > 0 else "red" for _, w in pairs])
        ax.set_yticks(positions, [_plain(name) for name, _ in pairs])
        ax.set_title(_plain(f"Local explanation for class {self.class_names[label]}"))
        return fig

    def _repr_html_(self) -> str:
        from ..formatters.html import format_html

        return format_html(self.explanation, targets=self._targets(None), top=self.num_features)


def _plain(text: str) -> str:
    """Text matplotlib shows as written: a ``$`` in a word or class name would otherwise start mathtext."""
    return text.replace("$", r"\$")
