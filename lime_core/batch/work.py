"""What a worker does: load the model once, then explain texts one by one into table rows.

Everything a worker receives is plain, picklable data (:class:`~lime_core.model_source.ModelSource`,
:class:`BatchOptions`, :class:`~lime_core.batch.io.TextRecord`), so the same
code runs in this process, in a local process pool and in a Ray actor. Each
text gets a fresh explainer seeded by :func:`~lime_core.batch.seeds.text_seed`
and a fresh prediction cache, so its explanation (and its count of model
calls) does not depend on which texts the worker explained before.
"""

from __future__ import annotations

import dataclasses
import os
import re
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import (
    BudgetExceededError,
    LimeCoreError,
    ModelOutputError,
    ModelUnavailableError,
    RemoteAuthError,
    RemoteModelError,
)
from ..explainer_options import ExplainerOptions
from ..model_source import ModelSource
from ..nothing_to_explain import check_answers_move
from .io import TextRecord, method_values
from .seeds import text_seed


@dataclass(frozen=True)
class BatchOptions:
    """The explanation settings of a run, the same for every text (the seed is per text)."""

    samples: int | str = "auto"
    seed: int = 0
    targets: tuple[str, ...] | str | None = None  # None: the predicted class; "all"; or class names
    bigrams: bool = False
    sampler: str | None = None
    surrogate: str | None = None
    tokenization: str = "words"
    mask_token: str | None = None
    removal: str | None = None  # what a removed word becomes (lime_core.removal); None: the model's own default
    faithfulness: bool = False
    methods: tuple[str, ...] = ()  # other methods beside LIME (lime_core.methods), e.g. ("occlusion", "kernelshap")
    max_chars: int | None = 100_000
    multi_label: bool | None = None  # None: the model's own setting (TextExplainer's multi_label)
    extra: dict[str, Any] = field(default_factory=dict)  # further TextExplainer parameters
    languages: tuple[str, ...] = ()  # the model's languages (ISO 639-1): each text is checked against them

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["targets"] = list(self.targets) if isinstance(self.targets, tuple) else self.targets
        data["methods"] = list(self.methods)
        if not self.methods:
            del data["methods"]  # written only when asked, so a run made before --methods existed can still resume
        data["languages"] = list(self.languages)
        if not self.languages:
            del data["languages"]  # likewise: a run made before the language check can still resume
        if self.removal is None:
            del data["removal"]  # likewise: a run made before --removal reached batch runs can still resume
        return data

    def explainer_options(self, random_state: int) -> ExplainerOptions:
        """The options of one text's explainer, seeded with ``random_state`` (the text's own seed)."""
        return ExplainerOptions(
            samples=self.samples,
            seed=random_state,
            tokenization=self.tokenization,
            sampler=self.sampler,
            surrogate=self.surrogate,
            bigrams=True if self.bigrams else None,  # False: the model's default (lime_core.word_pairs)
            mask_token=self.mask_token,
            removal=self.removal,
            faithfulness=self.faithfulness,
            methods=list(self.methods),
            multi_label=self.multi_label,
            max_chars=self.max_chars,
            extra=self.extra,
        )

    def make_explainer(self, random_state: int) -> Any:
        return self.explainer_options(random_state).build()


@dataclass
class TextResult:
    """One explained text as table rows, with what it cost."""

    row: dict[str, Any]
    weights: list[dict[str, Any]]
    n_model_calls: int
    worker_peak_rss: int  # bytes, the worker process's peak resident memory so far
    worker: str = ""  # which worker (its process id)
    failure: str | None = None  # how the model failed for this text (its kind), for the run's circuit breaker


