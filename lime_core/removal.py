"""Removal operators: what a perturbed text looks like where LIME removed a word.

LIME asks the model about variations of the text with words removed. How a word is removed is a choice with
consequences: deleting words makes ungrammatical texts a transformer never saw in training (Hase et al.
2021, "The Out-of-Distribution Problem in Explainability and Search Methods for Feature Importance
Explanations"; lime issue #648), while the model's own mask token, its unknown token or an attention mask
keep the text's shape. Each operator is a small swappable part, like samplers and kernels:

* :class:`Deletion` (``"deletion"``): the word's characters go; spaces and punctuation stay (eli5, lime);
* :class:`Replacement` (``"replace"``): the word becomes a fixed string (eli5's and lime's ``mask_string``);
* :class:`MaskToken` (``"mask_token"``): the word becomes the model's mask token (``[MASK]``);
* :class:`UnknownToken` (``"unk_token"``): the word becomes the model's unknown token (``[UNK]``);
* :class:`AttentionMask` (``"attention_mask"``): the word's sub-word tokens stay in place with attention
  mask 0, so no other token sees them and the text keeps its positions (local Hugging Face models).

An operator's signature (its protocol, :class:`Removal`):

* ``name``: the operator's name, written to every explanation (``settings.removal``);
* ``for_model(model) -> Removal``: the operator ready for ``model`` (the model's mask token looked up,
  an attention mask checked to be supported); raises :class:`~lime_core.errors.LimeCoreError` saying why
  an operator cannot work with the model;
* ``texts(tokenized, keep) -> list[str]``: the perturbed texts of boolean keep-masks ``(n, n_tokens)``;
  a text of the same text and mask is the same string, so the prediction cache and the model's answers
  stay one per distinct perturbation;
* ``replacement``: the string put in place of a removed word, or None (JSON ``settings.mask_token``).

:func:`get_removal` looks an operator up by name (the CLI's and the dashboard's choices come from
:data:`REMOVALS`). A model may declare ``default_removal`` (a name), chosen by measurement for the bundled
models (docs/removal.md); without one, words are deleted.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from .errors import InputTextError, LimeCoreError
from .tokenization import TokenizedText

# Private-use characters that frame a removed word for a model reading attention masks
# (:class:`AttentionMasking`); a text that contains them cannot be explained with that operator.
REMOVED_START = "\ue000"
REMOVED_END = "\ue001"

DELETION = "deletion"
REPLACE = "replace"
MASK_TOKEN = "mask_token"
UNK_TOKEN = "unk_token"
ATTENTION_MASK = "attention_mask"


class Removal(Protocol):
    """What a removed word becomes in a perturbed text (the module docstring gives the signature)."""

    name: str

    @property
    def replacement(self) -> str | None: ...

    def for_model(self, model: Any) -> Removal: ...

    def texts(self, tokenized: TokenizedText, keep: np.ndarray) -> list[str]: ...


@runtime_checkable
class AttentionMasking(Protocol):
    """A classifier that reads removed words framed by ``REMOVED_START`` / ``REMOVED_END`` and gives their
    tokens attention mask 0 (:class:`~lime_core.models.transformer.TransformerClassifier` does)."""

    @property
    def reads_attention_masks(self) -> bool: ...


class Deletion:
    """Removed words are deleted; the spaces and punctuation around them stay."""

    name = DELETION
    replacement = None

    def for_model(self, model: Any) -> Deletion:
        return self

    def texts(self, tokenized: TokenizedText, keep: np.ndarray) -> list[str]:
        return tokenized.rebuild(keep)

    def __repr__(self) -> str:
        return "Deletion()"


class Replacement:
    """Removed words are replaced by a fixed string (eli5's and lime's ``mask_string``)."""

    name = REPLACE

    def __init__(self, token: str) -> None:
        if not isinstance(token, str) or not token:
            raise ValueError("a replacement needs a non-empty string")
        self.token = token

    @property
    def replacement(self) -> str:
        return self.token

    def for_model(self, model: Any) -> Replacement:
        return self

    def texts(self, tokenized: TokenizedText, keep: np.ndarray) -> list[str]:
        return tokenized.rebuild(keep, replacement=self.token)

    def __repr__(self) -> str:
        return f"Replacement({self.token!r})"


class _ModelToken(Replacement):
    """A removed word becomes one of the model's special tokens, read from the model when not given."""

    attribute = ""
    what = ""

    def __init__(self, token: str | None = None) -> None:
        self.token = token  # type: ignore[assignment]

    def for_model(self, model: Any) -> _ModelToken:
        if self.token:
            return self
        token = getattr(model, self.attribute, None)
        if not isinstance(token, str) or not token:
            raise LimeCoreError(
                f"the model has no {self.what} to put in place of removed words (it declares no "
                f"'{self.attribute}'); choose removal='deletion', or pass the token, e.g. {type(self).__name__}('[X]')"
            )
        return type(self)(token)

    def texts(self, tokenized: TokenizedText, keep: np.ndarray) -> list[str]:
        if not self.token:
            raise LimeCoreError(f"{type(self).__name__} has no token yet: call for_model(model) first")
        return tokenized.rebuild(keep, replacement=self.token)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.token!r})" if self.token else f"{type(self).__name__}()"


