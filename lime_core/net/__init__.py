"""Networking, in one place: who may be sent what, the bounded HTTP client, and the model server.

* :mod:`lime_core.net.policy` -- the one definition of a loopback host and of the dashboard's URL allow-list
  (no DNS lookups);
* :mod:`lime_core.net.client` -- one bounded HTTP POST (:class:`~lime_core.net.client.BoundedTransport`: a
  total deadline, a cap on the answer's size, no redirects), under the remote model client
  (:mod:`lime_core.models.remote`);
* :mod:`lime_core.net.server` -- a model served over HTTP in the Hugging Face Inference format
  (``python -m lime_core.serve``: :mod:`lime_core.serve` is its command line).

Only the standard library: no ``requests`` at run time.
"""
