"""Untrusted text made safe for a terminal: labels, words and server messages must not drive it.

A label from a server can hold ESC (recolour the screen, move the cursor), BEL,
CR or LF (forge a line such as "Trust: Trustworthy") or a bidirectional override
(show text in another order than it is stored). Every output of the CLI goes
through one of these: plain text gets visible escapes, JSON ``\\uXXXX`` escapes
and HTML numeric references, so the data a program reads back is unchanged.
"""

from __future__ import annotations

from typing import Any

# "Printable" is str.isprintable's rule: not C0/C1 controls, DEL, format characters (bidi overrides and isolates,
# zero-width marks), separators other than the space (U+2028/2029), surrogates, private use or unassigned.


def printable(text: str) -> str:
    """``text`` with every character a terminal could act on shown as a visible escape (``\\x1b``, ``\\u202e``)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def printable_data(value: Any) -> Any:
    """Plain data (dicts, lists, tuples, strings, numbers) with every string, keys included, made :func:`printable`."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(printable_data(v) for v in value)
    return value


def json_for_terminal(text: str) -> str:
    """A JSON text with its unprintable characters as ``\\uXXXX`` escapes (the same JSON; raw newlines are layout)."""
    return _escape_unprintable(text, _json_escape)


def html_for_terminal(text: str) -> str:
    """An HTML document with its unprintable characters as numeric references (the browser shows the same page)."""
    return _escape_unprintable(text, lambda c: f"&#x{ord(c):x};")


def _escape_unprintable(text: str, escape: Any) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in " \n" else escape(c) for c in text)


def _json_escape(c: str) -> str:
    code = ord(c)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON spells characters beyond the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
