"""Per-text seeds: a text's explanation depends on the run's seed and its id, nothing else.

Workers, backends and the order texts arrive in therefore never change an
explanation: the same ``(seed, id)`` always gives the same random stream.
"""

from __future__ import annotations

import hashlib

SEED_BITS = 32


def text_seed(seed: int, text_id: str) -> int:
    """A seed in ``[0, 2**32)`` from the run's ``seed`` and a text's ``id`` (sha256; stable across machines)."""
    digest = hashlib.sha256(f"{int(seed)}\x00{text_id}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "little") % (1 << SEED_BITS)
