"""The Remote API page's parts: connection settings, the connection test, the request estimate.

The token lives only in its password widget. The
:class:`~lime_core.models.remote.RemoteClassifier` gets a function that reads
the widget at each request, not the token itself, and a session result keeps
no classifier at all: only the fit as data and the connection settings, from
which a later faithfulness check builds a new classifier. The token is never
written to session results, downloads or messages.

The page only calls URLs that ``LIME_REMOTE_ALLOW`` admits (default: loopback):
the settings and that rule are :mod:`dashboard.remote`'s.
"""

from __future__ import annotations

import streamlit as st

from dashboard.remote import Connection, check_allowed
from lime_core import LimeCoreError
from lime_core.model_source import open_remote_model
from lime_core.models.remote import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, RemoteClassifier
from lime_core.settings import ENV_API_TOKEN, get_settings
from lime_core.tokenization import get_tokenizer
from lime_core.trust.faithfulness import max_texts

from . import models, state
from .text import md_escape

URL_KEY = "remote.url"
TOKEN_KEY = "remote.token"
BATCH_KEY = "remote.batch_size"
BUDGET_KEY = "remote.max_requests"
DEADLINE_KEY = "remote.deadline"
MULTI_LABEL_KEY = "remote.multi_label"
ERROR = "remote.error"
NOTE = "remote.note"  # a note about the last attempt (a token sent to a server that does not check tokens)
TOKEN_FROM = f"the API token field (or {ENV_API_TOKEN})"


def default_url() -> tuple[str, str | None]:
    """LIME_API_URL when set, else the built-in server's URL (started now if needed)."""
    configured = get_settings().api_url
    if configured:
        return configured, None
    url, error = models.local_server_url()
    return url or "", error


def settings_form() -> Connection:
    default, error = default_url()
    if URL_KEY not in st.session_state:
        st.session_state[URL_KEY] = default
    builtin_url, _ = models.local_server_url() if not get_settings().api_url else (default, None)
    url = st.text_input(
        "Endpoint URL",
        key=URL_KEY,
        help="A text-classification endpoint in the Hugging Face Inference API format. By default the "
        "dashboard's own model server (20 Newsgroups topics), which needs no account.",
    ).strip()
    is_builtin = bool(builtin_url) and url == builtin_url
    if error and not url:
        st.error(error, icon=":material/error:")
    st.text_input(
        "API token",
        key=TOKEN_KEY,
        type="password",
        placeholder="Not needed for the built-in server",
        help="Sent only to the URL above, as a bearer token. It is not shown again, not stored on disk, not "
        "logged and not included in any download. Leave empty to use LIME_API_TOKEN, if set.",
    )
    c1, c2 = st.columns(2)
    batch_size = c1.number_input(
        "Texts per request", min_value=1, max_value=256, value=64, step=1, key=BATCH_KEY,
        help="How many texts go in one request.",
    )
    max_requests = c2.number_input(
        "Request budget", min_value=1, max_value=10_000, value=200, step=10, key=BUDGET_KEY,
        help="The most requests one explanation may send; a larger one is refused before anything is sent.",
    )
    deadline = st.number_input(
        "Deadline per request (s)", min_value=1, max_value=600, value=int(DEFAULT_DEADLINE), step=5, key=DEADLINE_KEY,
        help="The most one request may take, connecting, sending and the whole answer together. Answers over "
        f"{DEFAULT_MAX_RESPONSE_BYTES // 2**20} MB (also once decompressed) are refused.",
    )
    multi_label = st.checkbox(
        "Multi-label model",
        key=MULTI_LABEL_KEY,
        help="Each label gets its own probability and the scores need not sum to 1 (a Hugging Face multi-label "
        "checkpoint). Each label is then explained as its own yes/no question, all from the same requests.",
    )
    if is_builtin:
        st.caption("Built-in server: the 20 Newsgroups topic model served over HTTP on this machine.")
    return Connection(
        url=url,
        batch_size=int(batch_size),
        max_requests=int(max_requests),
        is_builtin=is_builtin,
        deadline=float(deadline),
        multi_label=bool(multi_label),
    )


