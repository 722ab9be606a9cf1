"""The benchmarks' timer around a model passes the model's declarations through (benchmarks/timing.py).

A timer that declared nothing made benchmarks/adaptive.py's (and before it transformer_speed.py's) lime_core runs
delete words with single-word features on the sentiment model, not its default (the model's mask token, word
pairs chosen per text): a comparison of something no user runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from lime_core import TextExplainer
from lime_core.models.transformer import TransformerClassifier
from tests.conftest import REPO_ROOT

sys.path.append(str(REPO_ROOT / "benchmarks"))  # after everything else: its module names are plain

from adaptive import common_heldout, run_lime_core
from timing import MODEL_DECLARATIONS, TimedModel

TEXT = "The pasta was fresh and the waiter was very kind."


@pytest.fixture(scope="module")
def standin(sentiment_model_dir: Path) -> TransformerClassifier:
    return TransformerClassifier(sentiment_model_dir)


def test_the_timed_model_is_explained_as_the_model_itself(standin: TransformerClassifier) -> None:
    timed = TimedModel.wrapping(standin)
    for name in MODEL_DECLARATIONS:
        assert getattr(timed, name) == getattr(standin, name), name
    direct = TextExplainer(n_samples=300, random_state=0, stability_refits=0).explain(TEXT, standin)
    through = TextExplainer(n_samples=300, random_state=0, stability_refits=0).explain(TEXT, timed)
    assert through.settings.removal == direct.settings.removal == standin.default_removal == "mask_token"
    assert through.settings == direct.settings  # the same features chosen for the text, the same operator
    assert through.to_dict()["targets"] == direct.to_dict()["targets"]
    assert timed.distinct and any(standin.mask_token in text for text in timed.distinct)  # the texts it was asked
    bare = TimedModel(standin.predict_proba, standin.class_names, "sentiment")  # what adaptive.py wrapped before
    assert TextExplainer(n_samples=300, random_state=0, stability_refits=0).explain(TEXT, bare).settings.removal == (
        "deletion"
    )


def test_adaptive_scores_each_run_on_its_own_operators_held_out_set(standin: TransformerClassifier) -> None:
    run = run_lime_core(TimedModel.wrapping(standin), 0, 300, False, TEXT)
    assert run.removal == "mask_token"
    keep, texts, proba, weights = common_heldout(standin, 20, 12345, TEXT, removal=run.removal)
    deleted = common_heldout(standin, 20, 12345, TEXT)[1]
    assert all(standin.mask_token in t for t in texts) and not any(standin.mask_token in t for t in deleted)
    assert proba.shape == (20, len(standin.class_names)) and np.all(weights >= 0)
    assert run.predict_common(keep, texts).shape == proba.shape
