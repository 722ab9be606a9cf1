"""Results while they compute: each round of automatic sampling drawn in place, marked preliminary, and Stop.

A page passes a :class:`LiveRun` to :func:`ui.run.explain`. lime_core's ``fit(on_round=...)`` hands over each
round's fit as plain data; this module keeps it in ``st.session_state`` and draws it where the page's result
goes, marked as preliminary: the weights with their intervals, and no verdict or check (none has run yet). The
next round replaces it. With the first round a Stop button appears. Pressing it makes Streamlit stop the run at
its next draw and run the page again; the button's callback first keeps the latest round as the page's result,
its sampling record saying it was stopped early (:meth:`dashboard.results.RunResult.kept_early`), so its
verdict, reports and saved copies say so too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lime_core.explanation import Explanation
from lime_core.neighbourhood import FitResult
from lime_core.wording import LOCAL_CAVEAT

from . import state, views
from .text import md_escape

PRELIMINARY_CLASS = "lc-preliminary"  # the preliminary view's container key prefix (the browser test finds it)
STOP_LABEL = "Stop and keep this result"
STOP_HELP = (
    "Keep the result as it is now instead of waiting for the top words to settle. It is marked as stopped early, and "
    "its verdict says the top words had not settled."
)


@dataclass
class LiveRun:
    """One page's run drawn round by round: ``page`` its running key, ``result_key`` where Stop keeps the result,
    ``class_name`` the class the page's picker asks for (None: the predicted one).

    A page that shows more than one run at a time (Compare) passes ``draw``, which draws each round (with its number)
    where that page wants it, and ``stop``, Stop's callback, which keeps what that page shows (with its label and
    help); the round is kept under :attr:`interim_key` before either is called, as for any page.
    """

    page: str
    result_key: str
    class_name: str | None = None
    draw: Callable[[state.RunResult, int], None] | None = None  # None: the preliminary view, in place
    stop: Callable[[], None] | None = None  # None: keep the latest round under ``result_key`` (keep_stopped_run)
    stop_label: str = STOP_LABEL
    stop_help: str = STOP_HELP
    _slots: tuple[Any, ...] = field(default=(), repr=False)  # the Stop button's and the view's placeholders

    @property
    def interim_key(self) -> str:
        """Where the latest preliminary result waits while sampling goes on (for Stop to keep)."""
        return f"{self.page}.interim"

    def rounds(self, as_result: Callable[[FitResult], state.RunResult]) -> Callable[[FitResult], None]:
        """The ``on_round`` callback of the run: keep each round's result, then draw it in place."""
        st.session_state.pop(self.interim_key, None)
        stop_slot, view = self._slots = st.empty(), st.empty()
        drawn = [0]

        def on_round(fit: FitResult) -> None:
            interim = as_result(fit)
            st.session_state[self.interim_key] = interim  # before drawing: a draw is where Stop interrupts the run
            if not drawn[0]:  # from the first round on there is something to keep
                stop_slot.button(
                    self.stop_label,
                    key=f"{self.page}.stop",
                    icon=":material/stop_circle:",
                    help=self.stop_help,
                    on_click=self.stop or keep_stopped_run,
                    args=() if self.stop else (self.page, self.result_key),
                )
            drawn[0] += 1
            if self.draw is not None:
                self.draw(interim, drawn[0])
                return
            with view.container():
                preliminary_view(interim, self.class_name, drawn[0])

        return on_round

    def sampling_done(self) -> None:
        """Sampling has ended (the checks of the finished result may still run): nothing is left to stop."""
        st.session_state.pop(self.interim_key, None)
        if self._slots:
            self._slots[0].empty()

    def finished(self) -> None:
        """The run ended on its own (a result or an error): nothing waits to be kept, and the rounds go."""
        st.session_state.pop(self.interim_key, None)
        for slot in self._slots:
            slot.empty()


def keep_stopped_run(page: str, result_key: str) -> None:
    """The Stop button's callback (it runs before the page's next run): keep the latest round as a result that
    says it was stopped early, and end the run's mark so the page does not report the run as lost."""
    interim: state.RunResult | None = st.session_state.pop(LiveRun(page, result_key).interim_key, None)
    state.clear_running(page)
    if interim is None:
        return
    state.put(result_key, interim.kept_early())
    st.session_state[state.SCROLL_TO_RESULT] = page


def preliminary_line(result: state.RunResult) -> str:
    """What the preliminary view is: "Preliminary: round 2, 620 samples, 540 model calls, 1.4 s so far ..."."""
    sampling = result.fit.sampling
    rounds = "first look, part of round 1" if sampling.rounds == 0 else f"round {sampling.rounds}"
    return (
        f"**Preliminary result** ({rounds}: {sampling.n_samples:,} samples, {sampling.n_model_calls:,} model calls, "
        f"{result.elapsed:.1f} s so far). Sampling goes on until the top words settle, and this view is refined in "
        "place. The error bars show how far each weight may still move. The verdict and its checks come when "
        "sampling stops; nothing here can be saved or downloaded yet."
    )


def _marked(result: state.RunResult, explanation: Explanation, key: str) -> DeltaGenerator:
    """The preliminary view's frame, with its mark and headline drawn: the rest goes in the returned container."""
    frame = st.container(key=f"{PRELIMINARY_CLASS}-{key}", border=True)
    frame.info(preliminary_line(result), icon=":material/hourglass_top:")
    frame.markdown(views.headline_line(result.model_title, explanation, explanation.targets[0], verb="predicts"))
    return frame


def preliminary_view(result: state.RunResult, class_name: str | None, number: int) -> None:
    """A round's result: marked, with the highlighted text and the top words' weights and intervals only."""
    explanation = result.preliminary_explanation(class_name)
    target = explanation.targets[0]
    with _marked(result, explanation, str(number)):
        # Halves, stacked below 1,100 px like a result's rows (app.py): in two fifths of the bordered box the chart's
        # legend was cut at 1,400 px ("pushes aga"), and side by side at 800 px its axis and legend were.
        left, right = st.container(key=f"lc-stack-live-{number}").columns(2, gap="large")
        with left:
            st.markdown(f"##### Why \u201c{md_escape(target.class_name)}\u201d? (preliminary)")
            views.highlighted_text(explanation, target)
        with right:
            st.markdown("##### Top words so far")
            views.weights_section(target, top=8, confidence=result.fit.options.confidence)
        st.caption(LOCAL_CAVEAT)


def preliminary_side(
    result: state.RunResult, class_name: str | None, *, scale: float, domain: float, top: int, key: str
) -> None:
    """A round's result in a column beside another (the Compare page), marked, on the pair's colour scale and axis:
    the highlighted text and the top words' weights and intervals."""
    explanation = result.preliminary_explanation(class_name)
    target = explanation.targets[0]
    with _marked(result, explanation, key):
        st.markdown(f"##### Why \u201c{md_escape(target.class_name)}\u201d? (preliminary)")
        views.highlighted_text(explanation, target, scale=scale)
        views.weights_section(target, domain=domain, top=top, confidence=result.fit.options.confidence)
