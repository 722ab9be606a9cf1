"""A dashboard run's result and the settings it ran with: plain data, no Streamlit.

A :class:`RunResult` keeps the fit as plain data
(:class:`~lime_core.neighbourhood.FitResult`: samples, answers, surrogate),
never the estimator or the model, so another class is re-explained from the
same samples with no model calls, and nothing of a remote model (its token
included) outlives the request. A later faithfulness check gets the model
again from :class:`ModelSource`. ``ui.state`` keeps these in
``st.session_state`` under named keys; the pages draw them.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from lime_core import Explanation, LimeCoreError, TextExplainer, limits
from lime_core.classifier import BatchedClassifier
from lime_core.defaults import TOP_K
from lime_core.explainer import explain_fit, preliminary_explanation, stopped_early
from lime_core.explainer_options import ExplainerOptions
from lime_core.explanation import STOP_EARLY
from lime_core.language import LanguageReport, language_report
from lime_core.levels import AUTO as AUTO_LEVEL
from lime_core.neighbourhood import FitResult
from lime_core.nothing_to_explain import answer_spread as spread_of_answers
from lime_core.predictor import BlackBox

# The longest text the dashboard accepts (characters): the library's limit (long texts are explained by
# sentences, lime_core.levels). Longer texts are refused with a clear message before any model call.
MAX_TEXT_CHARS = limits.MAX_TEXT_CHARS
# The most samples the sidebar offers (fixed count or automatic cap): a few seconds on the bundled models.
MAX_SIDEBAR_SAMPLES = 20_000

# How many samples: adaptive (rounds until the top words settle) or a fixed count.
AUTO, FIXED = "auto", "fixed"


@dataclass(frozen=True)
class ExplainOptions:
    """The sampling settings chosen in the sidebar.

    ``samples_mode`` AUTO draws samples in rounds until the top words settle, at most ``max_samples``
    (``n_samples="auto"``); FIXED draws exactly ``n_samples``. ``faithfulness`` adds the check that removes
    the top words and asks the model again (a few dozen model calls).
    """

    samples_mode: str = AUTO
    n_samples: int = 2000
    max_samples: int = 5000
    seed: int = 0
    sampler: str = "mixture"
    bigrams: bool = False
    faithfulness: bool = True
    level: str = AUTO_LEVEL
    within: tuple[int, int] | None = None  # a drill-down: only the words of this span of the text

    @property
    def auto(self) -> bool:
        return self.samples_mode == AUTO

    @property
    def sample_budget(self) -> int:
        """The most samples an explanation may draw: the cap in auto mode, else the fixed count."""
        return int(self.max_samples if self.auto else self.n_samples)

    def explainer_options(self, cache: Any = None, batch_size: int | None = None) -> ExplainerOptions:
        """These settings in the words every front end shares (``cache`` and ``batch_size``: the page's)."""
        return ExplainerOptions(
            samples="auto" if self.auto else int(self.n_samples),
            max_samples=int(self.max_samples),
            seed=int(self.seed),
            sampler=self.sampler,
            bigrams=True if self.bigrams else None,  # unticked: the model's default (lime_core.word_pairs)
            max_chars=MAX_TEXT_CHARS,
            faithfulness=bool(self.faithfulness),
            level=self.level,
            within=self.within,
            extra={"batch_size": batch_size, "cache": cache, "top_k": TOP_K, "uncertainty": True},
        )

    def make_explainer(self, cache: Any = None, batch_size: int | None = None) -> TextExplainer:
        return self.explainer_options(cache, batch_size).build()


BUNDLED, REMOTE = "bundled", "remote"


@dataclass(frozen=True)
class ModelSource:
    """Where a result's model comes from, to ask it again later (a faithfulness check): plain data, no secret.

    ``kind`` BUNDLED: ``name`` is the registry name (loaded through ``st.cache_resource``). REMOTE: ``name`` is
    the URL and ``connection`` the Remote API page's settings (URL, batch size, budget, deadline; never the
    token, which the classifier built from them reads from the page's field at request time).
    """

    kind: str
    name: str
    connection: Any = None


# RunResult's keys of the predicted class's explanation and of every class's at once (other classes: their name).
PREDICTED_KEY, ALL_KEY = "<predicted>", "<all>"


@dataclass
class RunResult:
    """One fit and the explanations drawn from it: plain data, with no estimator and no model."""

    text: str
    model_name: str  # registry name, or the remote URL (without secrets)
    model_title: str
    fit: FitResult
    options: ExplainOptions
    elapsed: float
    languages: tuple[str, ...] = ()  # the languages the model declares; () when unknown
    source: ModelSource | None = None  # how to get the model again (None: it cannot be asked again)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created: float = field(default_factory=time.time)
    _explanations: dict[str, Explanation] = field(default_factory=dict, repr=False)
    _language: LanguageReport | None = field(default=None, repr=False)

    @property
    def language(self) -> LanguageReport | None:
        """The text's language beside the model's (None when the model declares no languages)."""
        if self._language is None and self.languages:
            self._language = language_report(self.text, self.languages)
        return self._language

    def _with_language(self, explanation: Explanation) -> Explanation:
        return explanation if self.language is None else dataclasses.replace(explanation, language=self.language)

    @property
    def class_names(self) -> list[str]:
        """The classes a user picks from: a multi-label model's labels (each its own yes/no question)."""
        return list(self.fit.labels or self.fit.class_names)

    @property
    def predicted_class(self) -> str:
        """The predicted class; for a multi-label model, the label explained first (its most probable)."""
        return self.fit.label or self.fit.predicted_class

    @property
    def answer_spread(self) -> float:
        """How far the model's probability of any class moves over the samples (largest max - min)."""
        return spread_of_answers(self.fit.neighbourhood.proba)

    @property
    def n_model_calls(self) -> int:
        """Model calls of the sampling (what the explanation itself cost)."""
        return int(self.fit.neighbourhood.n_model_calls)

    @property
    def n_answers_reused(self) -> int:
        """Answers of the sampling that the prediction cache gave (no model call made for them)."""
        return int(self.fit.neighbourhood.n_answers_reused)

    @property
    def n_check_calls(self) -> int:
        """Model calls of the faithfulness checks and method comparisons made so far (0 when none was made)."""
        return sum(
            (e.faithfulness.n_model_calls if e.faithfulness is not None else 0)
            + (e.methods.n_model_calls if e.methods is not None else 0)
            for key, e in self._explanations.items()
            if key != ALL_KEY
        )

    def explanation(self, class_name: str | None = None) -> Explanation:
        """The explanation for one class (default: the predicted one), computed once, with no model calls.

        The faithfulness check of the predicted class was made during the fit; another class gets no
        faithfulness report (measuring it asks the model: see :meth:`measure_faithfulness`).
        """
        key = self._key(class_name)
        if key not in self._explanations:
            # Another class is explained from the stored samples: no model calls, so no faithfulness check
            # until the user asks for one (measure_faithfulness).
            targets, check = (None, None) if key == PREDICTED_KEY else (class_name, False)
            self._explanations[key] = self._with_language(explain_fit(self.fit, targets, faithfulness=check))
        return self._explanations[key]

    @property
    def preliminary(self) -> bool:
        """A round's result while sampling goes on (drawn in place, never saved or downloaded)."""
        return self.fit.preliminary

    @property
    def stopped_early(self) -> bool:
        """Kept from a run the user stopped before its top words had settled (its outputs say so)."""
        return self.fit.sampling.stopped_because == STOP_EARLY

    def preliminary_explanation(self, class_name: str | None = None) -> Explanation:
        """A preliminary result's weights and intervals for one class (default: the predicted one), without the
        checks that belong to a finished result; an unknown class falls back to the predicted one."""
        targets = class_name if class_name in self.fit.class_names else None
        return self._with_language(preliminary_explanation(self.fit, targets))

    def kept_early(self) -> RunResult:
        """This preliminary result kept as the result of a run stopped here: a new result, its fit saying so.

        The checks that ask the model (faithfulness, other methods) were not made, and a stop asks for no more model
        calls: the result says "not checked", and the trust panel's button measures faithfulness on request.
        """
        kept = stopped_early(self.fit)
        unchecked = dataclasses.replace(kept.options, faithfulness=False, methods=())
        return RunResult(
            text=self.text,
            model_name=self.model_name,
            model_title=self.model_title,
            fit=dataclasses.replace(kept, options=unchecked),
            options=self.options,
            elapsed=self.elapsed,
            languages=self.languages,
            source=self.source,
        )

    def faithfulness_checked(self, class_name: str | None = None) -> bool:
        return self.explanation(class_name).faithfulness is not None

    def measure_faithfulness(self, class_name: str, black_box: BlackBox | None = None) -> Explanation:
        """Explain ``class_name`` with its faithfulness check, asking ``black_box`` about a few dozen texts."""
        if black_box is None:
            raise LimeCoreError(
                "this result's model cannot be asked again here; explain the text again to check its faithfulness"
            )
        explanation = self._with_language(explain_fit(self.fit, class_name, faithfulness=True, black_box=black_box))
        self._explanations[self._key(class_name)] = explanation
        return explanation

    def compare_methods(self, class_name: str | None, black_box: BlackBox | None = None) -> Explanation:
        """Explain ``class_name`` with KernelSHAP and occlusion beside LIME (lime_core.methods), asking ``black_box``
        about the methods' texts (occlusion one per word, KernelSHAP a few dozen; cached answers are free)."""
        if black_box is None:
            raise LimeCoreError(
                "this result's model cannot be asked again here; explain the text again to compare methods"
            )
        name = class_name or self.predicted_class
        explanation = self._with_language(
            explain_fit(self.fit, name, faithfulness=True, black_box=black_box, methods="all")
        )
        self._explanations[self._key(class_name)] = explanation
        return explanation

    def _key(self, class_name: str | None) -> str:
        """The key of one class's explanation in ``_explanations`` (the predicted class has one, however named)."""
        return PREDICTED_KEY if class_name is None or class_name == self.predicted_class else class_name

    def all_classes(self) -> Explanation:
        """Every class at once (targets='all'), with no model calls."""
        if ALL_KEY not in self._explanations:
            # A multi-label model's labels are separate yes/no questions: its "all classes" is the explained label's.
            targets = None if self.fit.labels else "all"
            self._explanations[ALL_KEY] = self._with_language(explain_fit(self.fit, targets))
        return self._explanations[ALL_KEY]


# -- before a run --------------------------------------------------------------------------------------------------


def check_text(text: str) -> str | None:
    """A message when the text cannot be explained, before anything is loaded or sent."""
    if not text or not text.strip():
        return "The text is empty: paste or type the text to explain, or pick an example."
    if len(text) > MAX_TEXT_CHARS:
        return (
            f"The text has {len(text):,} characters, over this dashboard's limit of {MAX_TEXT_CHARS:,}. "
            "Shorten it and try again."
        )
    return None


def progress_chunk(model: Any) -> int | None:
    """Texts per progress update: small for slow models that batch (transformers), the engine's default otherwise."""
    own = model.batch_size if isinstance(model, BatchedClassifier) else None
    if isinstance(own, int) and 0 < own < 500:
        return min(256, max(64, 2 * own))
    return None
