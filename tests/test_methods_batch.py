"""Batch runs with --methods: each text's comparison is stored, and summarize says where the methods disagree."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pandas as pd
import pyarrow.parquet as pq
import pytest

from lime_core.batch import BatchOptions, InputSpec, ModelSource, run_batch, summarize
from lime_core.cli import main
from lime_core.explanation import Explanation
from tests import batch_models


@pytest.fixture(scope="module")
def compared_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    tmp = tmp_path_factory.mktemp("methods-batch")
    model = tmp / "topics.joblib"
    joblib.dump(batch_models.LoggingPipeline(batch_models.train_pipeline()), model)
    texts, labels = batch_models.make_texts(6, seed=3)
    data = tmp / "texts.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(data, index=False)
    out = tmp / "run"
    options = BatchOptions(samples=200, seed=7, methods=("occlusion", "kernelshap"))
    final = run_batch(InputSpec(data, label_column="label"), out, ModelSource("pipeline", str(model)), options)
    assert final.state == "finished" and final.errors == 0
    return out, final.model_calls


def test_each_text_stores_its_comparison_and_its_calls_count(compared_run: tuple[Path, int]) -> None:
    compared_run, model_calls = compared_run
    rows = pq.read_table(compared_run / "explanations.parquet").to_pandas()
    assert json.loads((compared_run / "run.json").read_text())["options"]["methods"] == ["occlusion", "kernelshap"]
    total = 0
    for row in rows.itertuples():
        e = Explanation.from_json(row.explanation)
        assert e.methods is not None and e.methods.compared == ("lime", "kernelshap", "occlusion")
        assert e.methods.class_name == row.predicted_class
        total += e.n_model_calls + e.faithfulness.n_model_calls + e.methods.n_model_calls
    # The run's model calls are the sampling's plus the checks': faithfulness and the methods.
    assert model_calls == total


def test_summarize_says_where_the_methods_disagree_most(
    compared_run: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    compared_run, _ = compared_run
    summary = summarize(compared_run, trusted_only=False)["methods"]
    assert summary["n_texts"] == 6 and summary["methods"] == ["lime", "occlusion", "kernelshap"]
    reports = {
        row.id: Explanation.from_json(row.explanation).methods
        for row in pq.read_table(compared_run / "explanations.parquet").to_pandas().itertuples()
    }
    pair = next(p for p in summary["pairs"] if p["methods"] == ["lime", "kernelshap"])
    overlaps = [r.pair("lime", "kernelshap").overlap for r in reports.values()]
    assert pair["mean_overlap"] == pytest.approx(sum(overlaps) / len(overlaps))
    assert sum(summary["most_faithful"].values()) >= 6
    # The texts are listed from the least agreement with LIME up.
    worst = summary["disagree_most"]
    shares = [r["overlap"] / r["k"] for r in worst]
    assert shares == sorted(shares) and worst[0]["top"]["lime"] == list(reports[worst[0]["id"]].result("lime").top)
    assert main(["summarize", str(compared_run), "--all"]) == 0
    text = capsys.readouterr().out
    assert "Methods beside LIME on 6 texts" in text and "Where they disagree most" in text
