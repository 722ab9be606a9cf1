"""Batch runs on a real multi-node Ray cluster on 127.0.0.1 (``ray.cluster_utils.Cluster``, one CPU per node).

The session's cluster (tests/conftest.py) has a head and one worker node; tests that change its shape put it
back. The model is the small real pipeline of tests/batch_models.py, loaded from a ``--pipeline`` file; its
log (every text it is asked about, from any node) shows which texts went to the model and how often.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import joblib
import pandas as pd
import pyarrow.parquet as pq
import pytest

from lime_core.batch import BatchOptions, InputSpec, ModelSource, run_batch
from lime_core.batch.backends import IN_FLIGHT_PER_WORKER, BatchError
from tests import batch_models

OPTIONS = BatchOptions(samples=80, seed=11)
TASK_SIZE = 2


@pytest.fixture()
def cluster(ray_cluster):
    yield ray_cluster
    ray_cluster.restore()


def _data(tmp_path: Path, n: int) -> tuple[InputSpec, list[str]]:
    texts, labels = batch_models.make_texts(n, seed=9)
    path = tmp_path / "texts.parquet"
    pd.DataFrame({"id": [f"t{i}" for i in range(n)], "text": texts, "label": labels}).to_parquet(path)
    return InputSpec(path, "text", "id", "label"), texts


def _pipeline(tmp_path: Path, **kwargs) -> Path:
    path = tmp_path / "model.joblib"
    joblib.dump(batch_models.LoggingPipeline(batch_models.train_pipeline(), **kwargs), path)
    return path


def _rows(out: Path) -> pd.DataFrame:
    return pq.read_table(out / "explanations.parquet").to_pandas()


def test_a_node_removed_mid_run_costs_only_its_texts_in_flight(cluster, tmp_path: Path) -> None:
    # The worker node is removed once its worker is known to hold texts: its model writes a marker at its first
    # call and then holds that text, and the other worker waits for the marker before its first answer, so the
    # held worker gets work however late it starts (under load it once started after the other had done all).
    n = 16
    spec, texts = _data(tmp_path, n)
    log, marker = tmp_path / "model.log", tmp_path / "holding.json"
    node = cluster.workers[0]
    model = tmp_path / "model.joblib"
    joblib.dump(batch_models.NodeHoldingPipeline(batch_models.train_pipeline(), node.node_id, str(marker),
                                                 log=str(log)), model)
    removed: list[int] = []

    def progress(p) -> None:
        if marker.exists() and not removed:
            removed.append(p.done)
            cluster.remove_node(node, graceful=False)

    final = run_batch(spec, tmp_path / "out", ModelSource("pipeline", str(model)), OPTIONS, backend="ray",
                      workers=2, task_size=TASK_SIZE, progress=progress)

    assert removed and removed[0] < n
    rows = _rows(tmp_path / "out")
    assert sorted(rows["id"]) == sorted(f"t{i}" for i in range(n))  # every id exactly once
    assert rows["error"].isna().all() and final.errors == 0
    assert any("a Ray worker was lost" in note for note in final.notes), final.notes
    assert final.state == "finished"
    # Each explanation sends its own text to the model once. A text sent twice was in flight on the lost worker
    # (at most its tasks in flight); a finished text is never sent again.
    sent = Counter(text for text in map(json.loads, log.read_text().splitlines()) if text in set(texts))
    assert set(sent) == set(texts)
    again = {t for t, k in sent.items() if k > 1}
    held = set(json.loads(marker.read_text())) & set(texts)
    # The held text went to the model twice (on the lost node, then again); at most the lost worker's tasks in
    # flight were sent again.
    assert held and held <= again, (held, sent)
    assert len(again) <= IN_FLIGHT_PER_WORKER * TASK_SIZE and max(sent.values()) <= 2, sent
    # The results are the same as on an undisturbed run: a retried text is explained from its own seed.
    calm = run_batch(spec, tmp_path / "calm", ModelSource("pipeline", str(model)), OPTIONS, backend="local")
    assert calm.done == n
    merged = _rows(tmp_path / "calm").set_index("id")[["n_model_calls", "score"]]
    assert merged.sort_index().equals(rows.set_index("id")[["n_model_calls", "score"]].sort_index())


def test_a_text_that_fails_on_every_try_is_recorded_and_the_run_goes_on(cluster, tmp_path: Path) -> None:
    spec, texts = _data(tmp_path, 6)
    poison = tmp_path / "poison.joblib"
    joblib.dump(batch_models.CrashingPipeline(batch_models.train_pipeline(), texts[2]), poison)

    final = run_batch(spec, tmp_path / "out", ModelSource("pipeline", str(poison)), OPTIONS, backend="ray",
                      workers=2, task_size=TASK_SIZE, ray_options={"max_attempts": 2})

    rows = _rows(tmp_path / "out").set_index("id")
    assert sorted(rows.index) == [f"t{i}" for i in range(6)] and final.state == "finished"
    assert rows.loc["t2", "error"].startswith("failed 2 times: its Ray worker was lost")
    assert rows.drop(index="t2")["error"].isna().all()
    assert final.errors == 1


def test_a_cluster_smaller_than_asked_starts_what_fits_and_says_so(cluster, tmp_path: Path) -> None:
    spec, _ = _data(tmp_path, 10)
    model = _pipeline(tmp_path, delay=0.02)

    final = run_batch(spec, tmp_path / "out", ModelSource("pipeline", str(model)), OPTIONS, backend="ray",
                      workers=3, task_size=1)

    assert final.notes[0] == ("3 workers asked, 2 CPUs free (of 2 in the cluster; each worker takes 1): "
                              "starting 2; the other 1 joins when the cluster has a free CPU"), final.notes
    assert sorted(_rows(tmp_path / "out")["id"]) == sorted(f"t{i}" for i in range(10))
    status = json.loads((tmp_path / "out" / "status.json").read_text())
    assert status["notes"] == final.notes


def test_a_node_that_joins_mid_run_gets_a_worker(cluster, tmp_path: Path) -> None:
    import ray

    n = 16
    spec, _ = _data(tmp_path, n)
    node_log, gate = tmp_path / "nodes.log", tmp_path / "node-added"
    known = [node["NodeID"] for node in ray.nodes() if node["Alive"]]
    model = tmp_path / "model.joblib"
    joblib.dump(batch_models.JoinGatedPipeline(batch_models.train_pipeline(), str(node_log), known, str(gate)), model)
    added: list = []

    def progress(p) -> None:  # a node joins once texts are being explained on the two nodes there were
        if p.done >= 1 and not added:
            gate.touch()  # first: the old workers hold their next text until the new node's worker answers
            added.append(cluster.add_node())

    final = run_batch(spec, tmp_path / "out", ModelSource("pipeline", str(model)), OPTIONS, backend="ray",
                      workers=3, task_size=TASK_SIZE, progress=progress)

    assert final.notes[0].endswith("starting 2; the other 1 joins when the cluster has a free CPU"), final.notes
    assert "a Ray worker joined: 3 working" in final.notes, final.notes
    answered = Counter(node_log.read_text().split())
    assert answered[added[0].node_id] > 0, answered  # the new node's worker explained texts
    assert len(final.worker_peak_rss) == 3
    rows = _rows(tmp_path / "out")
    assert sorted(rows["id"]) == sorted(f"t{i}" for i in range(n)) and rows["error"].isna().all()


def test_with_no_free_cpu_the_run_says_what_it_waits_for_and_gives_up(cluster, tmp_path: Path) -> None:
    import ray

    squatters = [_Squatter(ray).remote() for _ in range(2)]
    ray.get([s.ready.remote() for s in squatters])
    spec, _ = _data(tmp_path, 4)
    notes: list[str] = []
    try:
        with pytest.raises(BatchError, match=r"no Ray worker could start in 1.5 s: each needs 1 CPU and the cluster "
                                             r"has 0 CPUs free"):
            run_batch(spec, tmp_path / "out", ModelSource("pipeline", str(_pipeline(tmp_path))), OPTIONS,
                      backend="ray", workers=1, ray_options={"wait_seconds": 1.5},
                      progress=lambda p: notes.__setitem__(slice(None), p.notes))
    finally:
        for s in squatters:
            ray.kill(s)
    assert notes[0].startswith("1 worker asked, 0 CPUs free")
    assert any(n.startswith("waiting for a Ray worker to start: 1 queued or loading the model, 0 CPUs free in the "
                            "cluster") for n in notes), notes


def test_a_pipeline_file_only_the_driver_can_see_reaches_a_worker_on_another_node(cluster, tmp_path: Path) -> None:
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    spec, _ = _data(tmp_path, 4)
    path = tmp_path / "driver-only.joblib"
    joblib.dump(batch_models.DriverOnlyPipeline(batch_models.train_pipeline(), str(path)), path)
    # The driver's node has its one CPU taken, so the worker runs on the other node.
    here = NodeAffinitySchedulingStrategy(node_id=ray.get_runtime_context().get_node_id(), soft=False)
    squatter = _Squatter(ray).options(scheduling_strategy=here).remote()
    ray.get(squatter.ready.remote())
    try:
        final = run_batch(spec, tmp_path / "out", ModelSource("pipeline", str(path)), OPTIONS, backend="ray",
                          workers=1, task_size=TASK_SIZE)
    finally:
        ray.kill(squatter)

    assert not path.exists()  # gone since the driver opened it: the worker could not have opened it after
    rows = _rows(tmp_path / "out")
    assert rows["error"].isna().all() and len(rows) == 4 and final.state == "finished"

    # The control: a worker that opens the model itself finds nothing at that path.
    message = f"the Ray workers could not load the model: cannot read {path}: no such file"
    with pytest.raises(BatchError, match=f"^{re.escape(message)}$"):
        run_batch(spec, tmp_path / "nodes", ModelSource("pipeline", str(path)), OPTIONS, backend="ray", workers=1,
                  ray_options={"model_from": "nodes"})


def test_a_transformer_checkpoint_only_the_driver_can_see_reaches_a_worker_on_another_node(
    cluster, tmp_path: Path, tiny_bert_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    from lime_core.batch import ray_backend

    reviews = ["the food was good and the service was great", "a bad film, boring and far too long"]
    path = tmp_path / "reviews.parquet"
    pd.DataFrame({"id": ["r0", "r1"], "text": reviews}).to_parquet(path)
    spec = InputSpec(path, "text", "id", None)
    options = BatchOptions(samples=40, seed=3)
    # The local reference run, on the checkpoint where it stays.
    monkeypatch.setenv("LIME_SENTIMENT_MODEL", str(tiny_bert_dir))
    reference = run_batch(spec, tmp_path / "local", ModelSource("name", "sentiment"), options, backend="local")
    assert reference.done == 2
    # The driver's own copy of the checkpoint, removed as soon as the driver has read it: a worker cannot open it.
    checkpoint = tmp_path / "driver-only" / tiny_bert_dir.name
    shutil.copytree(tiny_bert_dir, checkpoint)
    monkeypatch.setenv("LIME_SENTIMENT_MODEL", str(checkpoint))
    read = ray_backend.read_checkpoint

    def read_then_remove(folder: Path) -> ray_backend.CheckpointFiles:
        files = read(folder)
        shutil.rmtree(folder)
        return files

    monkeypatch.setattr(ray_backend, "read_checkpoint", read_then_remove)
    # The driver's node has its one CPU taken, so the worker runs on the other node.
    here = NodeAffinitySchedulingStrategy(node_id=ray.get_runtime_context().get_node_id(), soft=False)
    squatter = _Squatter(ray).options(scheduling_strategy=here).remote()
    ray.get(squatter.ready.remote())
    try:
        final = run_batch(spec, tmp_path / "out", ModelSource("name", "sentiment"), options, backend="ray",
                          workers=1, task_size=TASK_SIZE)

        assert not checkpoint.exists() and final.state == "finished"
        rows = _rows(tmp_path / "out").set_index("id").sort_index()
        assert rows["error"].isna().all() and len(rows) == 2
        # The same model as the local run's: the same predictions and explanations from the same seeds.
        local = _rows(tmp_path / "local").set_index("id").sort_index()
        assert list(rows["predicted_class"]) == list(local["predicted_class"])
        for ours, theirs in zip(rows["probabilities"], local["probabilities"], strict=True):
            assert ours == pytest.approx(theirs, abs=1e-5)
        assert list(rows["n_model_calls"]) == list(local["n_model_calls"])

        # The control: workers that open the model themselves find nothing at that path.
        with pytest.raises(BatchError, match=r"^the Ray workers could not load the model: .*driver-only"):
            run_batch(spec, tmp_path / "nodes", ModelSource("name", "sentiment"), options, backend="ray",
                      workers=1, ray_options={"model_from": "nodes"})
    finally:
        ray.kill(squatter)

def _Squatter(ray):
    """An actor that only holds one CPU."""

    @ray.remote(num_cpus=1)
    class Squatter:
        def ready(self) -> bool:
            return True

    return Squatter
