"""Saved explanations in SQLite: save, list, reopen identical, delete, survive a new process, never store a token."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.saved import SavedStore, SavedStoreError
from lime_core import TextExplainer
from lime_core.settings import get_settings
from lime_core.verdict import judge_trust
from tests.blackboxes import SENTIMENT_TEXT, sentiment_model
from tests.conftest import REPO_ROOT

TOKEN = "hf_live_SECRET_0123456789"


@pytest.fixture(scope="module")
def explanation():
    return TextExplainer(n_samples=300, random_state=0).explain(SENTIMENT_TEXT, sentiment_model())


def test_save_list_open_delete(tmp_path: Path, explanation) -> None:
    store = SavedStore(tmp_path / "deep" / "saved.sqlite3")  # the folder is created
    assert store.list() == []
    first = store.save(explanation, title="  Demo\n one ", model_name="words", model_title="Word model")
    second = store.save(explanation, title="", model_name="words", model_title="Word model", details={"seed": 0})
    assert first.title == "Demo one" and second.title == explanation.predicted_class
    rows = store.list()
    assert [r.id for r in rows] == [second.id, first.id]  # newest first
    assert rows[1].verdict == judge_trust(explanation, explanation.targets[0]).level
    assert rows[1].model_title == "Word model" and rows[1].class_name == explanation.targets[0].class_name

    reopened = store.get(first.id)
    assert reopened is not None and reopened.explanation == explanation  # the same data, nothing recomputed
    assert store.get(second.id).details == {"seed": 0}
    assert store.get("nope") is None
    assert store.delete(first.id) is True and store.delete(first.id) is False
    assert [r.id for r in store.list()] == [second.id]


def test_saved_explanations_survive_a_new_process(tmp_path: Path, explanation) -> None:
    path = tmp_path / "saved.sqlite3"
    saved = SavedStore(path).save(explanation, title="kept", model_name="m", model_title="M")
    code = (
        "import sys; from dashboard.saved import SavedStore; "
        "r = SavedStore(sys.argv[1]).get(sys.argv[2]); print(r.title, r.explanation.predicted_class)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path), saved.id], cwd=REPO_ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["kept", explanation.predicted_class]


def test_a_token_is_never_stored(tmp_path: Path, explanation) -> None:
    path = tmp_path / "saved.sqlite3"
    store = SavedStore(path)
    store.save(explanation, title="fine", model_name="https://api.example/models/x", model_title="API",
               secrets=[TOKEN, None, ""])
    with pytest.raises(SavedStoreError, match="never stored") as caught:
        store.save(explanation, title=f"oops {TOKEN}", model_name="x", model_title="X", secrets=[TOKEN])
    assert TOKEN not in str(caught.value)
    assert len(store.list()) == 1
    assert TOKEN.encode() not in path.read_bytes()


def test_the_path_is_a_setting_and_errors_are_clear(tmp_path: Path) -> None:
    assert get_settings({"LIME_SAVED_DB": str(tmp_path / "x.db")}).saved_db_path == tmp_path / "x.db"
    assert get_settings({"LIME_CACHE_DIR": str(tmp_path)}).saved_db_path == tmp_path / "saved.sqlite3"
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(SavedStoreError, match=r"broken\.sqlite3"):
        SavedStore(broken).list()
    sqlite3.connect(tmp_path / "ok.sqlite3").close()
    assert SavedStore(tmp_path / "ok.sqlite3").list() == []
