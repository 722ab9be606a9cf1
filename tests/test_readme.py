"""The README's library quick start runs as printed, on the bundled topic model."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]


def _python_block(section: str) -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    body = readme.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", body, re.S)
    assert match, f"the README's '{section}' section has no Python example"
    return match.group(1)


def test_the_readme_quick_start_runs() -> None:
    names: dict[str, Any] = {}
    exec(compile(_python_block("The library in a minute"), "README.md", "exec"), names)
    explanation, top, html, other = names["explanation"], names["top"], names["html"], names["other"]
    assert explanation.predicted_class in explanation.class_names
    assert len(top) == 5 and all(w.feature for w in top)
    assert "kidney" in html and html.lstrip().lower().startswith("<!doctype html")
    assert [t.class_name for t in other.targets] == ["comp.graphics"]
