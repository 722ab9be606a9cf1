"""Server text and URLs as they may appear in messages and logs.

Whatever a server says (an error body, a label, a host name typed by the user)
is untrusted: it is cut to one short line with control characters made
visible, and a URL is shown without its user info, query or fragment.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MAX_SERVER_EXCERPT = 200


def one_line(value: Any, limit: int = MAX_SERVER_EXCERPT) -> str:
    """``value`` (a string, or JSON-able data) as one printable line of at most ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(printable(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def printable(text: str) -> str:
    """Control characters (terminal escapes, CR, U+2028) as visible escapes: server text goes into messages."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def safe_url(url: str) -> str:
    """The URL without user info, query or fragment: what may be shown, logged and used as a cache key."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
