"""lime_core as an installed package: importable from any folder, its declared dependencies met, its data shipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO_ROOT = Path(__file__).resolve().parents[1]


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def test_import_lime_core_from_a_folder_outside_the_repository(tmp_path):
    script = tmp_path / "notebook_like.py"
    script.write_text(
        "import lime_core\nfrom lime_core import LimeTextExplainer, TextExplainer\nprint(lime_core.__file__)\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, (
        f"`import lime_core` fails outside the repository ({out.stderr.strip().splitlines()[-1:]}); "
        "the set-up scripts install it editable: bash scripts/test.sh"
    )
    assert Path(out.stdout.strip()).resolve() == REPO_ROOT / "lime_core" / "__init__.py"


def test_declared_dependencies_are_installed_and_match_the_requirements():
    dist = metadata.distribution("lime-core")
    requirements = [Requirement(r) for r in dist.requires or []]
    core = [r for r in requirements if r.marker is None]
    assert {r.name for r in core} >= {"numpy", "scipy", "scikit-learn", "jinja2", "regex"}
    assert "transformers" in dist.metadata.get_all("Provides-Extra")
    assert {"dashboard", "batch", "plot"} <= set(dist.metadata.get_all("Provides-Extra"))
    # The core stays light: no torch, transformers or streamlit without an extra.
    assert not {r.name for r in core} & {"torch", "transformers", "streamlit", "altair"}
    for extra in ("transformers", "dashboard"):
        chosen = [r for r in requirements if r.marker is not None and r.marker.evaluate({"extra": extra})]
        assert chosen, extra
        core += chosen
    for requirement in core:
        installed = metadata.version(requirement.name)
        assert requirement.specifier.contains(installed, prereleases=True), (requirement, installed)
    pinned = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    for requirement in core:
        if requirement.name == "threadpoolctl":  # imported by lime_core, pinned through scikit-learn
            continue
        assert requirement.name.lower() in pinned, f"{requirement.name} is declared but not in requirements.txt"


@pytest.mark.slow
def test_the_wheel_ships_the_package_and_its_templates(tmp_path):
    # Built from a copy: setuptools writes build/ and *.egg-info into the source tree it builds.
    source = tmp_path / "src"
    shutil.copytree(REPO_ROOT / "lime_core", source / "lime_core", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    (wheel,) = tmp_path.glob("lime_core-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "lime_core/__init__.py",
        "lime_core/compat/lime_api.py",
        "lime_core/formatters/templates/report.html.j2",
        "lime_core/formatters/templates/weights.html.j2",
    ):
        assert needed in names
    assert not any(n.startswith(("tests/", "ui/", "app_pages/", "dashboard/")) for n in names)


def test_the_core_imports_none_of_the_extras(tmp_path):
    """`pip install .` without extras must be enough for the explainer, both front ends, the CLI and the server."""
    code = (
        "import sys\n"
        "import lime_core, lime_core.cli, lime_core.serve, lime_core.models, lime_core.formatters\n"
        "from lime_core import LimeTextExplainer, TextExplainer\n"
        "te = TextExplainer(n_samples=50, random_state=0).fit('good film, bad plot', "
        "lambda texts: [[0.3, 0.7] if 'good' in t else [0.8, 0.2] for t in texts])\n"
        "te.show_prediction(); te.show_weights()\n"
        "LimeTextExplainer().explain_instance('good film, bad plot', "
        "lambda texts: [[0.3, 0.7] if 'good' in t else [0.8, 0.2] for t in texts], num_samples=50).as_html()\n"
        "print(sorted(m for m in ('torch', 'transformers', 'streamlit', 'altair', 'matplotlib', 'IPython') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
