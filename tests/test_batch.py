"""Batch explanations on real components: a real scikit-learn pipeline, real Parquet, real processes and Ray.

The model is a small CountVectorizer + LogisticRegression (tests/batch_models.py) loaded with ``--pipeline``
like any user's pipeline; the 20 Newsgroups model is used where the bundled model matters. A local Ray is
started once for the session (conftest.py's two-node cluster, one CPU per node). Sample counts are small (200).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from lime_core.batch import (
    BatchOptions,
    InputSpec,
    ModelSource,
    run_batch,
    stored_explanation,
    submodular_pick,
    summarize,
    text_seed,
)
from lime_core.batch.backends import BatchError
from lime_core.batch.io import BatchInputError, read_records
from lime_core.cli import main
from lime_core.explanation import Explanation
from lime_core.verdict import judge_trust
from tests import batch_models
from tests.conftest import REPO_ROOT

SAMPLES = 200
OPTIONS = BatchOptions(samples=SAMPLES, seed=7)


@pytest.fixture()
def ray_session(ray_cluster):
    """The session's Ray (tests/conftest.py: a two-node cluster on 127.0.0.1, one CPU per node)."""
    import ray

    return ray


@pytest.fixture(scope="module")
def pipeline_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "topics.joblib"
    joblib.dump(batch_models.LoggingPipeline(batch_models.train_pipeline()), path)
    return path


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts, labels = batch_models.make_texts(12, seed=1)
    labels[3] = "sport"  # one wrong label, so that the confusion matrix has an off-diagonal cell
    path = tmp_path_factory.mktemp("data") / "texts.csv"
    pd.DataFrame({"doc": [f"d{i:02d}" for i in range(len(texts))], "text": texts, "label": labels}).to_csv(
        path, index=False
    )
    return path


def spec(path: Path) -> InputSpec:
    return InputSpec(path, text_column="text", id_column="doc", label_column="label")


def weights_of(output: Path) -> pd.DataFrame:
    frame = pq.read_table(output / "weights.parquet").to_pandas()
    return frame.sort_values(["id", "class", "feature"]).reset_index(drop=True)


# --------------------------------------------------------------------------- input


