"""The 20 Newsgroups data, pipeline, cache and adapter, on the real archive."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import warnings
from collections import Counter
from dataclasses import replace
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import sklearn

from lime_core.classifier import TextClassifier, validate_probabilities
from lime_core.errors import ModelUnavailableError
from lime_core.models import newsgroups
from lime_core.models.newsgroups import (
    GROUPS,
    NewsgroupsClassifier,
    load_newsgroups,
    load_or_train,
    pipeline_path,
    pipeline_status,
)
from lime_core.models.newsgroups import data as newsgroups_data
from lime_core.models.newsgroups import training as newsgroups_training
from lime_core.models.svm_probability import class_pairs, couple_pairwise, fit_platt_sigmoid, sigmoid_probability
from lime_core.settings import Settings

SORTED_GROUPS = sorted(GROUPS)
# Posts per group in the bydate split (the well-known figures of this four-group task).
TRAIN_COUNTS = {"alt.atheism": 480, "comp.graphics": 584, "sci.med": 594, "soc.religion.christian": 599}
TEST_COUNTS = {"alt.atheism": 319, "comp.graphics": 389, "sci.med": 396, "soc.religion.christian": 398}
HEADER_LINE = re.compile(r"(From|Subject|Organization|Lines|Path|Newsgroups|Message-ID|Date):")


@pytest.fixture(scope="module")
def train_split(newsgroups_settings: Settings) -> newsgroups.NewsgroupsSplit:
    return load_newsgroups("train", newsgroups_settings)


@pytest.fixture(scope="module")
def test_split(newsgroups_settings: Settings) -> newsgroups.NewsgroupsSplit:
    return load_newsgroups("test", newsgroups_settings)


@pytest.fixture
def copied_cache(tmp_path: Path, newsgroups_settings: Settings, newsgroups_model: NewsgroupsClassifier) -> Settings:
    """Settings over a private copy of the session cache (parsed data + trained pipeline), safe to damage."""
    shutil.copytree(newsgroups_settings.cache_dir, tmp_path / "cache")
    return replace(newsgroups_settings, cache_dir=tmp_path / "cache")


# --------------------------------------------------------------------------- data


def test_split_sizes_and_groups_match_the_reference(train_split, test_split) -> None:
    assert len(train_split) == 2257
    assert len(test_split) == 1502
    assert train_split.target_names == test_split.target_names == SORTED_GROUPS
    names = train_split.target_names
    assert Counter(names[t] for t in train_split.target) == TRAIN_COUNTS
    assert Counter(names[t] for t in test_split.target) == TEST_COUNTS


def test_shuffle_order_matches_scikit_learn(test_split) -> None:
    assert test_split.texts[0].startswith("As I recall from my bout with kidney stones")
    assert test_split.target_names[test_split.target[0]] == "sci.med"


def test_headers_are_removed(train_split, test_split) -> None:
    texts = train_split.texts + test_split.texts
    # Every raw post has a "Lines: N" header; none survives the stripping.
    assert not any(re.search(r"^Lines: \d+$", t, re.MULTILINE) for t in texts)
    # A handful of bodies quote a forwarded post's headers at their very start; raw posts all do.
    starting_with_header = sum(bool(HEADER_LINE.match(t)) for t in texts)
    assert starting_with_header < 0.01 * len(texts)


def test_texts_are_str_and_latin1_decoded(train_split) -> None:
    assert all(isinstance(t, str) for t in train_split.texts)
    assert any(any(ord(c) > 127 for c in t) for t in train_split.texts)  # latin-1 decoding kept the odd accents


def test_missing_archive_is_reported(tmp_path: Path) -> None:
    settings = Settings(newsgroups_archive=tmp_path / "nope.tar.gz", cache_dir=tmp_path)
    with pytest.raises(ModelUnavailableError, match=r"LIME_20NG_ARCHIVE points to .*nope\.tar\.gz"):
        load_newsgroups("train", settings)


def test_file_that_is_not_the_archive_is_reported(tmp_path: Path) -> None:
    bogus = tmp_path / "20news-bydate.tar.gz"
    bogus.write_bytes(b"this is not a gzip file at all")
    settings = Settings(newsgroups_archive=bogus, cache_dir=tmp_path / "cache")
    with pytest.raises(ModelUnavailableError, match=r"cannot be read as a 20news-bydate\.tar\.gz"):
        load_newsgroups("test", settings)


def test_failed_download_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(**_kwargs):
        raise URLError("Name or service not known")

    monkeypatch.setattr(newsgroups_data, "fetch_20newsgroups", no_network)
    with pytest.raises(ModelUnavailableError, match="connect to the internet or set LIME_20NG_ARCHIVE"):
        load_newsgroups("train", Settings(newsgroups_archive=None, cache_dir=tmp_path))


def test_unknown_subset_is_rejected(newsgroups_settings: Settings) -> None:
    with pytest.raises(ValueError, match="subset"):
        load_newsgroups("all", newsgroups_settings)  # type: ignore[arg-type]


@pytest.mark.slow
def test_damaged_parsed_copy_is_rebuilt(copied_cache: Settings, test_split) -> None:
    (parsed,) = (copied_cache.cache_dir / "data").glob("20news-*/*.pkz")
    parsed.write_bytes(b"garbage")
    again = load_newsgroups("test", copied_cache)
    assert again.texts == test_split.texts


# --------------------------------------------------------------------------- model


def test_model_is_a_text_classifier_with_the_four_groups(newsgroups_model: NewsgroupsClassifier) -> None:
    assert isinstance(newsgroups_model, TextClassifier)
    assert newsgroups_model.class_names == SORTED_GROUPS
    assert newsgroups_model.name == "20ng-svm"
    assert re.fullmatch(r"20ng-svm:[0-9a-f]{16}", newsgroups_model.cache_key)


def test_test_accuracy_is_near_the_classic_figure(newsgroups_model: NewsgroupsClassifier, test_split) -> None:
    assert newsgroups_model.test_accuracy is not None
    assert newsgroups_model.test_accuracy >= 0.88
    predicted = newsgroups_model.predict_proba(test_split.texts).argmax(axis=1)
    assert np.mean(predicted == test_split.target) == pytest.approx(newsgroups_model.test_accuracy, abs=1e-12)


def test_metadata_records_versions_data_and_score(newsgroups_model: NewsgroupsClassifier) -> None:
    meta = newsgroups_model.meta
    assert meta["versions"] == newsgroups.dependency_versions()
    assert meta["n_train"] == 2257 and meta["n_test"] == 1502
    assert re.fullmatch(r"[0-9a-f]{64}", meta["data_fingerprint"])
    assert meta["target_names"] == SORTED_GROUPS


def test_fast_prediction_equals_the_pipeline(newsgroups_model: NewsgroupsClassifier, test_split) -> None:
    assert newsgroups_model._fast is not None, "the pipeline should be recognised for fast prediction"
    odd = ["", "   ", "zzzz qqqq", "GOD god God", "naïve café ünïcödé", "the of and", "x " * 5000]
    texts = test_split.texts[:400] + odd
    fast = newsgroups_model.predict_proba(texts)
    slow = newsgroups_model.pipeline.predict_proba(texts)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-9)


def test_long_texts_read_line_by_line_give_the_pipelines_features(
    newsgroups_model: NewsgroupsClassifier, test_split
) -> None:
    # LIME's copies of a long post drop whole sentences or paragraphs, so they share most lines: the fast path
    # reads each line once. Its features must be the vectorizer's exactly, word pairs across line breaks included.
    fast = newsgroups_model._fast
    assert fast is not None and fast._lines is not None
    post = max(test_split.texts[:300], key=len)
    tricky = ("Ἀλέξανδρος ΟΔΟΣ\nΣ σ\n\n\n  the of and \nspace shuttle\nlaunch\r\nnaïve CAFÉ\tgod\n"
              "x\ny\nzz\nthe\nof\n" + "\n".join(["orbit"] * 9))
    rng = np.random.default_rng(3)
    copies = []
    for text in (post, tricky):
        lines = text.split("\n")
        copies += ["\n".join(line for line in lines if rng.random() < 0.7) for _ in range(40)]
        copies += [text.replace("\n", " ", 3), text]
    fast._lines._cache.clear()
    got = fast._features(copies)
    assert len(fast._lines._cache) > 0  # the line path was taken
    expected = np.asarray(newsgroups_model.pipeline[:-1].transform(copies))
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(newsgroups_model.predict_proba(copies), newsgroups_model.pipeline.predict_proba(copies),
                               rtol=0, atol=1e-9)


def test_probabilities_are_libsvms(newsgroups_model: NewsgroupsClassifier, train_split, test_split) -> None:
    """The bundled model gives SVC(probability=True)'s probabilities on the classic pipeline.

    The reference is fitted on the bundled pipeline's own TF-IDF -> SVD features, so the comparison is of the
    probability step alone. The day scikit-learn removes ``probability=True`` this test fails on purpose: the
    bundled model no longer needs it, but the reference does; replace it with stored libsvm outputs then.
    """
    from sklearn.svm import SVC

    tfidf, svd, clf = (step for _, step in newsgroups_model.pipeline.steps)
    x_train = svd.transform(tfidf.transform(train_split.texts))
    posts = test_split.texts[::5]  # 301 posts of all four groups
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*probability.*", category=FutureWarning)
            reference = SVC(C=150, gamma=2e-2, probability=True, random_state=42).fit(x_train, train_split.target)
            prob_a, prob_b = reference.probA_, reference.probB_
    except (TypeError, ValueError, AttributeError) as exc:
        pytest.fail(f"scikit-learn {sklearn.__version__} no longer offers SVC(probability=True): {exc}")
    expected = reference.predict_proba(svd.transform(tfidf.transform(posts)))
    got = newsgroups_model.predict_proba(posts)
    kl = np.sum(expected * np.log(np.clip(expected, 1e-12, None) / np.clip(got, 1e-12, None)), axis=1)
    assert kl.mean() <= 0.01, kl.mean()
    assert np.mean(got.argmax(axis=1) == expected.argmax(axis=1)) >= 0.98
    # The same sigmoids on the same decision values: the coupling step alone reproduces libsvm to ~1e-3.
    ovo = clf.pairwise_decision(svd.transform(tfidf.transform(posts)))
    same_sigmoids = couple_pairwise(sigmoid_probability(ovo, prob_a, prob_b), 4)
    np.testing.assert_allclose(same_sigmoids, expected, atol=5e-3)


def test_pairwise_coupling_recovers_consistent_probabilities() -> None:
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4), size=50)
    pairwise = np.column_stack([p[:, i] / (p[:, i] + p[:, j]) for i, j in class_pairs(4)])
    np.testing.assert_allclose(couple_pairwise(pairwise, 4), p, atol=1e-6)


def test_platt_sigmoid_recovers_a_known_sigmoid() -> None:
    rng = np.random.default_rng(0)
    f = rng.normal(0, 2, size=20_000)
    positive = rng.random(f.size) < sigmoid_probability(f, np.array(-1.5), np.array(0.3))
    a, b = fit_platt_sigmoid(f, positive)
    assert a == pytest.approx(-1.5, abs=0.1) and b == pytest.approx(0.3, abs=0.1)


def test_predictions_are_valid_for_any_text(newsgroups_model: NewsgroupsClassifier) -> None:
    texts = ["", "God is love", "The graphics card renders 3D polygons", "My doctor prescribed antibiotics"]
    proba = newsgroups_model.predict_proba(texts)
    assert proba.dtype == np.float64
    validate_probabilities(proba, len(texts), 4)
    names = newsgroups_model.class_names
    assert names[proba[2].argmax()] == "comp.graphics"
    assert names[proba[3].argmax()] == "sci.med"


def test_empty_batch_and_single_string(newsgroups_model: NewsgroupsClassifier) -> None:
    assert newsgroups_model.predict_proba([]).shape == (0, 4)
    with pytest.raises(TypeError, match="list of texts"):
        newsgroups_model.predict_proba("a single post")


def test_large_batches_are_chunked_consistently(newsgroups_model: NewsgroupsClassifier, test_split) -> None:
    texts = (test_split.texts[:50] * 100)[:5000]  # more rows than one chunk
    proba = newsgroups_model.predict_proba(texts)
    np.testing.assert_allclose(proba[4950:], proba[:50], atol=1e-12)


def test_unrecognised_pipelines_fall_back_to_their_own_predict_proba(train_split, test_split) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(train_split.texts, train_split.target)
    model = NewsgroupsClassifier(pipeline, {"target_names": train_split.target_names})
    assert model._fast is None
    assert model.class_names == SORTED_GROUPS
    np.testing.assert_array_equal(
        model.predict_proba(test_split.texts[:20]), pipeline.predict_proba(test_split.texts[:20])
    )


# --------------------------------------------------------------------------- cache


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns


def test_second_load_reads_the_cache(
    copied_cache: Settings, monkeypatch: pytest.MonkeyPatch, newsgroups_model: NewsgroupsClassifier
) -> None:
    path = pipeline_path(copied_cache)
    before = _mtime(path)
    trainings: list[int] = []
    real_train = newsgroups.train_pipeline
    monkeypatch.setattr(newsgroups_training, "train_pipeline", lambda s: trainings.append(1) or real_train(s))
    result = load_or_train(copied_cache)
    assert not result.trained and trainings == []
    assert _mtime(path) == before
    loaded = NewsgroupsClassifier(result.pipeline, result.meta)
    assert loaded.cache_key == newsgroups_model.cache_key
    assert pipeline_status(copied_cache)[0] is True


@pytest.mark.slow
def test_retrains_when_library_versions_differ(copied_cache: Settings) -> None:
    path = pipeline_path(copied_cache)
    meta_file = path.with_name(newsgroups.META_FILE)
    meta = json.loads(meta_file.read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    meta_file.write_text(json.dumps(meta))
    before = _mtime(path)

    result = load_or_train(copied_cache)
    assert result.trained
    assert "scikit-learn 0.24.2 -> " in result.reason
    assert _mtime(path) != before
    assert json.loads(meta_file.read_text())["versions"] == newsgroups.dependency_versions()
    assert result.meta["test_accuracy"] >= 0.88
    assert not load_or_train(copied_cache).trained  # and the new cache is used from then on


def _damage(settings: Settings, damage: str) -> None:
    path = pipeline_path(settings)
    meta_file = path.with_name(newsgroups.META_FILE)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "bit-flip":  # same length, one byte changed: only the checksum can tell
        payload = bytearray(path.read_bytes())
        payload[len(payload) // 2] ^= 0xFF
        path.write_bytes(bytes(payload))
    elif damage == "bad-pickle":  # checksum fits, content does not unpickle
        payload = b"\x80\x04not a pickle"
        path.write_bytes(payload)
        meta = json.loads(meta_file.read_text())
        meta["file_sha256"] = hashlib.sha256(payload).hexdigest()
        meta_file.write_text(json.dumps(meta))
    elif damage == "bad-metadata":
        meta_file.write_text("{not json")
    elif damage == "no-metadata":
        meta_file.unlink()
    elif damage == "old-format":
        meta = json.loads(meta_file.read_text())
        meta["format"] = 0
        meta_file.write_text(json.dumps(meta))
    elif damage == "old-recipe":  # e.g. a cache of the earlier CalibratedClassifierCV model
        meta = json.loads(meta_file.read_text())
        meta["recipe"] = newsgroups.RECIPE_VERSION - 1
        meta_file.write_text(json.dumps(meta))
    else:
        raise AssertionError(damage)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("truncated", "damaged"),
        ("bit-flip", "damaged"),
        ("bad-pickle", "unreadable"),
        ("bad-metadata", "unreadable"),
        ("no-metadata", "missing"),
        ("old-format", "format"),
        ("old-recipe", "recipe"),
    ],
)
def test_damaged_cache_is_not_used(copied_cache: Settings, damage: str, reason: str) -> None:
    _damage(copied_cache, damage)
    with pytest.raises(newsgroups_training._StaleCache, match=reason):
        newsgroups_training._read_cached(pipeline_path(copied_cache))
    ok, message = pipeline_status(copied_cache)
    assert ok, message  # it can still be trained from the archive


@pytest.mark.slow
def test_retrains_when_the_cache_is_damaged(copied_cache: Settings) -> None:
    path = pipeline_path(copied_cache)
    _damage(copied_cache, "truncated")
    result = load_or_train(copied_cache)
    assert result.trained and "damaged" in result.reason
    assert newsgroups_training._read_cached(path)[1]["file_sha256"] == result.meta["file_sha256"]
    model = NewsgroupsClassifier(result.pipeline, result.meta)
    assert model.predict_proba(["The doctor said it was an infection"]).shape == (1, 4)
    assert not load_or_train(copied_cache).trained


def test_status_without_cache(tmp_path: Path, newsgroups_archive: Path) -> None:
    ok, message = pipeline_status(Settings(newsgroups_archive=newsgroups_archive, cache_dir=tmp_path))
    assert ok and "no cached pipeline" in message and "LIME_20NG_ARCHIVE" in message
    ok, message = pipeline_status(Settings(newsgroups_archive=tmp_path / "missing.tar.gz", cache_dir=tmp_path))
    assert not ok and "missing.tar.gz" in message
    ok, message = pipeline_status(Settings(newsgroups_archive=None, cache_dir=tmp_path))
    assert ok and "internet" in message


def test_cache_lives_in_the_configured_directory(newsgroups_settings: Settings, newsgroups_model) -> None:
    path = pipeline_path(newsgroups_settings)
    assert path.is_file() and path.is_relative_to(newsgroups_settings.cache_dir)
    assert not list(path.parent.glob("*.tmp")), "temporary files must not be left behind"
