"""Exceptions raised by lime_core.

Every message is meant to be shown to a user as it is: one line that says what
went wrong and, where possible, what to do. None of them may contain a secret
(API tokens are never formatted into an error).
"""

from __future__ import annotations


class LimeCoreError(Exception):
    """Base class of every error lime_core raises on purpose."""


class InputTextError(LimeCoreError, ValueError):
    """The text to explain is unusable (empty, whitespace only, too long)."""


class ModelOutputError(LimeCoreError):
    """A black box returned something that is not a valid probability matrix."""


class ModelUnavailableError(LimeCoreError):
    """A model cannot be loaded (missing weights, no network, unknown name)."""


class RemoteModelError(LimeCoreError):
    """A remote model answered badly or not at all."""


class RemoteAuthError(RemoteModelError):
    """The remote model refused the credentials (HTTP 401/403)."""


class BudgetExceededError(RemoteModelError):
    """An explanation would need more remote requests than the budget allows."""


class WorkLimitError(LimeCoreError, ValueError):
    """An explanation would need more samples (or samples x text length) than lime_core.limits allows."""
