"""The private scikit-learn parts lime_core relies on are all in models/_sklearn_compat.py, and all still there.

An upgrade of the scikit-learn pin that removes, moves or changes one of them
fails here, by name, rather than silently taking a fallback.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import fetch_20newsgroups, load_files
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.svm import SVC

import lime_core
from lime_core.models import _sklearn_compat as compat

PACKAGE_DIR = Path(lime_core.__file__).parent
# An import or attribute path through a private scikit-learn module or name: sklearn.x._y, sklearn._x, "import _x".
PRIVATE_USE = re.compile(r"sklearn(\.\w+)*\._[A-Za-z]|from sklearn[\w.]* import [^\n]*\b_[A-Za-z]")


@pytest.mark.parametrize(("module", "name"), compat.PRIVATE_NAMES, ids=lambda v: v)
def test_every_private_name_still_exists(module: str, name: str) -> None:
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        pytest.fail(
            f"scikit-learn no longer has {module}.{name} ({exc}); lime_core/models/_sklearn_compat.py "
            "relies on it: find its new place or replace it, then update that module"
        )
    assert found is not None


def test_the_fallbacks_are_still_scikit_learns_values(tmp_path: Path) -> None:
    assert not compat.USING_FALLBACKS
    assert compat.NEWSGROUPS_TRAIN_FOLDER == compat.FALLBACK_TRAIN_FOLDER
    assert compat.NEWSGROUPS_TEST_FOLDER == compat.FALLBACK_TEST_FOLDER
    assert compat.newsgroups_cache_path(tmp_path) == tmp_path / compat.FALLBACK_CACHE_FILE


def test_fetch_20newsgroups_reads_the_parsed_copy_written_here(tmp_path: Path) -> None:
    posts = {
        compat.NEWSGROUPS_TRAIN_FOLDER: {"sci.med": ["a doctor and a patient"], "comp.graphics": ["a polygon mesh"]},
        compat.NEWSGROUPS_TEST_FOLDER: {"sci.med": ["the nurse"], "comp.graphics": ["render the scene"]},
    }
    for folder, groups in posts.items():
        for group, texts in groups.items():
            (tmp_path / "raw" / folder / group).mkdir(parents=True)
            for i, text in enumerate(texts):
                (tmp_path / "raw" / folder / group / str(i)).write_text(text, encoding="latin1")
    parsed = {
        "train": load_files(tmp_path / "raw" / compat.NEWSGROUPS_TRAIN_FOLDER, encoding="latin1"),
        "test": load_files(tmp_path / "raw" / compat.NEWSGROUPS_TEST_FOLDER, encoding="latin1"),
    }
    data_home = tmp_path / "home"
    data_home.mkdir()
    compat.newsgroups_cache_path(data_home).write_bytes(compat.encode_newsgroups_cache(parsed))
    bunch = fetch_20newsgroups(data_home=str(data_home), subset="test", download_if_missing=False, shuffle=False)
    assert sorted(bunch.data) == ["render the scene", "the nurse"]
    assert bunch.target_names == ["comp.graphics", "sci.med"]


def test_the_dual_coef_layout_gives_the_svcs_one_vs_one_decision_values() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = np.repeat(np.arange(4), 30)
    X += y[:, None] * 0.8  # separable enough to keep support vectors of every class
    svc = SVC(C=10.0, gamma=0.3, kernel="rbf", decision_function_shape="ovo").fit(X, y)
    weights = compat.ovo_decision_weights(svc)
    ovo = rbf_kernel(X, svc.support_vectors_, gamma=0.3) @ weights + svc.intercept_
    np.testing.assert_allclose(ovo, svc.decision_function(X), rtol=1e-9, atol=1e-9)


def test_no_other_module_reaches_into_scikit_learn_internals() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE_DIR)}:{n}"
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if path.name != "_sklearn_compat.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PRIVATE_USE.search(line)
    ]
    assert offenders == [], "private scikit-learn use belongs in lime_core/models/_sklearn_compat.py"