def test_every_input_format_gives_the_same_records_with_row_number_ids(tmp_path: Path) -> None:
    texts = ["first text", "second, with a comma", 'third "quoted"', "fourth"]
    frame = pd.DataFrame({"text": texts, "label": ["a", "b", "a", "b"]})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_json(tmp_path / "t.jsonl", orient="records", lines=True)
    frame.to_parquet(tmp_path / "t.parquet")
    (tmp_path / "t.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    for name in ("t.csv", "t.jsonl", "t.parquet", "t.txt"):
        label = None if name.endswith(".txt") else "label"
        chunks = list(read_records(InputSpec(tmp_path / name, label_column=label), chunk_size=3))
        assert [len(c) for c in chunks] == [3, 1], name
        records = [r for c in chunks for r in c]
        assert [r.text for r in records] == texts, name
        assert [r.id for r in records] == ["0", "1", "2", "3"], name
        assert [r.label for r in records] == ([None] * 4 if label is None else ["a", "b", "a", "b"]), name


def test_input_errors_name_the_problem(tmp_path: Path) -> None:
    pd.DataFrame({"body": ["x"]}).to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(BatchInputError, match="no text column 'text'; its columns are: body"):
        list(read_records(InputSpec(tmp_path / "t.csv")))
    (tmp_path / "t.xlsx").write_text("x")
    with pytest.raises(BatchInputError, match=r"cannot tell the format of t\.xlsx"):
        list(read_records(InputSpec(tmp_path / "t.xlsx")))
    with pytest.raises(BatchInputError, match="no such file"):
        list(read_records(InputSpec(tmp_path / "missing.csv")))


def test_text_seed_depends_on_the_run_seed_and_the_id_only() -> None:
    assert text_seed(7, "d01") == text_seed(7, "d01")
    assert len({text_seed(7, f"d{i}") for i in range(1000)}) == 1000
    assert text_seed(7, "d01") != text_seed(8, "d01")
    assert 0 <= text_seed(0, "") < 2**32


# --------------------------------------------------------------------------- runs


def test_a_run_writes_both_parquet_tables_that_match_the_stored_explanations(
    pipeline_file: Path, dataset: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    final = run_batch(spec(dataset), out, ModelSource("pipeline", str(pipeline_file)), OPTIONS, task_size=3)
    assert final.state == "finished" and final.done == final.total == 12 and final.errors == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".lock", ".lock.json", "explanations.parquet", "parts", "run.json", "status.json", "weights.parquet"
    ]
    assert not list((out / "parts").iterdir())  # merged, then removed
    table = pq.read_table(out / "explanations.parquet")
    for column in ("id", "text", "label", "predicted_class", "probabilities", "mean_KL_divergence", "score",
                   "verdict", "n_samples", "n_model_calls", "explanation"):
        assert column in table.column_names
    rows = table.to_pandas()
    assert sorted(rows["id"]) == [f"d{i:02d}" for i in range(12)]
    weights = weights_of(out)
    assert final.model_calls == rows["n_model_calls"].sum() > 0
    for row in rows.itertuples():
        explanation = Explanation.from_json(row.explanation)
        assert explanation.text == row.text and explanation.predicted_class == row.predicted_class
        assert row.verdict == judge_trust(explanation).level
        assert explanation.settings.random_state == text_seed(OPTIONS.seed, row.id)
        assert row.n_samples == SAMPLES
        mine = weights[weights["id"] == row.id]
        target = explanation.targets[0]
        assert set(mine["class"]) == {row.predicted_class}
        expected = {w.feature: (w.weight, w.std, w.interval) for w in target.weights}
        assert len(mine) == len(expected)
        for w in mine.itertuples():
            weight, std, (low, high) = expected[w.feature]
            assert (w.weight, w.std, w.low, w.high) == (weight, std, low, high)
    assert stored_explanation(out, "d03") == Explanation.from_json(rows.set_index("id").loc["d03", "explanation"])


def test_local_processes_ray_and_any_order_give_identical_weights(
    pipeline_file: Path, dataset: Path, tmp_path: Path, ray_session
) -> None:
    source = ModelSource("pipeline", str(pipeline_file))
    run_batch(spec(dataset), tmp_path / "one", source, OPTIONS)
    run_batch(spec(dataset), tmp_path / "local2", source, OPTIONS, workers=2, task_size=2)
    run_batch(spec(dataset), tmp_path / "ray2", source, OPTIONS, backend="ray", workers=2, task_size=2)
    shuffled = tmp_path / "shuffled.csv"
    pd.read_csv(dataset).iloc[::-1].to_csv(shuffled, index=False)
    run_batch(spec(shuffled), tmp_path / "reversed", source, OPTIONS, backend="ray", workers=2, task_size=5)
    reference = weights_of(tmp_path / "one")
    assert len(reference) > 12 * 5
    for name in ("local2", "ray2", "reversed"):
        pd.testing.assert_frame_equal(weights_of(tmp_path / name), reference, check_exact=True, obj=name)
    calls = {
        name: pq.read_table(tmp_path / name / "explanations.parquet").to_pandas().set_index("id")["n_model_calls"]
        for name in ("one", "ray2")
    }
    assert calls["one"].sort_index().equals(calls["ray2"].sort_index())


def test_ray_workers_report_a_model_that_cannot_load(dataset: Path, tmp_path: Path, ray_session) -> None:
    with pytest.raises(BatchError, match="no-such-model"):
        run_batch(spec(dataset), tmp_path / "out", ModelSource("name", "no-such-model"), OPTIONS, backend="ray",
                  workers=1)


def test_an_unusable_text_is_recorded_and_the_run_goes_on(pipeline_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "t.txt"
    # row 3: emoji the model's vocabulary lacks, so removing them never moves its answer: nothing to explain
    data.write_text("goal match team league coach\n   \nlaptop chip server code\n\U0001f389 \U0001f44d\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    final = run_batch(InputSpec(data), out, ModelSource("pipeline", str(pipeline_file)), OPTIONS)
    assert (final.done, final.errors) == (4, 2)
    rows = pq.read_table(out / "explanations.parquet").to_pandas().set_index("id")
    assert "empty" in rows.loc["1", "error"] or "whitespace" in rows.loc["1", "error"]
    assert rows.loc["3", "error"].startswith("Nothing to explain: removing words from this text never changed")
    assert pd.isna(rows.loc["1", "explanation"]) and pd.isna(rows.loc["3", "explanation"])
    assert pd.isna(rows.loc["0", "error"]) and pd.isna(rows.loc["2", "error"])
    assert set(weights_of(out)["id"]) == {"0", "2"}


def test_a_folder_is_not_overwritten_and_resume_refuses_other_settings(
    pipeline_file: Path, dataset: Path, tmp_path: Path
) -> None:
    source = ModelSource("pipeline", str(pipeline_file))
    run_batch(spec(dataset), tmp_path / "out", source, OPTIONS)
    with pytest.raises(BatchError, match="already holds a batch run; add --resume"):
        run_batch(spec(dataset), tmp_path / "out", source, OPTIONS)
    with pytest.raises(BatchError, match=r"differs from the one .* in options"):
        run_batch(spec(dataset), tmp_path / "out", source, BatchOptions(samples=SAMPLES, seed=8), resume=True)
    again = run_batch(spec(dataset), tmp_path / "out", source, OPTIONS, resume=True)
    assert (again.skipped, again.done, again.model_calls) == (12, 12, 0)


def _cli(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lime_core", *args], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )


def _logged(path: Path) -> list[str]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_a_killed_run_resumes_without_duplicates_losses_or_repeated_model_calls(
    pipeline_file: Path, tmp_path: Path
) -> None:
    texts, labels = batch_models.make_texts(24, seed=5)
    data = tmp_path / "texts.jsonl"
    pd.DataFrame({"text": texts, "label": labels}).to_json(data, orient="records", lines=True)
    out = tmp_path / "out"
    args = ["explain-batch", "--pipeline", str(pipeline_file), "--input", str(data), "--label-column", "label",
            "--output", str(out), "--samples", str(SAMPLES), "--seed", "3", "--chunk-size", "2"]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), batch_models.DELAY_ENV: "0.05",
           batch_models.LOG_ENV: str(tmp_path / "first.log")}
    first = _cli(args, env)
    deadline = time.monotonic() + 120
    while len(list((out / "parts").glob("explanations-*.parquet"))) < 3 and first.poll() is None:
        assert time.monotonic() < deadline, "no part written in time"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    assert first.returncode == -signal.SIGKILL
    finished = {i for p in (out / "parts").glob("explanations-*.parquet")
                for i in pq.read_table(p, columns=["id"]).column("id").to_pylist()}
    assert 6 <= len(finished) < 24 and not (out / "explanations.parquet").exists()

    env[batch_models.LOG_ENV] = str(tmp_path / "second.log")
    env.pop(batch_models.DELAY_ENV)
    second = _cli([*args, "--resume"], env)
    stdout, stderr = second.communicate(timeout=300)
    assert second.returncode == 0, stderr
    assert f"{len(finished)} were done before" in stdout

    rows = pq.read_table(out / "explanations.parquet").to_pandas()
    assert sorted(rows["id"], key=int) == [str(i) for i in range(24)]  # nothing lost, nothing twice
    assert rows["text"].tolist() == [texts[int(i)] for i in rows["id"]]
    weights = pq.read_table(out / "weights.parquet").to_pandas()
    assert set(weights["id"]) == set(rows["id"])
    assert not weights.duplicated(["id", "class", "feature"]).any()
    resumed_texts = set(_logged(tmp_path / "second.log"))
    assert not {texts[int(i)] for i in finished} & resumed_texts  # finished texts never went to the model again
    assert {texts[int(i)] for i in set(rows["id"]) - finished} <= resumed_texts
    status = json.loads((out / "status.json").read_text())
    assert status["state"] == "finished" and status["done"] == 24 and status["skipped"] == len(finished)


# --------------------------------------------------------------------------- summaries


def test_sp_lime_picks_the_explanations_that_cover_the_most_important_words() -> None:
    # Features 0-3. Row 0 has the largest single weights but covers only feature 0, which row 1 also covers;
    # rows 1 and 2 together cover everything. Greedy coverage picks row 1 (features 0, 1), then row 2 (2, 3).
    W = np.array(
        [
            [9.0, 0.0, 0.0, 0.0],
            [1.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 1.0],
            [0.0, 0.0, 1.0, 0.0],
        ]
    )
    importance = np.sqrt(W.sum(axis=0))  # sqrt(10), 1, sqrt(2), 1
    pick = submodular_pick(W, 2)
    assert pick.rows == (1, 2)
    assert pick.gains == pytest.approx((importance[0] + importance[1], importance[2] + importance[3]))
    assert pick.coverage_fraction == pytest.approx(1.0)
    assert submodular_pick(W, 1).rows == (1,)
    # Once all is covered, the remaining picks are the most important explanations, deterministically.
    assert submodular_pick(W, 4).rows == (1, 2, 0, 3)
    assert submodular_pick(W, 9).rows == (1, 2, 0, 3)


def test_summarize_reports_words_per_class_confusions_and_the_pick(
    pipeline_file: Path, dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    run_batch(spec(dataset), out, ModelSource("pipeline", str(pipeline_file)), OPTIONS)
    assert main(["summarize", str(out), "--pick", "3", "--format", "json", "--all"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {"classes", "picked"} <= set(summary)
    assert "not the model's global logic" in summary["caveat"]
    rows = pq.read_table(out / "explanations.parquet").to_pandas()
    labels = pd.read_csv(dataset)["label"].tolist()
    accuracy = np.mean([lab == pred for lab, pred in zip(labels, rows.sort_values("row")["predicted_class"],
                                                         strict=True)])
    assert summary["labels"]["accuracy"] == pytest.approx(accuracy)
    assert sum(map(sum, summary["labels"]["confusion"])) == 12
    assert len(summary["picked"]) == 3 and set(summary["picked"]) <= set(rows["id"])
    sport = [w["feature"] for w in summary["classes"]["sport"][:8]]
    assert set(sport) & set(batch_models.SPORT) and "n_trusted" in summary["classes"]["sport"][0]
    wrong = [c for c in summary["labels"]["confusions"] if c["label"] == "sport" and c["predicted"] == "tech"]
    assert wrong and wrong[0]["n"] >= 1 and all(w["mean_weight"] > 0 for w in wrong[0]["words"])
    assert set(w["feature"] for w in wrong[0]["words"][:3]) & set(batch_models.TECH)
    # The library gives the same, and counts only trustworthy explanations unless asked.
    assert summarize(out, pick=3, trusted_only=False)["picked"] == summary["picked"]
    strict = summarize(out)
    assert strict["n_counted"] == summary["verdicts"].get("trust", 0)
    assert main(["summarize", str(out)]) == 0
    assert "not the model's global logic" in capsys.readouterr().out


def test_the_cli_explains_a_dataset_with_the_bundled_model(
    newsgroups_settings, dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIME_20NG_ARCHIVE", str(newsgroups_settings.newsgroups_archive))
    monkeypatch.setenv("LIME_CACHE_DIR", str(newsgroups_settings.cache_dir))
    data = tmp_path / "posts.txt"
    # The third post is German: the bundled model declares English, so the batch checks each text as the
    # dashboard does (lime_core.language) and flags it in its row and at the end.
    data.write_text("My doctor said the kidney stones would pass\nThe new graphics card renders 3D images\n"
                    "Die neue Grafikkarte rendert 3D Bilder schneller als jeder andere Computer, sagt mein Arzt.\n")
    out = tmp_path / "out"
    assert main(["explain-batch", "--model", "20ng-svm", "--input", str(data), "--output", str(out),
                 "--samples", "300", "--target", "all"]) == 0
    captured = capsys.readouterr()
    assert "explained 3 texts" in captured.out and "finished: 3/3 texts" in captured.err
    assert ("Languages: 1 text looks like another language than the model reads (English): the model may not "
            "understand it, and its explanation says so (ids 2)") in captured.out
    rows = pq.read_table(out / "explanations.parquet").to_pandas().set_index("id")
    assert rows.loc["0", "predicted_class"] == "sci.med" and rows.loc["1", "predicted_class"] == "comp.graphics"
    assert pq.read_table(out / "weights.parquet").to_pandas().groupby("id")["class"].nunique().tolist() == [4, 4, 4]
    german = json.loads(rows.loc["2", "explanation"])
    assert german["language"]["detected"] == "de" and german["language"]["supported"] is False
    assert rows.loc["2", "verdict"] != "trust" and any("looks German" in r for r in german["verdict"]["reasons"])
    assert all(json.loads(rows.loc[i, "explanation"])["language"]["supported"] is not False for i in ("0", "1"))
    summary = summarize(out, trusted_only=False)
    assert summary["languages"] == {"model_languages": ["en"], "n_other_language": 1, "ids": ["2"]}
    assert main(["summarize", str(out), "--all"]) == 0
    assert "Languages: 1 text looks like another language" in capsys.readouterr().out
    assert main(["explain-batch", "--model", "20ng-svm", "--input", str(data), "--output", str(tmp_path / "x"),
                 "--languages", "english!"]) == 2  # a usage error before anything runs
    assert "not ISO 639-1 language codes: english!" in capsys.readouterr().err
    assert main(["explain-batch", "--model", "20ng-svm", "--input", str(data), "--output", str(out)]) == 1
    assert "already holds a batch run" in capsys.readouterr().err


def test_ray_is_imported_only_by_the_ray_backend(pipeline_file: Path, dataset: Path, tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from lime_core.batch import *; import lime_core.cli.batch\n"
        f"run_batch(InputSpec(Path({str(dataset)!r}), id_column='doc'), {str(tmp_path / 'o')!r}, "
        f"ModelSource('pipeline', {str(pipeline_file)!r}), BatchOptions(samples=50))\n"
        "import lime_core.batch.summary; assert 'ray' not in sys.modules, 'ray was imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_ray_actors_get_the_offline_settings_but_never_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from lime_core.batch.ray_backend import actor_env

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("LIME_SENTIMENT_MODEL", "/models/sentiment")
    monkeypatch.setenv("LIME_API_TOKEN", "sk-secret-value")
    env = actor_env(local=False)
    assert env["HF_HUB_OFFLINE"] == "1" and env["LIME_SENTIMENT_MODEL"] == "/models/sentiment"
    assert "sk-secret-value" not in json.dumps(env) and "PYTHONPATH" not in env
    assert str(REPO_ROOT) in actor_env(local=True)["PYTHONPATH"]


@pytest.mark.parametrize("url", ["https://me:sk-secret-value@api.example/models/m",
                                 "https://api.example/models/m?api_key=sk-secret-value"], ids=["user-info", "query"])
def test_ray_refuses_a_url_that_carries_credentials_before_starting_and_never_shows_them(url: str) -> None:
    from lime_core.batch.ray_backend import RayBackend
    from lime_core.models.remote.display import url_carries_secrets

    with pytest.raises(BatchError, match=r"^the URL https://api.example/models/m\S* carries credentials .* give the "
                                         r"token in LIME_API_TOKEN on every node instead$") as refused:
        RayBackend(1).start(ModelSource("url", url), BatchOptions(samples=50))
    assert "sk-secret-value" not in str(refused.value)
    assert not url_carries_secrets("https://api.example/models/m?model=large&page=2")

def test_explain_and_explain_batch_share_their_model_and_explanation_options(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lime_core.cli import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices

    def options(command: str, group: str) -> set[str]:
        groups = {g.title: g for g in commands[command]._action_groups}
        return {s for a in groups[group]._group_actions for s in a.option_strings}

    for group in ("model (exactly one)", "explanation"):
        assert options("explain", group) <= options("explain-batch", group)
    shared = options("explain-batch", "model (exactly one)") | options("explain-batch", "explanation")
    assert {"--deadline", "--max-requests", "--url", "--samples", "--mask-token"} <= shared
    # The remote-only options are refused without --url, before anything runs.
    for extra in (["--deadline", "5"], ["--max-requests", "3"]):
        assert main(["explain-batch", "--model", "20ng-svm", "--input", str(dataset), "--output",
                     str(tmp_path / "o"), *extra]) == 2
        assert f"{extra[0]} only applies to a remote model (--url)" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    assert main(["explain-batch", "--model", "20ng-svm", "--input", str(dataset), "--output", str(tmp_path / "o"),
                 "--samples", "999999999"]) == 2
    assert "must be at most" in capsys.readouterr().err
    # Each worker's remote client gets the deadline and budget (the client itself is tested in test_remote.py).
    client = ModelSource("url", "http://127.0.0.1:9/predict", max_requests=3, deadline=2.5).load()
    assert (client.deadline, client.max_requests) == (2.5, 3)


def test_on_a_terminal_the_progress_is_a_tqdm_bar_with_model_calls(
    pipeline_file: Path, dataset: Path, tmp_path: Path
) -> None:
    import fcntl
    import pty
    import struct
    import termios

    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a 120-column terminal
    args = ["explain-batch", "--pipeline", str(pipeline_file), "--input", str(dataset), "--id-column", "doc",
            "--output", str(tmp_path / "out"), "--samples", "50"]
    proc = subprocess.Popen([sys.executable, "-m", "lime_core", *args], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=terminal, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    os.close(terminal)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    stdout, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, screen.decode(errors="replace")
    drawn = screen.decode(errors="replace")
    assert "explaining" in drawn and "12/12" in drawn and "model_calls=" in drawn
    assert "\r" in drawn  # redrawn in place, not one line per update
    assert "finished:" not in drawn  # the plain lines are for output that is not a terminal
    assert b"explained 12 texts" in stdout


def test_explain_batch_removal_reaches_every_text(dataset: Path, tmp_path: Path) -> None:
    # --removal was accepted and ignored (BatchOptions had no removal): --mask-token then won, and a removal the
    # model cannot do went unnoticed.
    log = tmp_path / "model.log"
    path = tmp_path / "logged.joblib"
    joblib.dump(batch_models.LoggingPipeline(batch_models.train_pipeline(), log=str(log)), path)
    common = ["explain-batch", "--pipeline", str(path), "--input", str(dataset), "--id-column", "doc", "--samples",
              "40", "--quiet", "--mask-token", "ZZZ"]

    assert main([*common, "--output", str(tmp_path / "out"), "--removal", "deletion"]) == 0
    rows = pq.read_table(tmp_path / "out" / "explanations.parquet").to_pandas()
    assert rows["error"].isna().all() and len(rows) == 12
    assert {json.loads(e)["settings"]["removal"] for e in rows["explanation"]} == {"deletion"}  # removal wins
    assert "ZZZ" not in log.read_text()
    assert json.loads((tmp_path / "out" / "run.json").read_text())["options"]["removal"] == "deletion"

    assert main([*common, "--output", str(tmp_path / "masked")]) == 0  # without it, the mask token replaces
    rows = pq.read_table(tmp_path / "masked" / "explanations.parquet").to_pandas()
    assert {json.loads(e)["settings"]["removal"] for e in rows["explanation"]} == {"replace"}
    assert "ZZZ" in log.read_text()
    assert "removal" not in json.loads((tmp_path / "masked" / "run.json").read_text())["options"]

    # A removal this model cannot do is each text's error, with the reason (a pipeline declares no unknown token).
    assert main([*common, "--output", str(tmp_path / "unk"), "--removal", "unk_token"]) == 0
    errors = pq.read_table(tmp_path / "unk" / "explanations.parquet").to_pandas()["error"]
    assert len(errors) == 12 and all(e.startswith("the model has no unknown token") for e in errors), errors[0]


def test_a_reader_racing_the_runs_compaction_reads_every_text_once(
    pipeline_file: Path, dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run compacts its parts (merged files written, then the parts removed) while the Dataset page reads them
    (CI: the page listed a weights part, the compaction removed it, the read failed). The reader starts again from a
    fresh listing, and the summary counts each text once."""
    import lime_core.batch.summary as summary_module
    from lime_core.batch.io import EXPLANATIONS_FILE, WEIGHTS_FILE, compact, explanation_sources, part_files, write_part

    out = tmp_path / "run"
    run_batch(spec(dataset), out, ModelSource("pipeline", str(pipeline_file)), OPTIONS)
    expected = summarize(out, trusted_only=False)
    rows = pq.read_table(out / EXPLANATIONS_FILE).to_pylist()
    weights = pq.read_table(out / WEIGHTS_FILE).to_pylist()
    (out / EXPLANATIONS_FILE).unlink()
    (out / WEIGHTS_FILE).unlink()
    half = len(rows) // 2
    for index, part in enumerate((rows[:half], rows[half:])):
        ids = {row["id"] for row in part}
        write_part(out, index, part, [w for w in weights if w["id"] in ids])
    assert len(explanation_sources(out, "weights")) == 2  # two parts, no merged file yet

    listings: list[list[Path]] = []

    def listing_then_compaction(output: Path, kind: str = "explanations") -> list[Path]:
        sources = explanation_sources(output, kind)
        listings.append(sources)
        if kind == "weights" and part_files(output):  # the run compacts before the reader opens a listed part
            compact(output)
        return sources

    monkeypatch.setattr(summary_module, "explanation_sources", listing_then_compaction)
    raced = summarize(out, trusted_only=False)
    assert not part_files(out) and len(listings) > 2  # compacted mid-read, then read again
    monkeypatch.undo()
    assert raced == summarize(out, trusted_only=False)  # what a reader after the compaction sees
    assert raced["n_texts"] == expected["n_texts"] == len(rows)
