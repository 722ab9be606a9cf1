"""The Compare page's pair as plain data, free of Streamlit: what each side shows, what Stop keeps, and the one
colour scale and axis over what is shown.

The two sides are explained one after the other (left, then right), each with automatic sampling's rounds drawn in
place while it computes (ui.live). :class:`LivePair` is the run's state between rounds: the sides finished so far and
the side that is running. One Stop for the pair ends the running side and keeps what is on screen: the finished side
as it is, the running side's latest round marked as stopped early (:meth:`RunResult.kept_early`), and a side that had
not begun is left out. The colour scale and axis are always computed over the results shown, so a stopped or
preliminary side is drawn on the scale of what is beside it, and says what it is (:func:`side_status`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lime_core.explanation import TargetExplanation
from lime_core.formatters.highlight import default_scale

from .examples import COMPARE_CLASS
from .report import max_abs_weight
from .results import RunResult

SIDES = {"left": "Left", "right": "Right"}  # the order the sides are explained in, and their titles
TOP = 8  # the top words each side's chart shows (and the shared axis covers)
AXIS_MARGIN = 1.05  # the shared axis reaches this far past the largest weight or interval end shown

FINISHED = "finished"
PRELIMINARY = "preliminary"
STOPPED = "stopped early"
COMPUTING = "computing"
WAITING = "waiting"
NOT_RUN = "not explained"
FAILED = "failed"


def side_status(result: RunResult | None) -> str:
    """What a kept side is: a finished result, a round kept by Stop, or nothing (Stop was pressed before it began);
    a round drawn while sampling goes on is preliminary."""
    if result is None:
        return NOT_RUN
    if result.preliminary:
        return PRELIMINARY
    return STOPPED if result.stopped_early else FINISHED


def default_class(results: Iterable[RunResult]) -> str | None:
    """The class both sides explain until the user picks one: like with like when the sides share their classes
    (the story's class, else the first side's prediction); None (each side's predicted class) when they do not."""
    shown = list(results)
    if not shown or any(r.class_names != shown[0].class_names for r in shown[1:]):
        return None
    return COMPARE_CLASS if COMPARE_CLASS in shown[0].class_names else shown[0].predicted_class


def target_of(result: RunResult, class_name: str | None) -> TargetExplanation:
    """The side's explanation of ``class_name`` (None: its predicted class): a round's without the checks of a finished
    result, which are not made while sampling goes on."""
    if result.preliminary:
        return result.preliminary_explanation(class_name).targets[0]
    if class_name is not None and class_name not in result.class_names:
        class_name = None
    return result.explanation(class_name).targets[0]


def shared_scale(targets: list[TargetExplanation]) -> tuple[float, float]:
    """The colour scale and the weights axis over the targets shown: ``(scale, domain)``."""
    return default_scale(targets), max_abs_weight(targets, top=TOP, intervals=True) * AXIS_MARGIN


@dataclass
class LivePair:
    """A pair being explained: the sides finished so far, the side running now and its latest round."""

    done: dict[str, RunResult] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # side -> its error message
    running: str | None = None
    interim: RunResult | None = None  # the running side's latest round (preliminary)

    def start(self, side: str) -> None:
        self.running, self.interim = side, None

    def round(self, result: RunResult) -> None:
        self.interim = result

    def finish(self, side: str, result: RunResult | None, error: str | None = None) -> None:
        """The side ended on its own: with its result, or with an error message."""
        if result is not None:
            self.done[side] = result
        else:
            self.failed[side] = error or "no result"
        self.running, self.interim = None, None

    def shown(self) -> dict[str, RunResult]:
        """Each side's result on screen now, in the sides' order: finished, or the running side's latest round."""
        now = dict(self.done)
        if self.running is not None and self.interim is not None:
            now[self.running] = self.interim
        return {side: now[side] for side in SIDES if side in now}

    def status(self, side: str) -> str:
        """What a side shows while the pair computes: also computing (before its first round), waiting for its turn,
        or failed."""
        if side in self.failed:
            return FAILED
        shown = self.shown().get(side)
        if shown is None:
            return COMPUTING if side == self.running else WAITING
        return side_status(shown)

    def kept_on_stop(self) -> dict[str, RunResult]:
        """What Stop keeps: the finished sides as they are, the running side's latest round marked as stopped early;
        a side that had not begun (or whose first round had not come) is left out."""
        return {side: r.kept_early() if r.preliminary else r for side, r in self.shown().items()}


def pair_note(pair: Mapping[str, RunResult]) -> str | None:
    """The sentence over a kept pair with a stopped or missing side ("" parts joined); None for two finished sides."""
    stopped = [SIDES[s] for s in SIDES if side_status(pair.get(s)) == STOPPED]
    missing = [SIDES[s] for s in SIDES if s not in pair]
    if not stopped and not missing:
        return None
    parts = ["The comparison was stopped early."]
    if stopped:
        sides = " and ".join(stopped)
        parts.append(
            f"{sides} {'is' if len(stopped) == 1 else 'are'} the latest round of sampling, kept before the top words "
            "had settled: the error bars show how far each weight may still move."
        )
    if missing:
        parts.append(f"{' and '.join(missing)} was not explained: Stop was pressed before it began.")
    parts.append("The colour scale and the axis are those of the results shown. Press Explain both to finish.")
    return " ".join(parts)
