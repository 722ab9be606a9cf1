"""TransformerClassifier on real checkpoints: a tiny random BERT built here, and the stand-in sentiment model."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from lime_core.classifier import TextClassifier, validate_probabilities
from lime_core.errors import ModelUnavailableError
from lime_core.models import transformer as transformer_module
from lime_core.models.transformer import TransformerClassifier
from tests.conftest import STAR_LABELS, TINY_MAX_POSITIONS

# Different lengths on purpose (so sorting by length really reorders them), including an empty text.
TEXTS = [
    "the film was good",
    "",
    "awful",
    "i loved the music and the acting but the ending was too long and slow",
    "a very very dull movie",
    "great fun",
    "the plot was not bad",
    "terrible service and the food was poor , a waste of money",
    "brilliant !",
    "this product is fine",
    "it was the worst book i hated it",
    "nice",
]


@pytest.fixture(scope="module")
def tiny(tiny_bert_dir: Path) -> TransformerClassifier:
    return TransformerClassifier(tiny_bert_dir, batch_size=4)


def _one_by_one(model: TransformerClassifier, texts: list[str]) -> np.ndarray:
    return np.vstack([model.predict_proba([text]) for text in texts])


def test_labels_mask_token_and_limits_come_from_the_checkpoint(tiny: TransformerClassifier) -> None:
    assert isinstance(tiny, TextClassifier)
    assert tiny.class_names == STAR_LABELS
    assert tiny.mask_token == "[MASK]"
    # The tokenizer sets no limit, so the position embeddings decide.
    assert tiny.max_length == TINY_MAX_POSITIONS
    assert tiny.device.type in {"cpu", "cuda"}
    assert next(tiny.model.parameters()).dtype.is_floating_point
    assert str(next(tiny.model.parameters()).dtype) == "torch.float32"


def test_probabilities_are_valid_float64(tiny: TransformerClassifier) -> None:
    proba = tiny.predict_proba(TEXTS)
    assert proba.dtype == np.float64
    assert proba.shape == (len(TEXTS), len(STAR_LABELS))
    validate_probabilities(proba, len(TEXTS), len(STAR_LABELS))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    # A random model still tells texts apart; otherwise the ordering tests below would prove nothing.
    assert len({tuple(np.round(row, 6)) for row in proba}) == len(TEXTS)


def test_rows_follow_the_input_order_after_length_sorting(tiny: TransformerClassifier) -> None:
    batched = tiny.predict_proba(TEXTS)
    np.testing.assert_allclose(batched, _one_by_one(tiny, TEXTS), atol=1e-6)
    reordered = TEXTS[::-1]
    np.testing.assert_allclose(tiny.predict_proba(reordered), batched[::-1], atol=1e-6)


def test_results_do_not_depend_on_batch_size(tiny_bert_dir: Path) -> None:
    one = TransformerClassifier(tiny_bert_dir, batch_size=1).predict_proba(TEXTS)
    seven = TransformerClassifier(tiny_bert_dir, batch_size=7).predict_proba(TEXTS)
    everything = TransformerClassifier(tiny_bert_dir, batch_size=64).predict_proba(TEXTS)
    np.testing.assert_allclose(one, seven, atol=1e-6)
    np.testing.assert_allclose(one, everything, atol=1e-6)


def test_duplicates_and_repeated_calls_agree(tiny: TransformerClassifier) -> None:
    texts = ["great fun", "awful", "great fun", "awful", "great fun"]
    proba = tiny.predict_proba(texts)
    np.testing.assert_allclose(proba[0], proba[2], atol=1e-6)
    np.testing.assert_allclose(proba[1], proba[3], atol=1e-6)
    np.testing.assert_allclose(proba, tiny.predict_proba(texts), atol=1e-12)


def test_a_very_long_text_is_truncated_to_max_length(tiny: TransformerClassifier) -> None:
    seen: list[int] = []
    hook = tiny.model.register_forward_pre_hook(
        lambda _module, _args, kwargs: seen.append(kwargs["input_ids"].shape[1]), with_kwargs=True
    )
    try:
        long_text = " ".join(["the film was good but too long"] * 400)  # 2,800 words
        proba = tiny.predict_proba([long_text, "short"])
    finally:
        hook.remove()
    assert proba.shape == (2, len(STAR_LABELS))
    assert seen and max(seen) <= tiny.max_length == TINY_MAX_POSITIONS


def test_truncation_keeps_the_start_of_the_text(tiny_bert_dir: Path) -> None:
    model = TransformerClassifier(tiny_bert_dir, max_length=12)
    assert model.max_length == 12
    words = ["the", "film", "was", "good", "but", "the", "ending", "was", "too", "long", "and", "slow", "and", "boring"]
    # Every word is one token of the tiny vocabulary: 12 tokens = [CLS] + 10 words + [SEP].
    full, prefix = " ".join(words), " ".join(words[:10])
    np.testing.assert_allclose(model.predict_proba([full]), model.predict_proba([prefix]), atol=1e-6)
    assert not np.allclose(model.predict_proba([full]), model.predict_proba([" ".join(words[:9])]), atol=1e-6)


def test_max_length_beyond_the_model_is_capped(tiny_bert_dir: Path) -> None:
    model = TransformerClassifier(tiny_bert_dir, max_length=10_000)
    assert model.max_length == TINY_MAX_POSITIONS
    assert model.predict_proba(["good " * 500]).shape == (1, len(STAR_LABELS))


def test_empty_batch_gives_an_empty_matrix(tiny: TransformerClassifier) -> None:
    proba = tiny.predict_proba([])
    assert proba.shape == (0, len(STAR_LABELS))
    assert proba.dtype == np.float64


def test_a_single_string_is_rejected(tiny: TransformerClassifier) -> None:
    with pytest.raises(TypeError, match="list of texts"):
        tiny.predict_proba("the film was good")
    with pytest.raises(TypeError, match="text 1"):
        tiny.predict_proba(["fine", None])  # type: ignore[list-item]


def test_cache_key_identifies_checkpoint_and_truncation(tiny_bert_dir: Path, tiny: TransformerClassifier) -> None:
    again = TransformerClassifier(tiny_bert_dir, batch_size=16)
    assert again.cache_key == tiny.cache_key  # batch size does not change results
    assert str(tiny_bert_dir.resolve()) in tiny.cache_key
    assert TransformerClassifier(tiny_bert_dir, max_length=12).cache_key != tiny.cache_key


def test_missing_directory_fails_fast_and_says_what_to_do(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError) as info:
        TransformerClassifier(tmp_path / "no-such-model")
    assert time.monotonic() - started < 30  # a generous bound: the point is "no network retries"
    message = str(info.value)
    assert "LIME_SENTIMENT_MODEL" in message and "no-such-model" in message
    assert "\n" not in message


def test_directory_without_a_model_is_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelUnavailableError, match=r"no config\.json.*LIME_SENTIMENT_MODEL"):
        TransformerClassifier(tmp_path)


def test_checkpoint_without_classification_head_is_refused(tmp_path: Path) -> None:
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=30,
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=16,
    )
    BertModel(config).save_pretrained(tmp_path)
    (tmp_path / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good"]) + "\n")
    from transformers import BertTokenizerFast

    BertTokenizerFast(vocab=str(tmp_path / "vocab.txt")).save_pretrained(tmp_path)
    with pytest.raises(ModelUnavailableError, match="not a sequence-classification checkpoint"):
        TransformerClassifier(tmp_path)


def test_uncached_hub_model_fails_fast_offline() -> None:
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError) as info:
        TransformerClassifier("lime-core-tests/no-such-model")
    assert time.monotonic() - started < 30
    message = str(info.value)
    assert "LIME_SENTIMENT_MODEL" in message and "HF_HUB_OFFLINE" in message


def test_unreachable_hub_does_not_wait_for_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    # Online mode, but the reachability probe fails: only the local cache is tried.
    monkeypatch.setattr(transformer_module, "hub_offline", lambda: False)
    monkeypatch.setattr(transformer_module, "hub_reachable", lambda timeout=3.0: False)
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError, match=r"not reachable.*LIME_SENTIMENT_MODEL"):
        TransformerClassifier("lime-core-tests/no-such-model")
    assert time.monotonic() - started < 30


def test_error_hint_names_the_given_setting(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="MY_MODEL_SETTING"):
        TransformerClassifier(tmp_path / "missing", env_var="MY_MODEL_SETTING")


def test_bad_arguments_are_rejected(tiny_bert_dir: Path) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        TransformerClassifier(tiny_bert_dir, batch_size=0)
    with pytest.raises(ValueError, match="max_length"):
        TransformerClassifier(tiny_bert_dir, max_length=1)


def test_local_and_hub_references_are_told_apart(tmp_path: Path) -> None:
    assert transformer_module.is_local_reference(str(tmp_path))
    assert transformer_module.is_local_reference("./models/sentiment")
    assert transformer_module.is_local_reference("/nowhere/model")
    assert transformer_module.is_local_reference("a/b/c")
    assert not transformer_module.is_local_reference("nlptown/bert-base-multilingual-uncased-sentiment")
    assert not transformer_module.is_local_reference("distilbert-base-uncased")


# --------------------------------------------------------------------------- the stand-in sentiment model


@pytest.fixture(scope="module")
def sentiment(sentiment_model_dir: Path) -> TransformerClassifier:
    return TransformerClassifier(sentiment_model_dir)


def test_standin_sentiment_scores_obvious_reviews_correctly(sentiment: TransformerClassifier) -> None:
    assert sentiment.class_names == ["negative", "positive"]
    assert sentiment.mask_token == "[MASK]"
    assert sentiment.max_length == 512
    reviews = [
        "A wonderful, moving film with brilliant acting; I loved every minute of it.",
        "Dull, boring and far too long. A complete waste of time.",
    ]
    proba = sentiment.predict_proba(reviews)
    validate_probabilities(proba, 2, 2)
    assert proba[0, 1] > 0.8, proba
    assert proba[1, 0] > 0.8, proba


def test_standin_sentiment_keeps_order_in_mixed_batches(sentiment: TransformerClassifier) -> None:
    texts = ["great", "a truly awful, embarrassing mess of a movie that never ends", "", "fine", "loved it"] * 3
    batched = sentiment.predict_proba(texts)
    np.testing.assert_allclose(batched, _one_by_one(sentiment, texts), atol=1e-5)


def test_padded_batches_answer_each_text_once_in_fixed_bucket_shapes(sentiment: TransformerClassifier) -> None:
    texts = [f"review {i}: " + "good " * (i % 23) for i in range(70)]
    seen: list[int] = []
    shapes: dict[int, set[int]] = {}
    columns = sentiment.encode(texts)
    for rows, batch in sentiment.padded_batches(texts):
        rows_per_pass, length = batch["input_ids"].shape
        assert length == min(sentiment.bucket_length(len(columns["input_ids"][r])) for r in rows)
        assert rows_per_pass == sentiment.token_budget // length  # filled to the bucket's rows
        shapes.setdefault(length, set()).add(rows_per_pass)
        for i, r in enumerate(rows.tolist()):  # each text's tokens, then padding with attention mask 0
            n = len(columns["input_ids"][r])
            assert batch["input_ids"][i, :n].tolist() == columns["input_ids"][r]
            assert not batch["attention_mask"][i, n:].any()
        seen.extend(rows.tolist())
    assert sorted(seen) == list(range(len(texts)))
    assert len(shapes) >= 3 and all(len(rows) == 1 for rows in shapes.values())
