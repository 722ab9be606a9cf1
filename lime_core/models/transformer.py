"""Any Hugging Face sequence-classification checkpoint as a LIME black box.

:class:`TransformerClassifier` loads an ``AutoModelForSequenceClassification``
checkpoint by hub name or from a local directory and answers
``predict_proba`` for thousands of perturbed texts: texts are tokenized once,
sorted by length so batches carry little padding, run under
``torch.inference_mode()`` and put back in the caller's order.

Loading fails fast with :class:`~lime_core.errors.ModelUnavailableError` (a
one-line message saying what to do) instead of waiting through the hub
client's retries when the weights cannot be had: local paths are checked
before anything is loaded, ``HF_HUB_OFFLINE`` and local directories load with
``local_files_only=True``, and when online a quick reachability probe of the
hub decides whether to try the network at all.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

# torch and transformers are imported where used: they take seconds to import, and
# an app that only uses the scikit-learn model should not pay for them.
from ..classifier import as_text_list
from ..errors import ModelUnavailableError
from ..settings import ENV_SENTIMENT_MODEL

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 32
# Tokens per forward pass (rows x padded length): see TransformerClassifier.predict_proba.
DEFAULT_TOKEN_BUDGET = 512
# Padded lengths of the length buckets; a text goes to the smallest that holds it (the model's limit is the last).
LENGTH_BUCKETS = (8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024)
# The removal operator of local transformers, chosen by measurement on reviews (docs/removal.md,
# benchmarks/results/removal.json).
DEFAULT_REMOVAL = "mask_token"
# Features of local transformers unless the explainer is told otherwise: words, or words with adjacent word pairs,
# chosen per text by cross-validated fidelity (lime_core.word_pairs; docs/removal.md).
DEFAULT_BIGRAMS = "auto"
# Seconds to wait for the hub to answer before declaring it unreachable.
HUB_PROBE_TIMEOUT = 3.0
# Tokenizers without a configured limit report int(1e30); anything this large means "no limit".
_NO_LIMIT = 1_000_000
WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
_TRUE = {"1", "on", "yes", "true"}


def _one_line(exc: BaseException, limit: int = 200) -> str:
    lines = [part.strip() for part in str(exc).splitlines() if part.strip()]
    text = lines[0] if lines else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def hub_offline() -> bool:
    """True when the Hugging Face libraries are told not to use the network (HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE)."""
    if any(os.environ.get(var, "").strip().lower() in _TRUE for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")):
        return True
    try:
        from huggingface_hub import constants
    except ImportError:  # pragma: no cover - transformers depends on huggingface_hub
        return False
    return bool(constants.HF_HUB_OFFLINE)


def hub_reachable(timeout: float = HUB_PROBE_TIMEOUT) -> bool:
    """Can a TCP connection to the Hugging Face endpoint be opened within ``timeout`` seconds?

    Run in a daemon thread because name resolution ignores socket timeouts and
    can hang much longer than a user should wait.
    """
    from huggingface_hub import constants

    parts = urlsplit(constants.ENDPOINT)
    host = parts.hostname or "huggingface.co"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, name="hf-hub-probe", daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(result and result[0])


def is_local_reference(reference: str) -> bool:
    """Whether ``reference`` names a directory rather than a hub repository id.

    Anything that exists on disk, starts like a path (``/``, ``.``, ``~``) or
    cannot be a hub id (``org/name``) is a path.
    """
    if Path(reference).expanduser().exists():
        return True
    if reference.startswith(("/", ".", "~")) or "\\" in reference:
        return True
    return not _HUB_ID.match(reference)


def check_local_model_dir(path: Path) -> str | None:
    """None when ``path`` looks like a loadable model directory, else what is wrong with it (cheap, no loading)."""
    if not path.exists():
        return f"{path} does not exist"
    if not path.is_dir():
        return f"{path} is not a directory"
    if not (path / "config.json").is_file():
        return f"{path} has no config.json (not a Hugging Face model directory)"
    if not any((path / name).is_file() for name in WEIGHT_FILES):
        return f"{path} has no model weights (model.safetensors or pytorch_model.bin)"
    return None


def _limit_torch_threads(num_threads: int | None) -> None:
    """Keep torch's intra-op pool within the CPUs this process may use (set_num_threads is process-wide).

    Only ever lowers the count unless ``num_threads`` asks for a number, so a
    host application that chose fewer threads keeps its choice.
    """
    import torch

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    if num_threads is not None:
        torch.set_num_threads(max(1, min(num_threads, cpus)))
    elif torch.get_num_threads() > cpus:
        torch.set_num_threads(cpus)


class TransformerClassifier:
    """A sequence-classification transformer as a :class:`~lime_core.classifier.TextClassifier`.

    Parameters
    ----------
    model:
        Hugging Face hub id (``org/name``) or local directory.
    batch_size:
        Texts per call the explainer makes (it reports progress between calls); the forward passes inside
        a call are sized by ``token_budget``.
    max_length:
        Token limit per text (longer texts are truncated). Defaults to the
        model's own limit: ``tokenizer.model_max_length`` capped by
        ``config.max_position_embeddings``; a larger value is capped too.
    device:
        ``"cuda"``, ``"cpu"``, ...; default GPU when available, else CPU.
        Weights are float32 either way (checkpoints stored as float16 run
        slowly or not at all on CPUs).
    revision:
        Hub branch, tag or commit; ignored for local directories.
    num_threads:
        torch CPU threads (process-wide); default: at most the CPUs available.
    token_budget:
        Tokens per forward pass: texts are put in length buckets (:data:`LENGTH_BUCKETS`), padded to
        their bucket's length, and run ``token_budget // length`` at a time.
    fixed_shapes:
        True (default): every batch of a bucket has the same number of rows (a short last batch is filled
        with copies of its first text), so a text's probabilities never depend on which other texts were
        sent with it (matrix kernels round differently for other shapes, by about 1e-7) and an explanation
        is identical whether its answers came from the model or the cache. False: no filling, a little
        faster on small calls.
    default_removal:
        What removed words become unless the explainer is told otherwise (:mod:`lime_core.removal`);
        default :data:`DEFAULT_REMOVAL`, chosen by measurement.
    default_bigrams:
        The features unless the explainer is told otherwise (its ``bigrams=None``): True, False, or ``"auto"``
        (default :data:`DEFAULT_BIGRAMS`: words or words with adjacent pairs, chosen per text by fidelity).
    env_var:
        The setting users change to pick another model, named in error messages.
    """

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_length: int | None = None,
        device: str | None = None,
        revision: str | None = None,
        num_threads: int | None = None,
        token_budget: int = DEFAULT_TOKEN_BUDGET,
        fixed_shapes: bool = True,
        default_removal: str = DEFAULT_REMOVAL,
        default_bigrams: bool | str = DEFAULT_BIGRAMS,
        env_var: str | None = ENV_SENTIMENT_MODEL,
    ):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        if max_length is not None and max_length < 2:
            raise ValueError(f"max_length must be at least 2 tokens, not {max_length}")
        if token_budget < 1:
            raise ValueError(f"token_budget must be at least 1, not {token_budget}")
        self.source = os.path.expanduser(os.fspath(model))
        self.batch_size = int(batch_size)
        self.token_budget = int(token_budget)
        self.fixed_shapes = bool(fixed_shapes)
        self.default_removal = default_removal
        self.default_bigrams = default_bigrams
        self.revision = revision
        # What the user can do, for the two ways loading fails: a bad local directory, or no way to the hub.
        where = f"set {env_var} to" if env_var else "pass"
        self._local_hint = f"{where} a directory holding a sequence-classification checkpoint (config.json + weights)"
        self._hint = f"{where} a local model directory or connect to the internet"
        self._local = is_local_reference(self.source)
        self._lock = threading.Lock()  # fast tokenizers must not be used by two threads at once

        self.tokenizer, self.model = self._load()

        import torch

        _limit_torch_threads(num_threads)
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model.to(self.device)
        self.model.eval()

        config = self.model.config
        self._class_names = self._labels(config)
        limits = [getattr(config, "max_position_embeddings", None), getattr(self.tokenizer, "model_max_length", None)]
        model_limit = min((int(v) for v in limits if isinstance(v, int) and 0 < v < _NO_LIMIT), default=512)
        if max_length is not None and max_length > model_limit:
            logger.info("max_length %d exceeds the model's limit; using %d", max_length, model_limit)
        self.max_length = min(max_length or model_limit, model_limit)
        self.name = Path(self.source).name if self._local else self.source
        self._cache_key = self._make_cache_key()

    # ------------------------------------------------------------------ loading

    def _load(self) -> tuple[Any, Any]:
        local_only = True
        if self._local:
            problem = check_local_model_dir(Path(self.source))
            if problem:
                raise ModelUnavailableError(f"cannot load model: {problem}; {self._local_hint}")
        elif hub_offline():
            pass
        elif hub_reachable():
            local_only = False
        else:
            logger.info("Hugging Face hub unreachable; looking for %s in the local cache only", self.source)

        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(self.source, revision=self.revision, local_files_only=local_only)
            model, info = AutoModelForSequenceClassification.from_pretrained(
                self.source,
                revision=self.revision,
                local_files_only=local_only,
                dtype=torch.float32,
                output_loading_info=True,
            )
        except Exception as exc:  # OSError, ValueError, hub errors...: all mean "cannot be had"
            if self._local:
                where = f"from {self.source}"
            elif local_only:
                where = f"{self.source!r}: it is not in the local Hugging Face cache and the hub is not reachable"
                if hub_offline():  # say which of the two it was
                    where = f"{self.source!r}: it is not in the local Hugging Face cache and HF_HUB_OFFLINE is set"
            else:
                where = f"{self.source!r} from the Hugging Face hub"
            hint = self._local_hint if self._local else self._hint
            raise ModelUnavailableError(f"cannot load model {where} ({_one_line(exc)}); {hint}") from exc

        architectures = getattr(model.config, "architectures", None) or []
        if info.get("missing_keys") and not any(a.endswith("ForSequenceClassification") for a in architectures):
            raise ModelUnavailableError(
                f"{self.source} is not a sequence-classification checkpoint (its classifier weights are missing); "
                f"{self._local_hint if self._local else self._hint}"
            )
        return tokenizer, model

    @staticmethod
    def _labels(config: Any) -> list[str]:
        """Label names in class-id order (``config.id2label`` keys may be ints or digit strings)."""
        id2label = {int(k): str(v) for k, v in (getattr(config, "id2label", None) or {}).items()}
        n = int(getattr(config, "num_labels", len(id2label)) or len(id2label))
        return [id2label.get(i, f"LABEL_{i}") for i in range(n)]

    def _make_cache_key(self) -> str:
        """Checkpoint identity (+ what changes the outputs): local dir + file mtimes, or hub id + commit."""
        if self._local:
            root = Path(self.source).resolve()
            stamps = [
                f"{p.name}:{p.stat().st_mtime_ns}:{p.stat().st_size}"
                for p in sorted(root.iterdir())
                if p.is_file() and (p.suffix in {".json", ".safetensors", ".bin", ".txt", ".model"})
            ]
            version = hashlib.sha256("|".join(stamps).encode()).hexdigest()[:16]
            ident = f"{root}@{version}"
        else:
            commit = getattr(self.model.config, "_commit_hash", None) or self.revision or "main"
            ident = f"{self.source}@{commit}"
        return f"transformer:{ident}:max_length={self.max_length}"

    # ------------------------------------------------------------------ protocol

    @property
    def class_names(self) -> list[str]:
        return list(self._class_names)

    @property
    def cache_key(self) -> str:
        """Tells this checkpoint (and truncation length) apart in the prediction cache."""
        return self._cache_key

    @property
    def mask_token(self) -> str | None:
        """The tokenizer's mask token (e.g. ``[MASK]``), which the explainer may put in place of removed words."""
        token = getattr(self.tokenizer, "mask_token", None)
        return str(token) if token else None

    @property
    def unk_token(self) -> str | None:
        """The tokenizer's unknown token (e.g. ``[UNK]``), another choice for removed words."""
        token = getattr(self.tokenizer, "unk_token", None)
        return str(token) if token else None

    @property
    def reads_attention_masks(self) -> bool:
        """Removed words framed by :class:`lime_core.removal.AttentionMask` get attention mask 0 (fast tokenizers)."""
        return bool(getattr(self.tokenizer, "is_fast", False))

    def bucket_length(self, n_tokens: int) -> int:
        """The padded length of a text of ``n_tokens`` tokens: the smallest bucket that holds it."""
        for length in LENGTH_BUCKETS:
            if n_tokens <= length < self.max_length:
                return length
        return self.max_length

    def encode(self, texts: Sequence[str]) -> dict[str, list[list[int]]]:
        """Token columns (``input_ids``, ``attention_mask``, ...) of ``texts``, truncated to the model's limit.

        Removed words framed by :class:`~lime_core.removal.AttentionMask` are tokenized in place and get
        attention mask 0: no other token attends to them, and the text keeps its positions.
        """
        from ..removal import unframe

        clean, removed = zip(*(unframe(t) for t in texts), strict=True)
        framed = any(removed)
        encoded = self.tokenizer(
            list(clean), truncation=True, max_length=self.max_length, return_offsets_mapping=framed
        )
        columns = {key: [list(v) for v in encoded[key]] for key in encoded if key != "offset_mapping"}
        if framed:
            for row, spans in enumerate(removed):
                if not spans:
                    continue
                mask = columns["attention_mask"][row]
                for j, (start, end) in enumerate(encoded["offset_mapping"][row]):
                    # special tokens have empty offsets and stay; a sub-word inside a removed word goes
                    if end > start and any(start < b and a < end for a, b in spans):
                        mask[j] = 0
        return columns

    def padded_batches(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """The forward passes :meth:`predict_proba` makes for ``texts``: the rows of ``texts`` each one answers,
        and its token columns (int64, rows x bucket length, filled to the bucket's rows with ``fixed_shapes``).

        Texts run in length buckets, ``token_budget`` tokens per forward pass; the first ``len(rows)`` rows of a
        pass are the texts' own, the rest copies of its first text.
        """
        columns = self.encode(texts)
        lengths = np.array([len(ids) for ids in columns["input_ids"]])
        buckets = np.array([self.bucket_length(int(n)) for n in lengths])
        pad_id = self.tokenizer.pad_token_id or 0
        for length in np.unique(buckets).tolist():
            members = np.flatnonzero(buckets == length)
            rows_per_batch = max(1, self.token_budget // length)
            for start in range(0, len(members), rows_per_batch):
                rows = members[start : start + rows_per_batch]
                filled = rows
                if self.fixed_shapes and len(rows) < rows_per_batch:
                    filled = np.concatenate([rows, np.repeat(rows[:1], rows_per_batch - len(rows))])
                batch: dict[str, np.ndarray] = {}
                for key, values in columns.items():
                    fill = pad_id if key == "input_ids" else 0
                    matrix = np.full((len(filled), length), fill, dtype=np.int64)
                    for i, r in enumerate(filled.tolist()):
                        matrix[i, : lengths[r]] = values[r]
                    batch[key] = matrix
                yield rows, batch

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Softmax probabilities, shape (len(texts), n_classes), float64, rows in the order of ``texts``.

        Texts run in length buckets, ``token_budget`` tokens per forward pass (:meth:`padded_batches`); with
        ``fixed_shapes`` each text's answer is the same whatever other texts come with it (bit for bit, on one
        machine).
        """
        texts = as_text_list(texts)
        n_classes = len(self._class_names)
        if not texts:
            return np.zeros((0, n_classes))

        import torch

        with self._lock, torch.inference_mode():
            result = np.empty((len(texts), n_classes), dtype=np.float64)
            for rows, batch in self.padded_batches(texts):
                tensors = {key: torch.from_numpy(matrix).to(self.device) for key, matrix in batch.items()}
                logits = self.model(**tensors).logits[: len(rows)]
                result[rows] = torch.softmax(logits.double(), dim=-1).cpu().numpy()
        return result

    def __repr__(self) -> str:
        return (
            f"TransformerClassifier({self.source!r}, classes={self._class_names}, "
            f"max_length={self.max_length}, token_budget={self.token_budget}, device={self.device.type})"
        )
