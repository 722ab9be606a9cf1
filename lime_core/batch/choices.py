"""What the batch command line offers, defined without importing pyarrow, pandas or a model.

Building the CLI's parser reads these; keeping them light keeps every command's start fast (``explain``
refuses an endless ``--file`` before any heavy import).
"""

from __future__ import annotations

BACKENDS = ("local", "ray")
# Ray (lime_core.batch.ray_backend): where workers get the model, tries per text when workers are lost under it,
# and how long a run waits for a worker when none can start.
MODEL_FROM = ("driver", "nodes")
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_WAIT_SECONDS = 120.0
DEFAULT_CHUNK_SIZE = 256
# A run stops when this many texts in a row fail the same way at the model: against a server that is down,
# 50,000 texts would otherwise each spend their retries (about 7 s), some 4 days in all.
DEFAULT_STOP_AFTER = 10

SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".txt": "text",
    ".text": "text",
}
