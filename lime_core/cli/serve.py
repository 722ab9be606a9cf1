"""``python -m lime_core.serve``: serve a bundled model over HTTP until Ctrl-C (:mod:`lime_core.net.server`).

Its own options (``--model``, ``--port``, ``--host``, ``--token``, the limits on
clients); an unusable model or an address it cannot listen on ends with one
``error:`` line and exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from ..errors import LimeCoreError
from ..model_source import open_bundled_model
from ..net.policy import is_loopback_host
from ..net.server import (
    DEFAULT_KEEPALIVE_IDLE,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CLIENT_CONNECTIONS,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_TEXTS,
    DEFAULT_REQUEST_DEADLINE,
    TOKEN_ENV_VAR,
    make_server,
)
from ..net.server import __doc__ as SERVER_DOC


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: load a bundled model and serve it until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m lime_core.serve", description=(SERVER_DOC or "").split("\n\n")[0])
    parser.add_argument("--model", required=True, help="bundled model name (see lime_core.models.registry)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on; 0 picks a free one")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--token", default=None, help=f"require this bearer token (prefer env {TOKEN_ENV_VAR})")
    parser.add_argument("--max-texts", type=int, default=DEFAULT_MAX_TEXTS, help="most texts per request")
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES, help="largest request body")
    parser.add_argument("--max-connections", type=int, default=DEFAULT_MAX_CONNECTIONS,
                        help="most connections at once; more get 503")
    parser.add_argument("--request-deadline", type=float, default=DEFAULT_REQUEST_DEADLINE,
                        help="seconds a request may take to arrive before the client is dropped")
    parser.add_argument("--max-client-connections", type=int, default=DEFAULT_MAX_CLIENT_CONNECTIONS,
                        help="most connections at once from one address; more get 503")
    parser.add_argument("--keepalive-idle", type=float, default=DEFAULT_KEEPALIVE_IDLE,
                        help="seconds a kept-alive connection may wait for its next request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    token = args.token or os.environ.get(TOKEN_ENV_VAR) or None
    try:
        classifier = open_bundled_model(args.model)  # the registry is imported only now: it pulls in the model stack
    except (LimeCoreError, KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: cannot load model {args.model!r}: {message}", file=sys.stderr)
        return 2
    try:
        server = make_server(
            classifier,
            args.host,
            args.port,
            token,
            model_name=args.model,
            max_body_bytes=args.max_body_bytes,
            max_texts=args.max_texts,
            max_connections=args.max_connections,
            request_deadline=args.request_deadline,
            max_client_connections=args.max_client_connections,
            keepalive_idle=args.keepalive_idle,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if not is_loopback_host(args.host) and token is None:
        print(
            f"warning: listening on {args.host} without a token; anyone who can reach it can use the model",
            file=sys.stderr,
        )
    print(
        f"serving {args.model} at {server.url} ({'token required' if token else 'no token'}); Ctrl-C stops", flush=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
