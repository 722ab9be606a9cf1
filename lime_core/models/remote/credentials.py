"""The API token of a remote model: where it comes from, where it may go, and keeping it out of text.

* It is never logged, never part of a ``repr``/``str``, never pickled, and
  redacted from every message even when a server echoes it back.
* It goes over plain http only to a literal loopback address (``127.0.0.0/8``,
  ``::1``) or ``localhost``: the host is parsed, not matched as a string, and
  the refusal comes before any connection or DNS lookup.
* It may be a callable read at each request (the dashboard's password field),
  so that no long-lived object has to hold it; ``None`` reads ``LIME_API_TOKEN``
  (through :mod:`lime_core.settings`) at each request.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ...errors import RemoteModelError
from ...net.policy import is_loopback_host
from ...settings import ENV_API_TOKEN, get_settings
from .display import printable

logger = logging.getLogger(__name__)
# A shorter token is warned about (easily guessed) and redacted only as a whole token, not inside other words.
SHORT_TOKEN = 8
_AFTER_BEARER = re.compile(r"(?i)(bearer)\s+[^\s\"',;]+")
TOKEN_ENV_VAR = ENV_API_TOKEN  # read through lime_core.settings; named again here for messages (public name)
TokenSource = str | Callable[[], "str | None"] | None


class _Secret:
    """Holds the token so that an accidental print, repr or f-string shows nothing."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("an API token cannot be pickled")


class BearerToken:
    """Where one remote model's token is read from, and the rule for sending it to ``scheme://host``.

    A string is kept (the caller chose to hand it over); a callable is asked at
    each request; ``None`` reads the settings at each request. The guard runs
    at construction, before anything is sent, and again at every request: a
    callable or the environment may have a token by then.
    """

    def __init__(self, token: TokenSource, *, scheme: str, host: str, allow_insecure: bool = False) -> None:
        self.scheme, self.host, self.allow_insecure = scheme, host, bool(allow_insecure)
        self._source: _Secret | Callable[[], str | None] | None
        if isinstance(token, str):
            self._source = _Secret(token.strip()) if token.strip() else None
        elif token is None or callable(token):
            self._source = token
        else:
            raise TypeError("token must be a string, a callable returning one, or None")
        self._warned = False
        self.guard(self.current())
        self.warn_if_short()

    def current(self) -> str | None:
        """The token as it is now (stripped; None when there is none)."""
        source = self._source
        if isinstance(source, _Secret):
            return source.reveal()
        value = get_settings().api_token if source is None else source()
        return value.strip() or None if isinstance(value, str) else None

    def for_request(self) -> str | None:
        """The token to send with one request, after the plain-http guard."""
        token = self.current()
        self.guard(token)
        self.warn_if_short()
        return token

    @property
    def present(self) -> bool:
        """Whether a token will be sent (the token itself is never exposed)."""
        return self.current() is not None

    def guard(self, token: str | None) -> None:
        """Refuse (before any connection or DNS lookup) to send a token over plain http to a non-loopback host."""
        if token and self.scheme == "http" and not is_loopback_host(self.host) and not self.allow_insecure:
            raise RemoteModelError(
                f"refusing to send the API token over plain http to {printable(self.host)[:80]}: without TLS "
                "only a loopback address (127.0.0.0/8, ::1, localhost) may receive it; use an https URL"
            )

    def redact(self, text: str) -> str:
        """``text`` with the token (also URL-quoted) and anything after ``Bearer`` replaced by ``***``."""
        return self.redactor()(text)

    def redactor(self) -> Callable[[str], str]:
        """:meth:`redact` for the token as it is now, read once (for redacting many labels of one answer).

        A token shorter than :data:`SHORT_TOKEN` characters is replaced only where it stands as a whole token
        (not inside a word or a number): token ``0`` must not turn ``127.0.0.1`` into ``127.***.***.1``.
        """
        secret = self.current()
        forms = sorted({secret, quote(secret, safe="")}, key=len, reverse=True) if secret else []
        if secret and len(secret) < SHORT_TOKEN:
            alternatives = "|".join(re.escape(form) for form in forms)
            pattern: re.Pattern[str] | None = re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-]|\.\w)")
        elif forms:
            pattern = re.compile("|".join(re.escape(form) for form in forms))
        else:
            pattern = None

        def redact(text: str) -> str:
            if pattern is not None:
                text = pattern.sub("***", text)
            return _AFTER_BEARER.sub(r"\1 ***", text)

        return redact

    def warn_if_short(self) -> None:
        """Warn once about a token shorter than :data:`SHORT_TOKEN` characters (a guessable secret)."""
        token = self.current()
        if token and len(token) < SHORT_TOKEN and not self._warned:
            self._warned = True
            logger.warning(
                "the API token is %d characters long; a token under %d characters is easily guessed, and is "
                "redacted from messages only where it stands as a whole word",
                len(token),
                SHORT_TOKEN,
            )

    def __repr__(self) -> str:
        return "BearerToken(<secret>)"  # not even whether one is set: that would call the token source

    def __getstate__(self) -> dict[str, Any]:
        # A pickled model may end up in a cache on disk: the copy reads the token from the environment.
        return {**self.__dict__, "_source": None}