def widget_token() -> str | None:
    """The token as the password field holds it now, else LIME_API_TOKEN; read at each request, never kept."""
    typed = st.session_state.get(TOKEN_KEY)
    typed = typed.strip() if isinstance(typed, str) else ""
    return typed or get_settings().api_token


def token_given() -> bool:
    return widget_token() is not None


def make_classifier(conn: Connection) -> RemoteClassifier:
    """A classifier for one action. Raises RemoteModelError for an unusable or refused URL, before any request."""
    check_allowed(conn.url)
    return open_remote_model(
        conn.url,
        max_requests=conn.max_requests,
        deadline=conn.deadline,
        multi_label=conn.multi_label,
        token=widget_token,
        token_from=TOKEN_FROM,
        batch_size=conn.batch_size,
        max_retries=1,
        read_timeout=30.0,
    )


def user_message(exc: BaseException) -> str:
    """Like models.user_message, but a URL at the start keeps its lower case."""
    if not isinstance(exc, LimeCoreError):
        return models.user_message(exc)
    return sentence(str(exc).strip() or type(exc).__name__)


def sentence(text: str) -> str:
    """Capitalised like a sentence, except that a leading URL stays as it is ("http://", not "Http://")."""
    if text.lower().startswith(("http://", "https://")):
        return text
    return text[:1].upper() + text[1:]


def test_connection(conn: Connection) -> tuple[bool, str]:
    if not conn.url:
        return False, "Enter the endpoint URL first."
    try:
        report = make_classifier(conn).test_connection()
    except Exception as exc:
        return False, user_message(exc)
    message = sentence(report.message)
    if report.ok and report.class_names:
        message += ": " + ", ".join(report.class_names[:8]) + ("\u2026" if len(report.class_names) > 8 else "")
    if report.token_checked is False:
        message += ". " + UNCHECKED_TOKEN_NOTE
    return report.ok, message


UNCHECKED_TOKEN_NOTE = (
    "Note: a token was sent, but this server also answers without one, so it does not check tokens "
    "(anyone who can reach it can use it)."
)


def faithfulness_texts(text: str) -> int:
    """At most how many texts the faithfulness check sends for ``text``: lime_core's bound, every token counted
    as a distinct word (:func:`lime_core.trust.faithfulness.max_texts`).
    """
    return max_texts(len(get_tokenizer("words").tokenize(text)))


def request_estimate(conn: Connection, options: state.ExplainOptions, text: str = "") -> None:
    """Say how many requests an explanation will send, before it runs (``requests_needed``, worst case)."""
    if not conn.url:
        return
    n_samples = options.sample_budget
    try:
        classifier = make_classifier(conn)
        needed = classifier.requests_needed(n_samples)
        check = classifier.requests_needed(faithfulness_texts(text)) + 1 if options.faithfulness and text else 0
    except Exception:  # an unusable URL is reported when the user acts on it
        return
    probe = 1 if conn.multi_label else 0  # a multi-label model is asked about the text first, to pick its label
    needed += check + probe
    samples = f"up to {n_samples:,} samples (automatic)" if options.auto else f"{n_samples:,} samples"
    also = f", {check} for the faithfulness check" if check else ""
    also += ", one for the text itself" if probe else ""
    text = (
        f"An explanation with {samples} sends **at most {needed + 1:,} requests** "
        f"({conn.batch_size} texts each{also}, plus one to learn the labels); your budget is {conn.max_requests:,}."
    )
    if needed + 1 > conn.max_requests:
        st.warning(text + " Lower the samples in the sidebar or raise the budget.", icon=":material/warning:")
    else:
        st.caption(text)


def show_connection() -> None:
    outcome = state.get(state.REMOTE_CONNECTION)
    if outcome is None:
        return
    ok, message = outcome
    (st.success if ok else st.error)(md_escape(message), icon=":material/check_circle:" if ok else ":material/error:")
