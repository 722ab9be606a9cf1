"""``python -m lime_core.serve``: serve a bundled model over HTTP in the Hugging Face Inference API format.

The server is :mod:`lime_core.net.server` and its command line :mod:`lime_core.cli.serve`; both keep their
public names here, so ``from lime_core.serve import serve_in_thread`` and ``python -m lime_core.serve
--model 20ng-svm --port 8080`` work as they always did.
"""

from __future__ import annotations

import sys

from .cli.serve import main
from .net.server import (
    DEFAULT_KEEPALIVE_IDLE,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CLIENT_CONNECTIONS,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_TEXTS,
    DEFAULT_REQUEST_DEADLINE,
    TOKEN_ENV_VAR,
    ModelServer,
    ServerHandle,
    _RequestError,
    make_server,
    parse_content_length,
    serve_bundled_in_thread,
    serve_in_thread,
)

__all__ = [
    "DEFAULT_KEEPALIVE_IDLE", "DEFAULT_MAX_BODY_BYTES", "DEFAULT_MAX_CLIENT_CONNECTIONS", "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_TEXTS", "DEFAULT_REQUEST_DEADLINE", "TOKEN_ENV_VAR", "ModelServer", "ServerHandle", "_RequestError",
    "main", "make_server", "parse_content_length", "serve_bundled_in_thread", "serve_in_thread",
]

if __name__ == "__main__":
    sys.exit(main())
