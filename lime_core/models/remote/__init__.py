"""A text classifier that lives behind an HTTP API (possibly a paid one).

:class:`RemoteClassifier` satisfies the :class:`~lime_core.classifier.TextClassifier`
contract by POSTing texts to a URL. LIME asks a model for thousands of
predictions per explanation, so pointing it at a metered API is a way to spend
money by accident; everything here is built so that cannot happen silently:

* texts are sent in batches (``batch_size`` per request) and every answer is
  cached in memory by text, so a repeated perturbation costs nothing;
* a per-explanation request budget (``max_requests``) is checked *before*
  anything is sent (:meth:`RemoteClassifier.check_budget`) and enforced on every
  single HTTP attempt, retries included;
* the API token is never logged, never part of ``repr``/``str``/``cache_key``,
  never pickled, and redacted from every error message even when the server
  echoes it back;
* either every batch succeeds and a full matrix is returned, or an exception is
  raised -- never a partial matrix;
* every request has a total ``deadline`` (connect, send and the whole answer) and
  its answer a size cap (``max_response_bytes``, also after decompression), and the
  JSON is checked for depth before it is parsed (:mod:`lime_core.net.client`);
* a token goes over plain http only to a literal loopback address (``127.0.0.0/8``,
  ``::1``) or ``localhost``: the host is parsed, not matched as a string, and a
  refusal comes before any connection or DNS lookup;
* the token may be a callable read at each request (the dashboard's password
  field), so that no long-lived object has to hold it.

The wire format is pluggable (:class:`ResponseFormat`); the default is the
Hugging Face Inference API text-classification format
(:class:`HFInferenceFormat`), which :mod:`lime_core.net.server` also speaks.

One job per module:

* :mod:`.wire` -- request bodies and answers (:class:`ResponseFormat`, :class:`HFInferenceFormat`);
* :mod:`.labels` -- the class order and the alignment of answers to it;
* :mod:`.credentials` -- the token: its source, the plain-http rule, redaction;
* :mod:`.transport` -- one POST with retries, JSON limits and error wording, over :mod:`.._http`;
* :mod:`.budget` -- the per-explanation request count and its limit;
* :mod:`.connection` -- the connection test and its report;
* :mod:`.classifier` -- :class:`RemoteClassifier`, which puts them together and keeps the answers;
* :mod:`.display` -- server text and URLs as they may be shown.
"""

from __future__ import annotations

from .budget import RequestBudget
from .classifier import RemoteClassifier
from .connection import PROBE_TEXT, ConnectionReport
from .credentials import TOKEN_ENV_VAR, TokenSource
from .display import safe_url
from .labels import align_scores, label_sort_key
from .transport import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    MAX_JSON_DEPTH,
    RETRY_STATUSES,
    json_depth,
)
from .wire import HFInferenceFormat, ResponseFormat

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MAX_JSON_DEPTH",
    "PROBE_TEXT",
    "RETRY_STATUSES",
    "TOKEN_ENV_VAR",
    "ConnectionReport",
    "HFInferenceFormat",
    "RemoteClassifier",
    "RequestBudget",
    "ResponseFormat",
    "TokenSource",
    "align_scores",
    "json_depth",
    "label_sort_key",
    "safe_url",
]
