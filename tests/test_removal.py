"""Removal operators (lime_core.removal) on the stand-in model's real WordPiece tokenizer.

Each operator is checked on what a transformer actually receives: sub-word words, punctuation, non-Latin
scripts and a text longer than the model's limit; then on a whole explanation, which says in every output
(JSON, text, HTML) which operator was used.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lime_core import TextExplainer
from lime_core.errors import InputTextError, LimeCoreError
from lime_core.formatters.html import format_html
from lime_core.formatters.text import format_text
from lime_core.models.transformer import DEFAULT_REMOVAL, TransformerClassifier
from lime_core.removal import (
    REMOVED_END,
    REMOVED_START,
    AttentionMask,
    Deletion,
    MaskToken,
    Replacement,
    UnknownToken,
    get_removal,
    resolve_removal,
    unframe,
)
from lime_core.tokenization import TokenizedText


@pytest.fixture(scope="module")
def standin(sentiment_model_dir: Path) -> TransformerClassifier:
    return TransformerClassifier(sentiment_model_dir)


def _remove(text: str, *words: str) -> tuple[TokenizedText, np.ndarray]:
    tokenized = TokenizedText.from_text(text)
    keep = np.array([[t.text not in words for t in tokenized.tokens]])
    return tokenized, keep


def _pieces(model: TransformerClassifier, text: str) -> list[tuple[str, int]]:
    """(sub-word token, attention mask) of each token the model gets for ``text``."""
    columns = model.encode([text])
    tokens = model.tokenizer.convert_ids_to_tokens(columns["input_ids"][0])
    return list(zip(tokens, columns["attention_mask"][0], strict=True))


def test_text_operators_keep_spaces_and_punctuation() -> None:
    tokenized, keep = _remove("Unbelievably good, (really) tasty!", "good", "really")
    assert Deletion().texts(tokenized, keep) == ["Unbelievably , () tasty!"]
    assert Replacement("XX").texts(tokenized, keep) == ["Unbelievably XX, (XX) tasty!"]
    assert MaskToken("[MASK]").texts(tokenized, keep) == ["Unbelievably [MASK], ([MASK]) tasty!"]
    assert UnknownToken("[UNK]").texts(tokenized, keep) == ["Unbelievably [UNK], ([UNK]) tasty!"]
    framed = AttentionMask().texts(tokenized, keep)[0]
    assert unframe(framed) == ("Unbelievably good, (really) tasty!", [(13, 17), (20, 26)])


def test_operators_take_their_tokens_from_the_model(standin: TransformerClassifier) -> None:
    assert resolve_removal("mask_token", None, standin).texts(*_remove("so good", "good")) == ["so [MASK]"]
    assert resolve_removal("unk_token", None, standin).texts(*_remove("so good", "good")) == ["so [UNK]"]
    assert resolve_removal(None, None, standin).name == DEFAULT_REMOVAL == standin.default_removal
    assert resolve_removal(None, "<x>", standin).name == "replace"  # eli5's / lime's mask string wins
    with pytest.raises(LimeCoreError, match="no mask token"):
        resolve_removal("mask_token", None, lambda texts: np.ones((len(texts), 2)) / 2)
    with pytest.raises(LimeCoreError, match="local Hugging Face model"):
        resolve_removal("attention_mask", None, lambda texts: np.ones((len(texts), 2)) / 2)
    with pytest.raises(ValueError, match="unknown removal"):
        get_removal("blank")


def test_a_sub_word_word_is_masked_in_all_its_pieces(standin: TransformerClassifier) -> None:
    tokenized, keep = _remove("Unbelievably overcooked pasta.", "overcooked")
    pieces = _pieces(standin, AttentionMask().texts(tokenized, keep)[0])
    masked = [tok for tok, attend in pieces if not attend]
    assert len(masked) >= 2 and "".join(t.removeprefix("##") for t in masked) == "overcooked", pieces
    kept = [tok.removeprefix("##") for tok, attend in pieces if attend]
    assert kept[0] == "[CLS]" and kept[-1] == "[SEP]" and "".join(kept[1:-1]) == "unbelievablypasta.", pieces
    # the mask token is one special token per removed word, however many pieces the word had
    ids = standin.encode(MaskToken("[MASK]").texts(tokenized, keep))["input_ids"][0]
    assert ids.count(standin.tokenizer.mask_token_id) == 1


def test_punctuation_next_to_a_removed_word_stays_visible(standin: TransformerClassifier) -> None:
    tokenized, keep = _remove("Great!!! (really)", "Great", "really")
    pieces = _pieces(standin, AttentionMask().texts(tokenized, keep)[0])
    assert [tok for tok, attend in pieces if not attend] == ["great", "really"]
    assert [tok for tok, attend in pieces if attend] == ["[CLS]", "!", "!", "!", "(", ")", "[SEP]"]


@pytest.mark.parametrize(
    ("text", "word"),
    [("Отличный фильм, очень понравился", "фильм"), ("这家餐厅很好吃", "餐"), ("Ωραίο φαγητό και φιλικό", "φαγητό")],
)
def test_non_latin_scripts(standin: TransformerClassifier, text: str, word: str) -> None:
    tokenized, keep = _remove(text, word)
    assert not keep.all()
    framed = AttentionMask().texts(tokenized, keep)[0]
    clean, spans = unframe(framed)
    assert clean == text and [clean[a:b] for a, b in spans] == [word]
    columns = standin.encode([framed])
    full = standin.encode([text])
    assert columns["input_ids"] == full["input_ids"]  # same tokens, same positions
    assert 0 < columns["attention_mask"][0].count(0) <= len(columns["input_ids"][0]) - 2
    others = [MaskToken("[MASK]").texts(tokenized, keep)[0], Deletion().texts(tokenized, keep)[0]]
    proba = standin.predict_proba([framed, *others])
    assert np.isfinite(proba).all() and np.allclose(proba.sum(axis=1), 1)


def test_a_text_longer_than_the_model_limit(standin: TransformerClassifier) -> None:
    text = " ".join(["good"] * 300 + ["food"] * 300 + ["terrible"])  # 601 words, over 512 tokens
    tokenized = TokenizedText.from_text(text)
    keep = np.ones((2, len(tokenized.tokens)), dtype=bool)
    keep[1, -1] = False  # the last word lies beyond the limit: removing it changes nothing the model reads
    for removal in (AttentionMask(), MaskToken("[MASK]"), UnknownToken("[UNK]"), Deletion()):
        texts = removal.texts(tokenized, keep)
        assert len(standin.encode(texts)["input_ids"][1]) == standin.max_length
        proba = standin.predict_proba(texts)
        np.testing.assert_array_equal(proba[0], proba[1], err_msg=repr(removal))


def test_nothing_removed_is_the_plain_text(standin: TransformerClassifier) -> None:
    tokenized = TokenizedText.from_text("The soup was cold, the wine superb.")
    keep = np.ones((1, len(tokenized.tokens)), dtype=bool)
    framed = AttentionMask().texts(tokenized, keep)
    assert framed == [tokenized.text]
    np.testing.assert_array_equal(standin.predict_proba(framed), standin.predict_proba([tokenized.text]))


def test_framing_characters_in_the_text_are_refused() -> None:
    tokenized, keep = _remove(f"odd {REMOVED_START}text{REMOVED_END} here", "here")
    with pytest.raises(InputTextError, match="U\\+E000"):
        AttentionMask().texts(tokenized, keep)


@pytest.mark.parametrize("removal", ["deletion", "mask_token", "unk_token", "attention_mask"])
def test_every_output_names_the_operator(standin: TransformerClassifier, removal: str) -> None:
    explainer = TextExplainer(n_samples=40, removal=removal, random_state=0, stability_refits=0)
    explanation = explainer.explain("The soup was cold, the wine superb.", standin)
    data = json.loads(explanation.to_json())
    assert data["settings"]["removal"] == removal
    assert data["settings"]["mask_token"] == {"mask_token": "[MASK]", "unk_token": "[UNK]"}.get(removal)
    sentence = {
        "deletion": "deleted",
        "mask_token": "[MASK]",
        "unk_token": "[UNK]",
        "attention_mask": "attention mask",
    }[removal]
    assert sentence in format_text(explanation)
    assert sentence in format_html(explanation, standalone=True)
    sample = explainer.samples_[1]
    assert (REMOVED_START in sample) == (removal == "attention_mask")
