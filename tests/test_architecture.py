"""The layer contracts of docs/architecture.md hold, and break when an offending import is added.

``lint-imports`` (import-linter) reads the contracts in pyproject.toml. It runs
on a copy of the packages, so that one copy can be given an import that the
contracts forbid: a contract that cannot fail would prove nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("lime_core", "dashboard", "ui")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}  # the copy's packages, not an installed lime_core
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    if not LINT_IMPORTS.is_file():
        pytest.fail(f"lint-imports is not installed beside {sys.executable} (requirements-dev.txt pins import-linter)")
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n\ndef _offending():\n    {line}\n")  # a lazy import counts too


def test_the_tree_keeps_its_contracts(tree: Path) -> None:
    out = lint_imports(tree)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 kept, 0 broken" in out.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("lime_core/wording.py", "import streamlit", "lime_core is the engine"),
        ("lime_core/formatters/text.py", "from dashboard import report", "lime_core is the engine"),
        ("lime_core/verdict.py", "import ui.views", "lime_core is the engine"),
        ("dashboard/report.py", "import streamlit as st", "dashboard/ is plain Python"),
        ("dashboard/stored.py", "from ui import state", "dashboard/ is plain Python"),
        # lime_core's layers: the data imports nothing above it, the core explainer nothing of eli5, the
        # surrogates nothing of trust/
        ("lime_core/explanation.py", "from lime_core import verdict", "lime_core's layers"),
        ("lime_core/estimator.py", "from lime_core.compat import eli5_api", "lime_core's layers"),
        ("lime_core/surrogates/softmax.py", "from lime_core.trust import uncertainty", "lime_core's layers"),
    ],
)
def test_an_offending_import_breaks_a_contract(tree: Path, module: str, line: str, contract: str) -> None:
    add_import(tree / module, line)
    out = lint_imports(tree)
    assert out.returncode != 0
    assert "0 broken" not in out.stdout  # (dashboard/ imports lime_core, so an engine break can break both)
    broken = out.stdout[out.stdout.index("Broken contracts"):]
    assert contract in broken and module.removesuffix(".py").replace("/", ".") in broken


def test_the_app_uses_streamlit_as_designed() -> None:
    """No ``pages/`` folder beside app.py (it would switch on the legacy multipage mode), no private internals."""
    assert not (REPO_ROOT / "pages").exists()
    scripts = [REPO_ROOT / "app.py", *(REPO_ROOT / "app_pages").glob("*.py"), *(REPO_ROOT / "ui").glob("*.py")]
    pages = sorted(p.name for p in (REPO_ROOT / "app_pages").glob("*.py"))
    app = (REPO_ROOT / "app.py").read_text(encoding="utf-8")
    assert pages and all(f'st.Page("app_pages/{name}"' in app for name in pages)  # every page is in st.navigation
    for path in scripts:
        source = path.read_text(encoding="utf-8")
        assert "streamlit.runtime" not in source and "runpy" not in source, path
