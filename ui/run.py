"""Running an explanation from a page: progress bar with time left, errors shown, never a traceback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import streamlit as st

from dashboard.progress import TimeLeft
from dashboard.results import check_text, progress_chunk
from dashboard.stored import StoredResult
from lime_core import ModelUnavailableError
from lime_core.neighbourhood import FitResult
from lime_core.predictor import BlackBox

from . import models, state

if TYPE_CHECKING:
    from .live import LiveRun


def explain(
    text: str,
    model: Any,
    model_name: str,
    model_title: str,
    options: state.ExplainOptions,
    *,
    label: str = "Explaining",
    batch_size: int | None = None,
    languages: tuple[str, ...] = (),
    running_key: str | None = None,
    source: state.ModelSource | None = None,
    live: LiveRun | None = None,
) -> tuple[state.RunResult | None, str | None]:
    """Fit an explainer with a progress bar; return ``(result, None)`` or ``(None, message)``.

    The result keeps the fit as data, not the explainer or ``model``; ``source`` says how to get the model
    again for a later faithfulness check (None: no later check).

    ``running_key`` (a page's name) marks the run in :data:`state.RUNNING` until it ends; a run that Streamlit
    stops (the user left the page or changed a widget) leaves the mark, and the page says so on return.

    ``live`` (automatic sampling): results while they compute (:mod:`ui.live`). Each round's result is drawn
    here, marked preliminary, and refined in place; a Stop button keeps the latest round as a result that says it
    was stopped early. Call it where the page's result goes, after an ``st.empty()`` in the older result's place, so
    nothing of the older result shows beside the rounds (app_pages/explain.py).
    """
    problem = check_text(text)
    if problem:
        return None, problem
    if running_key is not None:
        state.mark_running(running_key, text, model_title)
    if batch_size is None:
        batch_size = progress_chunk(model)
    explainer = options.make_explainer(cache=models.prediction_cache(), batch_size=batch_size)
    estimate = TimeLeft(
        prior_seconds_per_call=state.seconds_per_call(model_name),
        max_calls=options.max_samples if options.auto else None,
    )
    bar = st.progress(0.0, text=f"{label}: {estimate.message()}")

    def progress(done: int, total: int) -> None:
        estimate.update(done, total)
        bar.progress(estimate.fraction, text=f"{label}: {estimate.message()}")

    started = time.perf_counter()
    on_round = None
    if live is not None and options.auto:  # a fixed count is one round: nothing to show before it ends

        def as_result(fit: FitResult) -> state.RunResult:
            elapsed = time.perf_counter() - started
            return state.RunResult(text, model_name, model_title, fit, options, elapsed, tuple(languages), source)

        on_round = live.rounds(as_result)
    try:
        explainer.fit(text, model, progress=progress, on_round=on_round)
        if live is not None:
            live.sampling_done()
        result = state.RunResult(
            text=text,
            model_name=model_name,
            model_title=model_title,
            fit=explainer.fit_result_,
            options=options,
            elapsed=0.0,
            languages=tuple(languages),
            source=source,
        )
        result.explanation()  # the trust figures (intervals, refits) now, so the time and any error belong here
    except Exception as exc:  # lime_core's errors carry user-facing messages; anything else is logged
        state.clear_running(running_key)
        if live is not None:
            live.finished()
        return None, models.user_message(exc)
    finally:  # also when Streamlit stops the run (a BaseException): then the running mark stays
        bar.empty()
    state.clear_running(running_key)
    if live is not None:
        live.finished()
    result.elapsed = time.perf_counter() - started
    state.remember_rate(model_name, result.elapsed, result.n_model_calls + result.n_check_calls)
    return result, None


def measure_faithfulness(result: state.RunResult | StoredResult, class_name: str) -> str | None:
    """Run the faithfulness check for another class (a few dozen model calls); a message on failure.

    The model is got again from the result's :class:`~ui.state.ModelSource`: a bundled model from the
    process's cache, a remote one built for this request (its token read from the page's field now).
    """
    try:
        with st.spinner(f"Asking the model about texts without the top words of \u201c{class_name}\u201d\u2026"):
            source = result.source if isinstance(result, state.RunResult) else None
            if source is None:  # a stored result, or one whose model cannot be asked again: it says why
                result.measure_faithfulness(class_name)
            else:
                with black_box_for(source) as black_box:
                    result.measure_faithfulness(class_name, black_box)
    except Exception as exc:
        return models.user_message(exc)
    return None


def compare_methods(result: state.RunResult | StoredResult, class_name: str | None) -> str | None:
    """KernelSHAP and occlusion beside LIME for one class (the methods' model calls); a message on failure."""
    if not isinstance(result, state.RunResult):
        return (
            f"this explanation was loaded from {result.origin}, which keeps no model or samples; paste the text on "
            "the Explain page to compare methods"
        )
    try:
        with st.spinner("Asking the model about the texts KernelSHAP and occlusion need\u2026"):
            if result.source is None:
                result.compare_methods(class_name)
            else:
                with black_box_for(result.source) as black_box:
                    result.compare_methods(class_name, black_box)
    except Exception as exc:
        return models.user_message(exc)
    return None


@contextmanager
def black_box_for(source: state.ModelSource) -> Iterator[BlackBox]:
    """The source's model behind the process's prediction cache, for one request; a remote one is closed after."""
    if source.kind == state.REMOTE:
        from . import remote

        classifier = remote.make_classifier(source.connection)
        try:
            yield BlackBox(classifier, cache=models.prediction_cache(), batch_size=source.connection.batch_size * 2)
        finally:
            classifier.close()
        return
    model, error = models.get_model(source.name)
    if model is None:
        raise ModelUnavailableError(error or f"{source.name} is not available")
    yield BlackBox(model, cache=models.prediction_cache(), batch_size=progress_chunk(model))


def explain_bundled(
    text: str,
    model_name: str,
    options: state.ExplainOptions,
    *,
    label: str = "Explaining",
    running_key: str | None = None,
    live: LiveRun | None = None,
) -> tuple[state.RunResult | None, str | None]:
    """Explain with one of the bundled models, loading it (once per process) if needed."""
    problem = check_text(text)
    if problem:
        return None, problem
    info = models.model_info(model_name)
    if info is not None and not info.available:
        return None, f"{info.title} is not available: {info.reason}"
    with st.spinner(f"Loading {info.title if info else model_name}\u2026"):
        model, error = models.get_model(model_name)
    if model is None:
        return None, error
    return explain(
        text,
        model,
        model_name,
        info.title if info else model_name,
        options,
        label=label,
        languages=info.languages if info else (),
        running_key=running_key,
        source=state.ModelSource(state.BUNDLED, model_name),
        live=live,
    )
