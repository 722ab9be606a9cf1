"""Every file path and ``lime_core`` name that the README and docs/ mention exists.

``mkdocs build --strict`` (scripts/test.sh) checks the links between pages and the API reference; this checks what
a reader is told to open or import in code spans (`lime_core/net/server.py`, `lime_core.limits.MAX_TEXT_CHARS`),
so that moving a module cannot leave a page pointing at nothing.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
FOLDERS = "lime_core|dashboard|ui|app_pages|benchmarks|scripts|tests|notebooks|docs"
PATH = re.compile(rf"`((?:{FOLDERS})/[\w./-]*\w/?)")
DOTTED = re.compile(r"`(lime_core(?:\.\w+)+)")


def _resolves(dotted: str) -> bool:
    """Whether ``dotted`` is a module of lime_core or a name in one (the longest importable prefix decides)."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for name in parts[i:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def test_every_path_the_docs_mention_exists() -> None:
    missing = [
        f"{page.relative_to(REPO_ROOT)}: {path}"
        for page in PAGES
        for path in sorted(set(PATH.findall(page.read_text(encoding="utf-8"))))
        if "*" not in path and not (REPO_ROOT / path).exists()
    ]
    assert not missing, "\n".join(missing)


def test_every_lime_core_name_the_docs_mention_imports() -> None:
    missing = [
        f"{page.relative_to(REPO_ROOT)}: {name}"
        for page in PAGES
        for name in sorted(set(DOTTED.findall(page.read_text(encoding="utf-8"))))
        if not _resolves(name)
    ]
    assert not missing, "\n".join(missing)
