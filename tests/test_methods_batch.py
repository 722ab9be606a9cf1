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


def test_the_comparison_has_its_own_columns_beside_the_json(compared_run: tuple[Path, int]) -> None:
    """The optional columns repeat what each text's JSON says, so a dataframe filter needs no JSON parsing."""
    compared_run, _ = compared_run
    rows = pq.read_table(compared_run / "explanations.parquet").to_pandas()
    for row in rows.itertuples():
        report = Explanation.from_json(row.explanation).methods
        for method in ("lime", "occlusion", "kernelshap"):
            result = report.result(method)
            assert list(getattr(row, f"{method}_top_words")) == list(result.top)
            assert getattr(row, f"{method}_comprehensiveness") == pytest.approx(result.faithfulness.comprehensiveness)
        for method in ("occlusion", "kernelshap"):
            pair = report.pair("lime", method)
            assert getattr(row, f"lime_{method}_top_shared") == pair.overlap
            correlation = getattr(row, f"lime_{method}_rank_correlation")
            assert (pair.rank_correlation is None and pd.isna(correlation)) or correlation == pytest.approx(
                pair.rank_correlation
            )
        assert list(row.most_faithful) == list(report.most_faithful)
        assert row.methods_n_model_calls == report.n_model_calls
    # Filtering the texts where LIME and KernelSHAP share at most 2 of the top words is one line of pandas.
    low = rows[rows.lime_kernelshap_top_shared <= 2]
    assert set(low.id) == {r.id for r in rows.itertuples() if r.lime_kernelshap_top_shared <= 2}


def test_a_run_without_methods_has_no_method_columns(tmp_path: Path) -> None:
    model = tmp_path / "topics.joblib"
    joblib.dump(batch_models.train_pipeline(), model)
    texts, _ = batch_models.make_texts(2, seed=5)
    data = tmp_path / "texts.csv"
    pd.DataFrame({"text": texts}).to_csv(data, index=False)
    out = tmp_path / "run"
    run_batch(InputSpec(data), out, ModelSource("pipeline", str(model)), BatchOptions(samples=100, seed=1))
    names = pq.read_schema(out / "explanations.parquet").names
    assert not [n for n in names if "top_words" in n or "methods" in n or n == "most_faithful"], names


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
