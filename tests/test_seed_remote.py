"""The seed's remote example, verbatim but for its import, against ``python -m lime_core.serve``.

The example is the Hugging Face Inference API's own recipe: one ``requests.post`` per text with the text
as a bare JSON string (``data=json.dumps(text)``), the answer read as ``[[{"label", "score"}, ...]]``.
The model server must accept that body (and ``{"inputs": ...}`` in both forms), so the code runs unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

SERVE_START_TIMEOUT = 60


@pytest.fixture(scope="module")
def served_20ng(newsgroups_model, newsgroups_settings):
    """``python -m lime_core.serve --model 20ng-svm --port 0`` as a real process, reading the session's cache."""
    env = dict(
        os.environ,
        LIME_20NG_ARCHIVE=str(newsgroups_settings.newsgroups_archive),
        LIME_CACHE_DIR=str(newsgroups_settings.cache_dir),
        PYTHONUNBUFFERED="1",
    )
    env.pop("LIME_SERVE_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "lime_core.serve", "--model", "20ng-svm", "--port", "0"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()  # "serving 20ng-svm at http://127.0.0.1:PORT (no token); Ctrl-C stops"
        assert line.startswith("serving 20ng-svm at "), line
        yield line.split(" at ", 1)[1].split(" ", 1)[0]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_seeds_remote_example_runs_unchanged(served_20ng, newsgroups_model):
    API_URL = served_20ng  # the seed's own name
    # ---- the seed's code from here on; only the import below was changed (was: from eli5.lime import TextExplainer)
    import json

    import numpy as np
    import requests

    from lime_core import TextExplainer

    class_names = ["alt.atheism", "soc.religion.christian", "comp.graphics", "sci.med"]

    def predict_proba(texts):
        rows = []
        for text in texts:
            response = requests.post(API_URL, data=json.dumps(text))
            scores = {item["label"]: item["score"] for item in response.json()[0]}
            rows.append([scores[name] for name in class_names])
        return np.array(rows)

    text = "The doctor said the kidney stones would pass with lots of water."
    te = TextExplainer(n_samples=300, random_state=42)
    te.fit(text, predict_proba)
    # ---- end of the seed's code
    local = newsgroups_model.predict_proba([text])[0]
    order = [newsgroups_model.class_names.index(name) for name in class_names]
    assert predict_proba([text])[0] == pytest.approx(local[order])
    weights = te.explain_prediction(target_names=class_names)
    assert te.metrics_["score"] > 0.5
    assert class_names[int(np.argmax(local[order]))] == "sci.med"
    (med,) = [target for target in weights.targets if target.class_name == "sci.med"]
    assert "kidney" in [w.feature for w in med.positive]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('"kidney stones hurt"', id="bare-string"),
        pytest.param('{"inputs": "kidney stones hurt"}', id="inputs-string"),
        pytest.param('{"inputs": ["kidney stones hurt"], "parameters": {}, "options": {"wait_for_model": true}}',
                     id="inputs-list-with-hf-options"),
    ],
)  # fmt: skip
def test_every_hf_body_form_gets_the_same_answer(served_20ng, body):
    import requests

    response = requests.post(served_20ng, data=body, timeout=10)
    assert response.status_code == 200, response.text
    rows = response.json()
    assert len(rows) == 1 and rows[0][0]["label"] == "sci.med"
    assert sum(item["score"] for item in rows[0]) == pytest.approx(1.0)
