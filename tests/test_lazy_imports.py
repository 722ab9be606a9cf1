"""Importing the remote model, the contract or the models package does not load the heavy model stacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lime_core

ROOT = Path(lime_core.__file__).resolve().parent.parent
HEAVY = ("sklearn", "scipy", "torch", "transformers", "pandas", "streamlit")


def modules_loaded_by(statement: str) -> list[str]:
    """The heavy top-level packages in ``sys.modules`` after ``statement`` in a fresh interpreter."""
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's lime_core, not another install
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return [m for m in json.loads(out.stdout.strip().splitlines()[-1]) if m in HEAVY]


@pytest.mark.parametrize(
    "statement",
    [
        "import lime_core.models.remote",
        "from lime_core.models.remote import RemoteClassifier, HFInferenceFormat, ConnectionReport",
        "import lime_core.models",
        "import lime_core.classifier, lime_core.predictor",
    ],
)
def test_no_heavy_stack_is_imported(statement: str) -> None:
    assert modules_loaded_by(statement) == []


def test_the_models_package_still_gives_its_names_on_first_use() -> None:
    loaded = modules_loaded_by(
        "import lime_core.models as m\nassert callable(m.load_model) and m.SENTIMENT_MODEL_NAME == 'sentiment'\n"
        "assert sorted(dir(m)) == sorted(m.__all__)"
    )
    assert "torch" not in loaded and "transformers" not in loaded  # the registry needs neither until a load


def test_the_runtime_imports_no_requests() -> None:
    """``requests`` is a test-only dependency (requirements-dev.txt): the networking package, the remote client,
    the server and the command line import without it (an import of it here would raise ImportError)."""
    modules_loaded_by(
        "sys.modules['requests'] = None\n"
        "import lime_core, lime_core.cli, lime_core.serve, lime_core.batch, lime_core.models.remote\n"
        "import lime_core.net.client, lime_core.net.policy, lime_core.net.server\n"
        "from lime_core.models.remote import RemoteClassifier"
    )
