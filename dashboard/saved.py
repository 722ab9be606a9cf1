"""Saved explanations: an embedded SQLite database of explanations to reopen later, with no model calls.

A presenter prepares explanations before a meeting, saves each with a title,
and reopens any of them instantly (or sends a colleague a link to one). A
saved explanation is the plain :class:`~lime_core.explanation.Explanation`
(its JSON contract, docs/json-schema.md) plus a few facts for the list: the
title, the model, when it was saved and the verdict.

The file is ``Settings.saved_db_path`` (``LIME_SAVED_DB``, default
``saved.sqlite3`` in ``LIME_CACHE_DIR``). Each operation opens its own
connection, so the store can be used from any thread (Streamlit runs each
session in its own). Secrets are never stored: :meth:`SavedStore.save` refuses
a record that contains any of the secrets it is given (a remote API's token),
and nothing else about a request is kept.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lime_core.errors import LimeCoreError
from lime_core.explanation import Explanation
from lime_core.terminal import printable
from lime_core.verdict import judge_trust

MAX_TITLE_CHARS = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_explanations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    model_name TEXT NOT NULL,
    model_title TEXT NOT NULL,
    created REAL NOT NULL,
    class_name TEXT NOT NULL,
    verdict TEXT NOT NULL,
    explanation TEXT NOT NULL,
    details TEXT NOT NULL
)
"""


class SavedStoreError(LimeCoreError):
    """The saved explanations cannot be read or written (the message says why)."""


@dataclass(frozen=True)
class SavedSummary:
    """One row of the list: what it is, on which model, when, and its verdict."""

    id: str
    title: str
    model_name: str
    model_title: str
    created: float  # seconds since the epoch
    class_name: str
    verdict: str  # "trust", "check" or "distrust"


@dataclass(frozen=True)
class SavedExplanation(SavedSummary):
    """A saved explanation, whole."""

    explanation: Explanation = field(default=None)  # type: ignore[assignment]
    details: dict[str, Any] = field(default_factory=dict)  # how it was made: seed, time, model calls


class SavedStore:
    """Saved explanations in one SQLite file (created with its folder on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10)
        except (OSError, sqlite3.Error) as exc:
            raise SavedStoreError(f"cannot open the saved explanations in {self.path}: {exc}") from exc
        try:
            connection.execute(_SCHEMA)
            with connection:  # one transaction: committed on success, rolled back on error
                yield connection
        except sqlite3.Error as exc:
            raise SavedStoreError(f"cannot use the saved explanations in {self.path}: {exc}") from exc
        finally:
            connection.close()

    def save(
        self,
        explanation: Explanation,
        *,
        title: str,
        model_name: str,
        model_title: str,
        details: dict[str, Any] | None = None,
        secrets: Iterable[str | None] = (),
    ) -> SavedExplanation:
        """Store one explanation (its first target is the class it explains); returns the saved record."""
        title = " ".join(str(title).split())[:MAX_TITLE_CHARS] or explanation.predicted_class
        target = explanation.targets[0]
        record = SavedExplanation(
            id=uuid.uuid4().hex[:12],
            title=title,
            model_name=str(model_name),
            model_title=str(model_title),
            created=time.time(),
            class_name=target.class_name,
            verdict=judge_trust(explanation, target).level,
            explanation=explanation,
            details=dict(details or {}),
        )
        body = explanation.to_json()
        details_json = json.dumps(record.details, ensure_ascii=False, allow_nan=False)
        stored = "\n".join((record.title, record.model_name, record.model_title, body, details_json))
        for secret in secrets:
            if secret and secret in stored:
                raise SavedStoreError(
                    "this explanation contains the API token, so it is not saved (tokens are never stored)"
                )
        with self._connect() as db:
            db.execute(
                "INSERT INTO saved_explanations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.title,
                    record.model_name,
                    record.model_title,
                    record.created,
                    record.class_name,
                    record.verdict,
                    body,
                    details_json,
                ),
            )
        return record

    def list(self) -> list[SavedSummary]:
        """Every saved explanation, newest first (without the explanations themselves)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, title, model_name, model_title, created, class_name, verdict "
                "FROM saved_explanations ORDER BY created DESC"
            ).fetchall()
        return [SavedSummary(*_summary_fields(row)) for row in rows]

    def get(self, saved_id: str) -> SavedExplanation | None:
        """One saved explanation by id; None when there is none (deleted, or a mistyped link)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT id, title, model_name, model_title, created, class_name, verdict, explanation, details "
                "FROM saved_explanations WHERE id = ?",
                (str(saved_id),),
            ).fetchone()
        if row is None:
            return None
        try:
            explanation = Explanation.from_json(row[7])
            details = json.loads(row[8])
            if not isinstance(details, dict) or not explanation.targets:
                raise ValueError("its details are not an object" if not isinstance(details, dict) else
                                 "it explains no class")
        except Exception as exc:  # a row written by hand or by another version: any failure is the same message
            what = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise SavedStoreError(
                f"the saved explanation {printable(str(saved_id))[:80]!r} cannot be read ({what}); "
                "it was damaged or written by another version: delete it from the list"
            ) from None
        return SavedExplanation(*_summary_fields(row), explanation=explanation, details=details)

    def delete(self, saved_id: str) -> bool:
        """Delete one saved explanation; False when there was none."""
        with self._connect() as db:
            cursor = db.execute("DELETE FROM saved_explanations WHERE id = ?", (str(saved_id),))
        return cursor.rowcount > 0


def _summary_fields(row: Sequence[Any]) -> tuple[str, str, str, str, float, str, str]:
    """A row's list fields with their types made sure of: a malformed row is listed (and can be deleted)
    instead of breaking the page."""
    try:
        created = float(row[4])
    except (TypeError, ValueError):
        created = 0.0
    if not math.isfinite(created) or not 0 <= created < 1e11:
        created = 0.0
    texts = [str(v) if v is not None else "" for v in (row[0], row[1], row[2], row[3], row[5], row[6])]
    return texts[0], texts[1] or "untitled", texts[2], texts[3], created, texts[4], texts[5]