def peak_rss_bytes() -> int:
    """This process's peak resident memory (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


class Worker:
    """Holds one loaded model and explains texts with it."""

    def __init__(self, source: ModelSource, options: BatchOptions, model: Any = None) -> None:
        self.source = source
        self.options = options
        # a remote client is told the run's multi_label (a bundled model or a pipeline declares it itself)
        self.model = model if model is not None else source.open(multi_label=bool(options.multi_label))

    def explain(self, record: TextRecord) -> TextResult:
        from ..verdict import judge_trust

        seed = text_seed(self.options.seed, record.id)
        row: dict[str, Any] = {
            "id": record.id, "row": record.row, "text": record.text, "label": record.label, "seed": seed
        }
        started = time.perf_counter()
        if record.refused is not None:  # refused while reading: no model call, and the text was not kept
            row.update(error=record.refused, seconds=0.0)
            return TextResult(row, [], 0, peak_rss_bytes(), str(os.getpid()))
        try:
            explainer = self.options.make_explainer(seed).fit(record.text, self.model)
            check_answers_move(explainer.fit_result_.neighbourhood.proba)  # recorded as this text's error
            explained = _explained(explainer, _targets(self.options.targets))
            if self.options.languages:  # as the dashboard's Explain page: a text in another language is flagged
                from ..language import language_report

                language = language_report(record.text, tuple(self.options.languages))
                explained = [dataclasses.replace(e, language=language) for e in explained]
            explanation = explained[0]
        except (RemoteAuthError, ModelUnavailableError):  # no text could be explained: stop the run
            raise
        except (LimeCoreError, ValueError) as exc:  # this text cannot be explained; the run goes on
            reason = " ".join(str(exc).split()) or type(exc).__name__
            return failed_result(
                record, self.options.seed, reason, time.perf_counter() - started, str(os.getpid()), failure_kind(exc)
            )
        scores = explanation.multi_label  # a multi-label model: its labels, the top one as the prediction
        row.update(
            predicted_class=explainer.fit_result_.label if scores else explanation.predicted_class,
            probabilities=list(scores.probabilities if scores else explanation.probabilities),
            class_names=list(scores.labels if scores else explanation.class_names),
            mean_KL_divergence=explanation.metrics.mean_KL_divergence,
            score=explanation.metrics.score,
            verdict=judge_trust(explanation).level,
            n_samples=explanation.n_samples,
            n_model_calls=explanation.n_model_calls,
            seconds=time.perf_counter() - started,
            explanation=explanation.to_json(),
        )
        if self.options.methods and explanation.methods is not None:
            row.update(method_values(explanation.methods, self.options.methods))
        weights = [
            {
                "id": record.id,
                "class": target.class_name,
                "feature": w.feature,
                "weight": w.weight,
                "std": w.std,
                "low": None if w.interval is None else w.interval[0],
                "high": None if w.interval is None else w.interval[1],
            }
            for one in explained
            for target in one.targets
            for w in target.weights
        ]
        checks = explanation.faithfulness.n_model_calls if explanation.faithfulness is not None else 0
        checks += explanation.methods.n_model_calls if explanation.methods is not None else 0
        calls = int(explanation.n_model_calls) + int(checks)
        return TextResult(row, weights, calls, peak_rss_bytes(), str(os.getpid()))

    def explain_many(self, records: list[TextRecord]) -> list[TextResult]:
        return [self.explain(r) for r in records]


def failed_result(
    record: TextRecord,
    run_seed: int,
    reason: str,
    seconds: float = 0.0,
    worker: str = "",
    failure: str | None = None,
) -> TextResult:
    """The row of a text that could not be explained: its ``error`` and no weights (the run goes on).

    ``worker`` is the process that tried (its peak memory is recorded); empty when the driver records a text
    that no worker could finish.
    """
    row: dict[str, Any] = {
        "id": record.id, "row": record.row, "text": record.text, "label": record.label,
        "seed": text_seed(run_seed, record.id), "error": reason, "seconds": seconds,
    }
    return TextResult(row, [], 0, peak_rss_bytes() if worker else 0, worker, failure=failure)


def failure_kind(exc: BaseException) -> str | None:
    """How the model failed, as a key equal for the same failure on any text (None: the text was at fault).

    The error class and the HTTP status ("server error at URL (HTTP 503) after 3 attempts" and "...; a retry in
    2 s would pass the deadline" are one kind), else the message's first clause with its numbers blanked; an
    over-long or empty text, or a text over the request budget, is none.
    """
    if isinstance(exc, BudgetExceededError) or not isinstance(exc, (RemoteModelError, ModelOutputError)):
        return None
    message = " ".join(str(exc).split())
    status = re.search(r"\bHTTP ([0-9]{3})\b", message)
    if status:  # however many attempts, and whether the last wait would have passed the deadline
        return f"{type(exc).__name__}: HTTP {status.group(1)}"
    return f"{type(exc).__name__}: {re.sub(r'[0-9]+', '#', message.split(';')[0])[:120]}"


def _targets(targets: tuple[str, ...] | str | None) -> Any:
    return list(targets) if isinstance(targets, tuple) else targets


def _explained(explainer: Any, targets: Any) -> list[Any]:
    """The fitted text's explanation, or a multi-label model's one per asked label (its row is the first's)."""
    if explainer.fit_result_.labels and (targets == "all" or (isinstance(targets, list) and len(targets) > 1)):
        return explainer.explanations(targets)
    return [explainer.explanation(targets)]
