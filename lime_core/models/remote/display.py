"""Server text and URLs as they may appear in messages and logs.

Whatever a server says (an error body, a label, a host name typed by the user)
is untrusted: it is cut to one short line with control characters made
visible, and a URL is shown without its user info, query or fragment.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ...terminal import printable

__all__ = ["MAX_SERVER_EXCERPT", "one_line", "printable", "redact_url", "safe_url", "url_carries_secrets"]

# Query parameters whose value is a secret by their name (api_key, access_token, X-Amz-Signature, sig, ...).
_SECRET_PARAMETER = re.compile(r"(?i)(key|token|secret|pass|pwd|auth|sig|credential|session|cookie|jwt|bearer)")

MAX_SERVER_EXCERPT = 200


def one_line(value: Any, limit: int = MAX_SERVER_EXCERPT) -> str:
    """``value`` (a string, or JSON-able data) as one printable line of at most ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(printable(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def safe_url(url: str) -> str:
    """The URL without user info, query or fragment: what may be shown, logged and used as a cache key."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def url_carries_secrets(url: str) -> bool:
    """Whether ``url`` holds user info or a secret-looking query parameter (what :func:`redact_url` takes out)."""
    try:
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            return True
    except ValueError:
        return "@" in url
    return any(_SECRET_PARAMETER.search(name) for name, _ in parse_qsl(parts.query, keep_blank_values=True))


def redact_url(url: str) -> str:
    """The URL as it may be stored (``run.json``) and shown: no user info, no fragment, and secret-looking query
    parameters (by name: ``api_key``, ``token``, ``sig``, ...) with ``***`` for a value; other parameters stay,
    since they may choose the model."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return printable(url.split("@")[-1].split("?")[0])[:200]
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port else "")
    query = [
        (name, "***" if _SECRET_PARAMETER.search(name) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), ""))
