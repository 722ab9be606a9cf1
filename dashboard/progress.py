"""Progress over model calls and an estimate of the time left, for progress bars.

:class:`TimeLeft` is fed the ``progress(done, total)`` callbacks of
:meth:`lime_core.explainer.TextExplainer.fit` and says how far along the
explanation is and roughly how long is left. It is pure logic (an injectable
clock) so the dashboard's bar and its tests share it.

Until the first batch has come back there is no measured rate; a rate from an
earlier run on the same model (``prior_seconds_per_call``) is used then, and
otherwise the message says the time is being estimated.

Automatic sampling (``n_samples="auto"``) does not know its total in advance:
each round reports the calls so far against the calls so far plus that
round's. With ``max_calls`` (the sample cap) the bar measures progress
towards that cap, so it never moves back between rounds, and the time left
is an upper bound ("at most ...").
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


def format_duration(seconds: float) -> str:
    """A rough, human duration: "less than a second", "about 8 s", "about 2 min"."""
    if not math.isfinite(seconds) or seconds < 0:
        return "unknown"
    if seconds < 1:
        return "less than a second"
    if seconds < 60:
        return f"about {math.ceil(seconds)} s"
    minutes = seconds / 60
    if minutes < 60:
        return f"about {round(minutes)} min"
    return f"about {minutes / 60:.1f} h"


def upper_bound(seconds: float) -> str:
    """A bound, rounded up: "40 s", "3 min" (no "about": it is a limit, not an estimate)."""
    if seconds < 60:
        return f"{math.ceil(seconds)} s"
    return f"{math.ceil(seconds / 60)} min"


class TimeLeft:
    """Tracks ``done`` of ``total`` model calls and estimates the time left."""

    def __init__(
        self,
        prior_seconds_per_call: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_calls: int | None = None,
    ) -> None:
        self.prior = prior_seconds_per_call if prior_seconds_per_call and prior_seconds_per_call > 0 else None
        self.clock = clock
        self.max_calls = max_calls if max_calls and max_calls > 0 else None
        self.started = clock()
        self.done = 0
        self.total: int | None = None
        self._first_done_at: float | None = None  # time of the first callback (done=0): model calls start here

    def update(self, done: int, total: int) -> None:
        if self._first_done_at is None:
            self._first_done_at = self.clock()
        self.done = max(0, int(done))
        self.total = max(0, int(total))

    @property
    def fraction(self) -> float:
        """Share of the model calls done, in [0, 1] (1 when nothing needs calling; of the cap when adaptive)."""
        if self.max_calls is not None:
            return min(1.0, self.done / max(self.max_calls, self.total or 0))
        if not self.total:
            return 1.0 if self.total == 0 else 0.0
        return min(1.0, self.done / self.total)

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    def seconds_per_call(self) -> float | None:
        """The measured rate once some calls are done, else the prior (or None)."""
        if self.done > 0 and self._first_done_at is not None:
            spent = self.clock() - self._first_done_at
            if spent > 0:
                return spent / self.done
        return self.prior

    def seconds_left(self) -> float | None:
        if self.total is None:
            return None
        remaining = self.total - self.done
        if remaining <= 0:
            return 0.0
        rate = self.seconds_per_call()
        return None if rate is None else remaining * rate

    def message(self) -> str:
        """One line for the progress bar."""
        if self.total is None:
            return "Preparing variations of the text\u2026"
        if self.max_calls is not None:
            return self._adaptive_message(self.max_calls)
        if self.total == 0:
            return "All predictions were already known: no model calls needed."
        left = self.seconds_left()
        head = f"Model calls: {self.done:,} of {self.total:,}"
        if self.done >= self.total:
            return f"{head} \u2013 fitting the explanation\u2026"
        if left is None:
            return f"{head} \u2013 estimating time left\u2026"
        return f"{head} \u2013 {format_duration(left)} left"

    def _adaptive_message(self, max_calls: int) -> str:
        head = (
            f"Model calls: {self.done:,} so far (automatic: stops when the top words settle, "
            f"at most {max_calls:,} samples)"
        )
        if self.total is not None and self.done >= self.total:
            return f"{head} \u2013 checking whether the top words have settled\u2026"
        # The time left is not known: sampling may stop after any round. Say what is known (the time so far) and
        # the bound of the cap, never "about N left" (a 22 s run once read "about 2 min left").
        so_far = f"{self.elapsed:.0f} s so far"
        rate = self.seconds_per_call()
        if rate is None:
            return f"{head} \u2013 {so_far}"
        bound = max(0, max_calls - self.done) * rate
        if bound < 1:
            return f"{head} \u2013 {so_far}, less than a second more at most"
        return f"{head} \u2013 {so_far}; it may stop after any round, and the whole cap would take at most " \
            f"{upper_bound(bound)} more"
