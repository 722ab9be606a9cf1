"""The request budget of one explanation against a (possibly paid) API.

Every HTTP attempt that is part of a prediction counts, retries included; a
prediction that would need more than ``max_requests`` requests in total is
refused before anything is sent, and every single attempt is checked again
(retries may use up what is left). Probes outside an explanation (the
connection test) are counted in ``total`` only.
"""

from __future__ import annotations

import math

from ...errors import BudgetExceededError


class RequestBudget:
    """Counts the requests of one explanation against ``max_requests`` (None: no limit).

    ``sent`` is the explanation's count (back to 0 on :meth:`reset`); ``total``
    counts every attempt since the model was created, probes included.
    """

    def __init__(self, max_requests: int | None) -> None:
        if max_requests is not None and max_requests < 1:
            raise ValueError("max_requests must be at least 1 (or None for no limit)")
        self.max_requests = max_requests
        self.sent = 0
        self.total = 0

    @staticmethod
    def requests_for(n_texts: int, batch_size: int) -> int:
        """Requests that ``n_texts`` texts need at ``batch_size`` texts per request (retries not included)."""
        return math.ceil(n_texts / batch_size)

    def check_room(self, needed: int, n_texts: int, *, url: str, batch_size: int, what: str | None = None) -> None:
        """Raise :class:`BudgetExceededError` if ``needed`` more requests would pass the limit."""
        if self.max_requests is None:
            return
        if self.sent + needed > self.max_requests:
            already = f", {self.sent} already sent" if self.sent else ""
            cost = (
                f"{what} needs {needed} request" + ("s" if needed != 1 else "")
                if what
                else f"{n_texts} texts need {needed} requests to {url} ({batch_size} texts per request)"
            )
            raise BudgetExceededError(
                f"{cost} but the budget allows {self.max_requests} per explanation{already}; "
                "use fewer samples or raise max_requests"
            )

    def check_attempt(self, url: str) -> None:
        """Raise :class:`BudgetExceededError` when not even one more attempt is allowed."""
        if self.max_requests is not None and self.sent >= self.max_requests:
            raise BudgetExceededError(
                f"the budget of {self.max_requests} requests to {url} ran out (retries count too); "
                "try again later or raise max_requests"
            )

    def record_attempt(self, budgeted: bool) -> None:
        """Count one attempt that is about to be sent (``budgeted``: part of the explanation)."""
        if budgeted:
            self.sent += 1
        self.total += 1

    def reset(self) -> None:
        """Start a new explanation: ``sent`` goes back to 0."""
        self.sent = 0

    def __repr__(self) -> str:
        return f"RequestBudget(max_requests={self.max_requests}, sent={self.sent}, total={self.total})"
