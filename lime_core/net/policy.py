"""Which hosts may be sent what: the one definition of "loopback" and of the dashboard's URL allow-list.

Both rules look at the parsed host, never at a prefix of the string, and never
ask DNS: ``127.0.0.1.evil.example`` is an ordinary name that whoever owns
``evil.example`` resolves, so it is treated like any other remote host.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

_LOOPBACK_V4 = ipaddress.IPv4Network("127.0.0.0/8")
_LOOPBACK_V6 = ipaddress.IPv6Address("::1")

LOOPBACK = "loopback"
"""The allow-list entry that admits loopback URLs (http or https)."""
NONE = "none"
"""An allow-list of just ``none`` admits nothing (an empty setting means the default)."""
DEFAULT_ALLOW = LOOPBACK


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` (as :func:`urllib.parse.urlsplit` gives it) is loopback, without a DNS lookup.

    Only literal addresses in ``127.0.0.0/8``, ``::1`` and the name ``localhost`` count.
    """
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return address in _LOOPBACK_V4
    return address == _LOOPBACK_V6


def parse_allow_list(value: str | None) -> tuple[bool, frozenset[str]]:
    """``(loopback admitted, https host names)`` from a comma-separated setting; None means the default."""
    entries = [e.strip().lower().rstrip(".") for e in (DEFAULT_ALLOW if value is None else value).split(",")]
    entries = [e for e in entries if e and e != NONE]
    return LOOPBACK in entries, frozenset(e for e in entries if e != LOOPBACK)


def url_refusal(url: str, allow: str | None, setting: str) -> str | None:
    """Why ``url`` may not be called under the allow-list ``allow`` (None: it may). ``setting`` names the variable.

    Loopback URLs are admitted when the list holds ``loopback`` (the default); any other host only over
    https and only when the list names it exactly. Redirects are never followed, so an admitted host cannot
    point the request elsewhere.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "it is not a valid http(s) URL"
    if parts.scheme not in ("http", "https") or not host:
        return None  # not a URL at all: the client says so in its own words
    loopback, hosts = parse_allow_list(allow)
    if is_loopback_host(host):
        if loopback:
            return None
        return f"loopback addresses are not in {setting}"
    if host.lower().rstrip(".") not in hosts:
        listed = ", ".join(sorted(hosts)) if hosts else "none"
        return f"{host} is not in {setting} (https hosts admitted: {listed})"
    if parts.scheme != "https":
        return f"{host} is admitted by {setting} over https only"
    return None