class MaskToken(_ModelToken):
    """Removed words become the model's mask token (``[MASK]`` for BERT-like tokenizers)."""

    name = MASK_TOKEN
    attribute = "mask_token"
    what = "mask token"


class UnknownToken(_ModelToken):
    """Removed words become the model's unknown token (``[UNK]`` for BERT-like tokenizers)."""

    name = UNK_TOKEN
    attribute = "unk_token"
    what = "unknown token"


class AttentionMask:
    """Removed words stay in the text, framed so that the model gives their sub-word tokens attention mask 0.

    Only for a model that declares :class:`AttentionMasking`: the framing characters are private-use
    code points no other model understands.
    """

    name = ATTENTION_MASK
    replacement = None

    def for_model(self, model: Any) -> AttentionMask:
        if not (isinstance(model, AttentionMasking) and model.reads_attention_masks):
            raise LimeCoreError(
                "attention masking needs a local Hugging Face model (TransformerClassifier); this model reads "
                "only texts: choose removal='deletion', 'mask_token' or 'unk_token'"
            )
        return self

    def texts(self, tokenized: TokenizedText, keep: np.ndarray) -> list[str]:
        if REMOVED_START in tokenized.text or REMOVED_END in tokenized.text:
            raise InputTextError(
                "the text contains the private-use characters U+E000 or U+E001, which attention masking uses "
                "to mark removed words; remove them or choose another removal"
            )
        keep = np.asarray(keep, dtype=bool)
        words = np.array([t.text for t in tokenized.tokens], dtype=object)
        framed = np.array([f"{REMOVED_START}{w}{REMOVED_END}" for w in words], dtype=object)
        rows = np.empty((keep.shape[0], 2 * len(words) + 1), dtype=object)
        rows[:, 0::2] = np.array(tokenized.gaps, dtype=object)
        rows[:, 1::2] = np.where(keep, words, framed)
        return ["".join(row) for row in rows.tolist()]

    def __repr__(self) -> str:
        return "AttentionMask()"


def unframe(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without the framing of :class:`AttentionMask`, and the ``[start, end)`` spans of removed words."""
    if REMOVED_START not in text:
        return text, []
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    pos = 0
    while True:
        start = text.find(REMOVED_START, pos)
        if start < 0:
            out.append(text[pos:])
            break
        end = text.find(REMOVED_END, start + 1)
        if end < 0:
            raise ValueError("a removed word's framing is not closed")
        out.append(text[pos:start])
        length += start - pos
        word = text[start + 1 : end]
        out.append(word)
        spans.append((length, length + len(word)))
        length += len(word)
        pos = end + 1
    return "".join(out), spans


REMOVALS: dict[str, type] = {
    DELETION: Deletion,
    MASK_TOKEN: MaskToken,
    UNK_TOKEN: UnknownToken,
    ATTENTION_MASK: AttentionMask,
}


def get_removal(name: str) -> Removal:
    """Look an operator up by the name the CLI and the dashboard use."""
    try:
        return REMOVALS[name]()
    except KeyError:
        raise ValueError(f"unknown removal {name!r}; choose one of {sorted(REMOVALS)}") from None


def resolve_removal(removal: Removal | str | None, mask_token: str | None, model: Any) -> Removal:
    """The operator an explanation uses, ready for ``model``.

    ``removal`` wins; else a ``mask_token`` string (eli5's and lime's ``mask_string``) replaces removed words;
    else the model's declared ``default_removal``; else deletion.
    """
    if removal is None:
        if mask_token:
            return Replacement(mask_token)
        declared = getattr(model, "default_removal", None)
        removal = declared if isinstance(declared, str) and declared in REMOVALS else DELETION
    chosen = get_removal(removal) if isinstance(removal, str) else removal
    return chosen.for_model(model)
