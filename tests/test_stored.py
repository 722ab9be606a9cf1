"""The one stored-result shape of the Dataset and Saved pages (dashboard.stored), without Streamlit."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.saved import SavedStore
from dashboard.stored import BATCH_RUN, SAVED_COPY, StoredResult
from lime_core import TextExplainer
from lime_core.errors import LimeCoreError
from tests.blackboxes import SENTIMENT_TEXT, sentiment_model


@pytest.fixture(scope="module")
def everything():
    """Both classes explained, faithfulness measured for the predicted one (what a batch run stores)."""
    explainer = TextExplainer(n_samples=300, random_state=7, faithfulness=True).fit(SENTIMENT_TEXT, sentiment_model())
    return explainer.explanation(targets="all")


def test_a_stored_result_answers_like_a_run_and_never_reaches_a_model(everything) -> None:
    result = StoredResult.of(everything, "Word model")
    predicted = everything.predicted_class
    other = next(c for c in everything.class_names if c != predicted)
    assert result.options.seed == 7 and result.elapsed == 0.0 and result.n_check_calls == 0
    assert result.n_model_calls == everything.n_model_calls and result.text == everything.text
    assert result.class_names == list(everything.class_names) and result.predicted_class == predicted

    mine = result.explanation()
    assert [t.class_name for t in mine.targets] == [predicted]
    assert mine.faithfulness is not None and mine.faithfulness.class_name == predicted
    assert result.faithfulness_checked() and not result.faithfulness_checked(other)
    assert result.explanation(other).targets[0] == everything.target(other)  # no refit: the stored weights
    with pytest.raises(LimeCoreError, match=f"loaded from {BATCH_RUN}"):
        result.measure_faithfulness(other)


def test_an_unexplained_class_falls_back_to_an_explained_one(everything) -> None:
    import dataclasses

    only = dataclasses.replace(everything, targets=everything.targets[:1])
    result = StoredResult.of(only, "Word model")
    assert result.explanation("no such class").targets == only.targets[:1]


def test_the_saved_page_reads_the_same_shape(tmp_path: Path, everything) -> None:
    import dataclasses

    one = dataclasses.replace(everything, targets=(everything.target(everything.predicted_class),))
    store = SavedStore(tmp_path / "saved.sqlite3")
    record = store.get(store.save(one, title="t", model_name="m", model_title="M",
                                  details={"n_answers_reused": 12}).id)
    result = StoredResult.from_saved(record)
    assert result.origin == SAVED_COPY and result.model_title == "M" and result.n_answers_reused == 12
    assert result.explanation() == one  # shown as it was saved
