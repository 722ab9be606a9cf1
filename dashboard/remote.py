"""The Remote API page's connection settings and the rule of which URLs the dashboard may call: plain data.

The page only calls URLs that ``LIME_REMOTE_ALLOW`` admits (default: loopback),
because the *server* makes the request: without the list, anyone who can open
the dashboard could make it POST to any host it can reach. A :class:`Connection`
holds no token: the token lives only in the page's password widget (``ui.remote``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lime_core import RemoteModelError
from lime_core.models.remote import DEFAULT_DEADLINE
from lime_core.net.policy import url_refusal
from lime_core.settings import ENV_REMOTE_ALLOW, get_settings


@dataclass(frozen=True)
class Connection:
    """What the page's settings say about the endpoint: its URL, texts per request, the request budget of one
    explanation, the deadline of one request, whether each label has its own probability."""

    url: str
    batch_size: int
    max_requests: int
    is_builtin: bool  # the dashboard's own model server
    deadline: float = DEFAULT_DEADLINE
    multi_label: bool = False


def check_allowed(url: str) -> None:
    """Raise RemoteModelError, naming the setting, when LIME_REMOTE_ALLOW does not admit ``url``."""
    reason = url_refusal(url, get_settings().remote_allow, ENV_REMOTE_ALLOW)
    if reason:
        raise RemoteModelError(
            f"this dashboard does not call that URL: {reason}. The operator can admit https hosts with "
            f"{ENV_REMOTE_ALLOW} (comma-separated host names, plus 'loopback' for this machine)"
        )
