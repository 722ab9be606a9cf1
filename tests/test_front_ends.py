"""The front ends share one way to open a model and one way to build an explainer.

The same choices made on the command line, in a batch run, in the dashboard's sidebar or through
lime's ``LimeTextExplainer`` give the same explainer, so the same explanation; a model named the same way
opens (or fails) the same way everywhere.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import joblib
import pytest

from dashboard.results import FIXED, ExplainOptions
from lime_core.batch import BatchOptions
from lime_core.cli.main import build_parser
from lime_core.cli.options import explainer_options, model_source
from lime_core.errors import ModelUnavailableError
from lime_core.explainer_options import ExplainerOptions
from lime_core.model_source import ModelSource, load_pipeline
from tests.blackboxes import TOPIC_TEXT, topic_model
from tests.conftest import REPO_ROOT
from tests.http_fixtures import tiny_text_pipeline


def explained(options: ExplainerOptions) -> str:
    explainer = options.build().fit(TOPIC_TEXT, topic_model())
    return explainer.explanation("all").to_json()


def test_the_same_choices_give_the_same_explanation_in_every_front_end() -> None:
    args = build_parser().parse_args(
        ["explain", "--model", "20ng-svm", "--text", "x", "--samples", "300", "--seed", "3", "--sampler", "bow",
         "--bigrams", "--surrogate", "ridge"]
    )
    from_cli = explainer_options(args)
    from_batch = BatchOptions(samples=300, sampler="bow", bigrams=True, surrogate="ridge").explainer_options(3)
    assert from_cli.build().get_params().keys() == from_batch.build().get_params().keys()
    assert explained(from_cli) == explained(from_batch)
    # A different choice is a different explanation: the comparison above can fail.
    assert explained(from_cli) != explained(BatchOptions(samples=300, bigrams=True).explainer_options(3))


def test_the_dashboard_sidebar_builds_through_the_shared_options() -> None:
    sidebar = ExplainOptions(samples_mode=FIXED, n_samples=300, seed=3, sampler="bow", faithfulness=False)
    explainer = sidebar.make_explainer()
    assert (explainer.n_samples, explainer.random_state, type(explainer.sampler).__name__) == (
        300, 3, "BagOfWordsSampler"
    )
    same = ExplainerOptions(samples=300, seed=3, sampler="bow", max_samples=5000, extra={"top_k": explainer.top_k})
    assert explained(sidebar.explainer_options()) == explained(same)


def test_a_pipeline_opens_the_same_way_from_every_front_end(tmp_path: Path) -> None:
    good = tmp_path / "model.joblib"
    joblib.dump(tiny_text_pipeline(), good)
    args = build_parser().parse_args(["explain", "--pipeline", str(good), "--text", "x"])
    for source in (model_source(args), model_source(args, absolute_path=True), ModelSource("pipeline", str(good))):
        model = source.open()
        assert model.name == "model.joblib" and len(model.class_names) == 3

    not_a_model = tmp_path / "list.joblib"
    joblib.dump([1, 2, 3], not_a_model)
    with pytest.raises(ModelUnavailableError, match=r"the list in .* has no predict_proba method"):
        load_pipeline(not_a_model)
    with pytest.raises(ModelUnavailableError, match="no such file"):
        ModelSource("pipeline", str(tmp_path / "missing.joblib")).open()


def test_python_m_lime_core_cli_is_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "lime_core.cli", "explain", "--text", "x"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("error: one of the arguments --pipeline --model --url")


def test_the_dashboards_checks_before_a_run_need_no_streamlit(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.remote import check_allowed
    from dashboard.results import MAX_TEXT_CHARS, check_text
    from lime_core.errors import RemoteModelError

    monkeypatch.delenv("LIME_REMOTE_ALLOW", raising=False)
    check_allowed("http://127.0.0.1:9/model")  # loopback is admitted by default
    with pytest.raises(RemoteModelError, match=r"does not call that URL: .*LIME_REMOTE_ALLOW"):
        check_allowed("https://example.org/model")
    assert check_text("a fine text") is None
    assert "empty" in check_text("   ") and f"{MAX_TEXT_CHARS:,}" in check_text("x" * (MAX_TEXT_CHARS + 1))
