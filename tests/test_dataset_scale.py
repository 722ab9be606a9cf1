"""The Dataset page on a run of 10,000 texts: the table is paged, the summary is computed once.

The run's folder is written straight to Parquet (tests/batch_models.write_synthetic_run: no model), then opened
on the page through Streamlit's AppTest. How long the page takes is printed by benchmarks/dataset_page.py.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytest.importorskip("streamlit")

import streamlit as st
from streamlit.testing.v1 import AppTest

import dashboard.dataset
import ui.dataset
from lime_core.batch.summary import summarize
from tests import batch_models
from tests.conftest import REPO_ROOT

N_TEXTS = 10_000


@pytest.fixture(scope="module")
def big_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big") / "run"
    batch_models.write_synthetic_run(folder, N_TEXTS)
    return folder


def test_the_pick_of_k_is_the_first_k_of_a_larger_pick(big_run: Path) -> None:
    twenty = summarize(big_run, pick=20, trusted_only=False)
    for k in (7,):
        cut, direct = dashboard.dataset.first_picks(twenty, k), summarize(big_run, pick=k, trusted_only=False)
        assert cut["pick"].pop("coverage") == pytest.approx(direct["pick"].pop("coverage"), rel=1e-12)
        assert cut == direct


def test_a_10000_text_run_shows_one_page_and_is_summarised_once(
    big_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def counted(*args, **kwargs):
        calls.append(kwargs.get("pick", 0))
        return summarize(*args, **kwargs)

    monkeypatch.setattr(ui.dataset, "summarize", counted)
    st.cache_data.clear()
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/dataset.py")
    at.session_state[ui.dataset.FOLDER] = str(big_run)
    at.run()
    assert not at.exception, at.exception

    def table():
        return next(d.value for d in at.dataframe if "mean_KL_divergence" in d.value.columns)

    captions = [c.value for c in at.caption]
    assert f"{N_TEXTS:,} of {N_TEXTS:,} texts; rows 1-100." in captions
    first = table()
    assert len(first) == dashboard.dataset.PAGE_ROWS and first["id"].iloc[0] == "t00000"

    at.number_input(key="dataset.page").set_value(37).run()
    assert table()["id"].iloc[0] == "t03600"
    assert f"{N_TEXTS:,} of {N_TEXTS:,} texts; rows 3,601-3,700." in [c.value for c in at.caption]
    options = at.selectbox(key="dataset.open_pick").options[1:]  # only this page's texts: 100 options, not 10,000
    assert [o.split(" \u00b7 ")[0] for o in options] == table()["id"].tolist()

    # Filters and the number of picks change what is shown, not what is computed.
    at.multiselect(key="dataset.verdicts").set_value(["Trustworthy"]).run()
    trusted = int((pq.read_table(big_run / "explanations.parquet").column("verdict").to_numpy() == "trust").sum())
    assert 3_000 < trusted < 3_700  # fewer pages than the page shown: back to the first
    assert f"{trusted:,} of {N_TEXTS:,} texts; rows 1-100." in [c.value for c in at.caption]
    assert at.number_input(key="dataset.page").value == 1
    at.number_input(key="dataset.pick").set_value(9).run()
    picked = next(d.value for d in at.dataframe if "snippet" in d.value.columns and "score" not in d.value.columns)
    assert len(picked) == 9
    assert not at.exception, at.exception
    assert calls == [ui.dataset.MAX_PICK]  # one summary, for the largest pick
