"""``python -m lime_core`` as a real subprocess, on a real joblib-pickled scikit-learn pipeline trained here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import joblib
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

import lime_core
from lime_core.classifier import ClassifierAdapter

REPO = Path(lime_core.__file__).resolve().parents[1]

SENTENCES = [
    ("a good film with great acting", "pos"),
    ("great story and good music", "pos"),
    ("I loved it, a wonderful film", "pos"),
    ("wonderful acting, good fun", "pos"),
    ("good, great, wonderful", "pos"),
    ("a great cast and a good script", "pos"),
    ("lovely and good", "pos"),
    ("the best film this year, great", "pos"),
    ("funny and good to watch", "pos"),
    ("great ending, loved it", "pos"),
    ("a bad film with awful acting", "neg"),
    ("awful story and bad music", "neg"),
    ("I hated it, a boring film", "neg"),
    ("boring acting, bad fun", "neg"),
    ("bad, awful, boring", "neg"),
    ("an awful cast and a bad script", "neg"),
    ("dull and bad", "neg"),
    ("the worst film this year, awful", "neg"),
    ("tedious and bad to watch", "neg"),
    ("awful ending, hated it", "neg"),
]
TEXT = "A good film, but the acting was awful and boring."
FAST = ["--samples", "200", "--seed", "0"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("cli")
    texts, labels = zip(*SENTENCES, strict=True)
    pipeline = make_pipeline(CountVectorizer(), LogisticRegression(C=10.0)).fit(texts, labels)
    no_proba = make_pipeline(CountVectorizer(), LinearSVC()).fit(texts, labels)
    paths = {
        "pipeline": tmp / "sentiment.joblib",
        "no_proba": tmp / "svm.joblib",
        "not_pickle": tmp / "notes.joblib",
        "text": tmp / "review.txt",
        "latin1": tmp / "latin1.txt",
        "empty": tmp / "empty.txt",
    }
    joblib.dump(pipeline, paths["pipeline"])
    joblib.dump(no_proba, paths["no_proba"])
    paths["not_pickle"].write_text("this is not a pickle\n", encoding="utf-8")
    paths["text"].write_text(TEXT, encoding="utf-8")
    paths["latin1"].write_bytes("un film épatant".encode("latin-1"))
    paths["empty"].write_text("", encoding="utf-8")
    return paths


def run(*args: str | Path, stdin: str | bytes | None = None, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "LIME_API_TOKEN"}
    full_env.update({"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "NO_PROXY": "127.0.0.1,localhost",
                     "no_proxy": "127.0.0.1,localhost"})
    full_env.update(env or {})
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "lime_core", *map(str, args)],
        input=data, capture_output=True, env=full_env, cwd=REPO, timeout=timeout, check=False,
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"),
                                       proc.stderr.decode("utf-8"))


def assert_one_line_error(proc: subprocess.CompletedProcess[str], status: int, *fragments: str) -> None:
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert proc.stdout == ""


# -- the formats -----------------------------------------------------------------------------------------------------


def test_text_format_is_the_default(files: dict[str, Path]) -> None:
    proc = run("explain", "--text", TEXT, "--pipeline", files["pipeline"], *FAST)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    assert "Explanation of model 'sentiment.joblib'" in out
    assert "Predicted class: neg" in out
    lines = out.split("y=neg")[1].splitlines()
    features = [line.split()[-1] for line in lines[2:] if line.strip() and line.lstrip()[0] in "+-"]
    assert features[0] in {"awful", "boring"}
    assert features[-1] == "good"
    assert "<BIAS>" in features


def test_json_format_follows_the_documented_contract(files: dict[str, Path]) -> None:
    proc = run("explain", "--text", TEXT, "--pipeline", files["pipeline"], "--format", "json", "--target", "all",
               *FAST)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["schema_version"] == 1
    assert data["text"] == TEXT
    assert data["class_names"] == ["neg", "pos"]
    assert len(data["probabilities"]) == 2 and sum(data["probabilities"]) == pytest.approx(1.0)
    assert data["predicted_class"] == "neg"
    assert [t["class"] for t in data["targets"]] == ["neg", "pos"]
    for target in data["targets"]:
        assert 0.0 <= target["probability"] <= 1.0
        assert isinstance(target["bias"], float)
        assert target["weights"]
        for w in target["weights"]:
            assert isinstance(w["feature"], str) and isinstance(w["weight"], float)
            assert w["spans"], w
            for start, end in w["spans"]:
                assert data["text"][start:end].casefold() == w["feature"]
    assert set(data["metrics"]) >= {"mean_KL_divergence", "score", "n_heldout"}
    assert 0.0 <= data["metrics"]["score"] <= 1.0
    assert data["n_samples"] == 200
    assert 0 < data["n_model_calls"] <= 200
    assert data["settings"]["random_state"] == 0
    # for two classes the weights of one class are the negated weights of the other
    neg, pos = ({w["feature"]: w["weight"] for w in t["weights"]} for t in data["targets"])
    assert all(neg[f] == pytest.approx(-pos[f]) for f in neg)
    assert pos["good"] > 0 > pos["awful"]


def test_json_bigram_spans_cover_both_words(files: dict[str, Path]) -> None:
    proc = run("explain", "--text", TEXT, "--pipeline", files["pipeline"], "--format", "json", "--bigrams", *FAST)
    data = json.loads(proc.stdout)
    bigrams = [w for w in data["targets"][0]["weights"] if " " in w["feature"]]
    assert bigrams
    for w in bigrams:
        for start, end in w["spans"]:
            assert " ".join(data["text"][start:end].casefold().split()) == w["feature"]


def test_same_seed_gives_the_same_json(files: dict[str, Path]) -> None:
    args = ("explain", "--text", TEXT, "--pipeline", files["pipeline"], "--format", "json", *FAST)
    assert run(*args).stdout == run(*args).stdout


def test_html_format_written_to_a_file(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run("explain", "--file", files["text"], "--pipeline", files["pipeline"], "--format", "html",
               "--output", out, *FAST)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "sentiment.joblib" in html and "lc-word" in html and "&lt;BIAS&gt;" in html


def test_text_from_stdin_with_file_dash(files: dict[str, Path]) -> None:
    stdin_text = "awful, boring and bad\n"
    proc = run("explain", "--file", "-", "--pipeline", files["pipeline"], "--format", "json", *FAST,
               stdin=stdin_text)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["text"] == stdin_text


def test_text_from_stdin_with_text_dash(files: dict[str, Path]) -> None:
    proc = run("explain", "--text", "-", "--pipeline", files["pipeline"], "--format", "json", *FAST,
               stdin="good and great")
    assert json.loads(proc.stdout)["text"] == "good and great"


def test_text_from_a_file(files: dict[str, Path]) -> None:
    proc = run("explain", "--file", files["text"], "--pipeline", files["pipeline"], "--format", "json", *FAST)
    assert json.loads(proc.stdout)["text"] == TEXT


def test_engine_options_reach_the_explainer(files: dict[str, Path]) -> None:
    proc = run("explain", "--text", TEXT, "--pipeline", files["pipeline"], "--format", "json", "--target", "pos",
               "--sampler", "bow", "--surrogate", "ridge", "--mask-token", "[MASK]", "--samples", "100",
               "--seed", "7", "--progress")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [t["class"] for t in data["targets"]] == ["pos"]
    settings = data["settings"]
    assert settings["n_samples"] == 100 and settings["random_state"] == 7
    assert settings["sampler"].startswith("BagOfWords") and settings["surrogate"].startswith("Ridge")
    assert settings["mask_token"] == "[MASK]"
    assert "100" in proc.stderr or "/" in proc.stderr  # progress went to stderr
    assert "Traceback" not in proc.stderr


def test_char_tokenization(files: dict[str, Path]) -> None:
    proc = run("explain", "--text", "good film", "--pipeline", files["pipeline"], "--format", "json",
               "--tokenization", "chars", *FAST)
    data = json.loads(proc.stdout)
    assert data["settings"]["tokenization"] == "chars"
    assert all(len(w["feature"]) == 1 for w in data["targets"][0]["weights"])


def test_help_exits_zero() -> None:
    proc = run("explain", "--help")
    assert proc.returncode == 0
    assert "--pipeline" in proc.stdout and "--samples" in proc.stdout


def test_models_command_lists_or_fails_in_one_line() -> None:
    proc = run("models")
    assert "Traceback" not in proc.stderr
    if proc.returncode == 0:
        assert proc.stdout.splitlines()[0].split()[:2] == ["NAME", "STATUS"]
    else:
        assert_one_line_error(proc, 1, "bundled models")


# -- bad input -------------------------------------------------------------------------------------------------------

USAGE, RUNTIME = 2, 1


BAD_INPUT = [
    (["explain", "--pipeline", "{pipeline}"], USAGE, "--text --file is required"),
    (["explain", "--text", "good film", "--file", "{text}", "--pipeline", "{pipeline}"], USAGE, "not allowed"),
    (["explain", "--text", "good"], USAGE, "--pipeline --model --url is required"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--url", "http://127.0.0.1:9"], USAGE,
     "not allowed"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--samples", "-5"], USAGE, "at least 20"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--samples", "abc"], USAGE, "'abc'"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--samples", "10"], USAGE, "at least 20"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--seed", "x"], USAGE, "--seed"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--format", "xml"], USAGE, "invalid choice"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--sampler", "magic"], USAGE, "invalid choice"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--max-requests", "3"], USAGE, "--url"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--bogus"], USAGE, "--bogus"),
    ([], USAGE, "required"),
    (["frobnicate"], USAGE, "invalid choice"),
    (["explain", "--text", "", "--pipeline", "{pipeline}"], RUNTIME, "empty"),
    (["explain", "--text", "   \n ", "--pipeline", "{pipeline}"], RUNTIME, "empty"),
    (["explain", "--text", "?!", "--pipeline", "{pipeline}"], RUNTIME, "no words"),
    (["explain", "--text", "good", "--pipeline", "{pipeline}", *FAST], RUNTIME, "words"),
    (["explain", "--file", "{empty}", "--pipeline", "{pipeline}"], RUNTIME, "empty"),
    (["explain", "--file", "{missing}", "--pipeline", "{pipeline}"], RUNTIME, "cannot read"),
    (["explain", "--file", "{tmp}", "--pipeline", "{pipeline}"], RUNTIME, "cannot read"),
    (["explain", "--file", "{latin1}", "--pipeline", "{pipeline}"], RUNTIME, "not UTF-8"),
    (["explain", "--text", "good film", "--pipeline", "{missing}"], RUNTIME, "cannot read"),
    (["explain", "--text", "good film", "--pipeline", "{not_pickle}"], RUNTIME, "not a loadable joblib pickle"),
    (["explain", "--text", "good film", "--pipeline", "{text}"], RUNTIME, "not a loadable joblib pickle"),
    (["explain", "--text", "good film", "--pipeline", "{no_proba}"], RUNTIME, "no predict_proba"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--target", "meh"], RUNTIME,
     "unknown class 'meh'"),
    (["explain", "--text", "good film", "--pipeline", "{pipeline}", "--output", "{tmp}/no/such/dir/x.txt"],
     RUNTIME, "cannot write"),
    (["explain", "--text", "good film", "--url", "ftp://example.org/model"], RUNTIME, "not an http(s) URL"),
    # words the pipeline's vocabulary lacks (emoji, made-up words): nothing to explain, not noise weights
    (["explain", "--text", "\U0001f389 \U0001f44d \U0001f600", "--pipeline", "{pipeline}", *FAST], RUNTIME,
     "Nothing to explain: removing words from this text never changed the model's answer"),
    (["explain", "--text", "zorblax quindle", "--pipeline", "{pipeline}", *FAST, "--format", "json"], RUNTIME,
     "Nothing to explain"),
    (["explain", "--text", "good film", "--url", "http://127.0.0.1:9/model", *FAST], RUNTIME, "127.0.0.1:9"),
]


@pytest.fixture(scope="module")
def bad_input_runs(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[int, object]:
    """Every bad-input case run once, several processes at a time (each spends most of its time importing)."""
    tmp = tmp_path_factory.mktemp("bad")
    values = {k: str(v) for k, v in files.items()} | {"missing": str(tmp / "missing.txt"), "tmp": str(tmp)}

    def one(case: tuple[list[str], int, str]) -> subprocess.CompletedProcess[str]:
        return run(*(a.format(**values) for a in case[0]), stdin="")

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(enumerate(pool.map(one, BAD_INPUT)))


@pytest.mark.parametrize("case", range(len(BAD_INPUT)), ids=[" ".join(c[0])[:60] for c in BAD_INPUT])
def test_bad_input_ends_with_one_error_line(bad_input_runs: dict[int, object], case: int) -> None:
    _, status, fragment = BAD_INPUT[case]
    assert_one_line_error(bad_input_runs[case], status, fragment)


def test_samples_auto_samples_in_rounds_and_reports_it(files: dict[str, Path]) -> None:
    proc = run("explain", "--text", "a good film with a great cast", "--pipeline", files["pipeline"],
               "--samples", "AUTO", "--seed", "0", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["sampling"]["mode"] == "auto"
    assert data["sampling"]["rounds"] >= 1 and data["sampling"]["stopped_because"]
    assert data["settings"]["adaptive"] is True
    assert data["n_samples"] == data["sampling"]["n_samples"] <= 5000


def test_a_model_that_fails_gives_one_line(files: dict[str, Path], tmp_path: Path) -> None:
    # A pickled pipeline that expects numbers, not texts: it raises inside predict_proba.
    from sklearn.preprocessing import StandardScaler

    numeric = make_pipeline(StandardScaler(), LogisticRegression()).fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    path = tmp_path / "numeric.joblib"
    joblib.dump(numeric, path)
    proc = run("explain", "--text", "good film", "--pipeline", path, *FAST)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith("error: ")


def test_unknown_bundled_model_gives_one_line() -> None:
    proc = run("explain", "--text", "good film", "--model", "no-such-model", *FAST)
    assert_one_line_error(proc, 1)


# -- a remote model --------------------------------------------------------------------------------------------------


@pytest.fixture()
def server(files: dict[str, Path]):
    from lime_core.serve import serve_in_thread

    pipeline = joblib.load(files["pipeline"])
    handle = serve_in_thread(ClassifierAdapter(pipeline, name="sentiment"), token="s3cret-token-value")
    try:
        yield handle
    finally:
        handle.shutdown()


def test_remote_model_with_token_from_the_environment(server) -> None:
    proc = run("explain", "--text", TEXT, "--url", server.url, "--format", "json", "--max-requests", "40", *FAST,
               env={"LIME_API_TOKEN": "s3cret-token-value"})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["class_names"] == ["neg", "pos"]
    assert data["predicted_class"] == "neg"
    assert "s3cret-token-value" not in proc.stdout + proc.stderr


def test_remote_model_with_a_wrong_token_never_prints_it(server) -> None:
    proc = run("explain", "--text", TEXT, "--url", server.url, *FAST, env={"LIME_API_TOKEN": "wrong-token-123"})
    assert_one_line_error(proc, 1, "LIME_API_TOKEN")
    assert "wrong-token-123" not in proc.stderr


def test_remote_model_over_budget_is_refused_before_sending(server) -> None:
    proc = run("explain", "--text", TEXT, "--url", server.url, "--samples", "2000", "--seed", "0",
               "--max-requests", "2", env={"LIME_API_TOKEN": "s3cret-token-value"})
    assert_one_line_error(proc, 1, "budget")


def test_json_carries_the_verdict_and_faithfulness_on_request(files: dict[str, Path]) -> None:
    """Scripts read the verdict from the JSON; --faithfulness adds that check to it."""
    from lime_core.explanation import Explanation
    from lime_core.verdict import VERDICT_SCOPE, judge_trust, verdict_to_dict

    base = ["explain", "--text", TEXT, "--pipeline", files["pipeline"], "--format", "json", "--seed", "0"]
    plain = json.loads(run(*base, "--samples", "1000").stdout)
    assert "faithfulness" not in plain
    assert {c["name"] for c in plain["verdict"]["checks"]} == {"fidelity", "stability", "signs"}
    proc = run(*base, "--samples", "1000", "--faithfulness")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    verdict = data["verdict"]
    assert set(verdict) == {"level", "title", "summary", "reasons", "checks", "settled", "tied", "about"}
    assert verdict["about"] == VERDICT_SCOPE and "not say whether the model's prediction is right" in VERDICT_SCOPE
    assert all(isinstance(r, str) and r for r in verdict["reasons"])
    assert "faithfulness" in data and data["faithfulness"]["n_model_calls"] > 0
    assert "faithfulness" in {c["name"] for c in verdict["checks"]}
    # A bag-of-words logistic regression is additive on the logit scale: its explanation is faithful.
    assert verdict["level"] == "trust", verdict["reasons"]
    # The verdict is derived data: reading the JSON back and judging again gives the same verdict.
    assert verdict_to_dict(judge_trust(Explanation.from_json(proc.stdout))) == verdict
    text = run("explain", "--text", TEXT, "--pipeline", files["pipeline"], *FAST).stdout
    assert VERDICT_SCOPE in text


def test_methods_beside_lime_in_json_text_and_html(files: dict[str, Path], tmp_path: Path) -> None:
    base = ["explain", "--text", TEXT, "--pipeline", files["pipeline"], "--methods", "kernelshap,occlusion", *FAST]
    data = json.loads(run(*base, "--format", "json").stdout)
    methods = data["methods"]
    assert methods["compared"] == ["lime", "kernelshap", "occlusion"]
    n_words = methods["n_words"]
    for name in methods["compared"]:
        values = methods[name]["values"]
        assert len(values) == n_words and all({"feature", "value"} <= set(v) for v in values)
        assert methods[name]["top"] == [v["feature"] for v in values[: methods["k"]]]
    shap = methods["kernelshap"]
    assert sum(v["value"] for v in shap["values"]) == pytest.approx(shap["prediction"] - shap["base_value"], abs=1e-9)
    assert len(methods["agreement"]) == 3 and methods["summary"].startswith("LIME agrees with KernelSHAP on ")
    assert "faithfulness" in data  # comparing implies the faithfulness check
    out = tmp_path / "report.html"
    assert run(*base, "--format", "html", "--output", out).returncode == 0
    assert "Would another method say the same?" in out.read_text(encoding="utf-8")
    bad = run("explain", "--text", TEXT, "--pipeline", files["pipeline"], "--methods", "shap,occlusion")
    assert bad.returncode == USAGE and "unknown method 'shap'" in bad.stderr
