"""The documentation site's strict build fails on a broken link and on an API object that no longer exists.

scripts/test.sh builds the real site with ``mkdocs build --strict``; here a copy of docs/ and mkdocs.yml gets one
planted fault at a time, and the build must stop and name it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MKDOCS = Path(sys.executable).with_name("mkdocs")


def _site_copy(root: Path) -> Path:
    shutil.copytree(REPO_ROOT / "docs", root / "docs")
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "lime_core").symlink_to(REPO_ROOT / "lime_core")  # mkdocstrings reads the package beside mkdocs.yml
    return root


def _build(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(root / "site")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    root = _site_copy(tmp_path)
    page = root / "docs" / "install.md"
    broken = "See [the old page](no-such-page.md) and [a lost part](trust.md#no-such-part)."
    page.write_text(page.read_text() + "\n" + broken + "\n")
    out = _build(root)
    assert out.returncode != 0
    assert "no-such-page.md" in out.stderr and "no-such-part" in out.stderr, out.stderr[-2000:]


def test_a_missing_api_object_fails_the_build(tmp_path: Path) -> None:
    root = _site_copy(tmp_path)
    page = root / "docs" / "reference" / "explainer.md"
    page.write_text(page.read_text() + "\n::: lime_core.NoSuchExplainer\n")
    out = _build(root)
    assert out.returncode != 0
    assert "lime_core.NoSuchExplainer" in out.stderr, out.stderr[-2000:]
