"""Fixtures shared by the test modules: the offline assets, and small real models.

Assets (the 20 Newsgroups archive, the stand-in sentiment checkpoint) are
found through the same environment variables the product reads, else in
``../shared`` beside the checkout; a test that needs one is skipped, with the
reason, only when it is really absent. Nothing here touches the network or
the user's own cache directory.
"""

from __future__ import annotations

import os
import time

# Before anything imports huggingface_hub, which reads these once: the tests never use the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"

NEWSGROUPS_ARCHIVE_FALLBACK = SHARED_DIR / "data" / "20news-bydate.tar.gz"
SENTIMENT_MODEL_FALLBACK = SHARED_DIR / "models" / "minilm-rt-sentiment"

# Labels of the product's real sentiment model, which the tiny test checkpoint copies.
STAR_LABELS = ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]
TINY_MAX_POSITIONS = 64
# fmt: off
TINY_WORDS = [
    "the", "a", "an", "and", "or", "but", "not", "no", "very", "really", "quite", "too", "so", "this", "that",
    "it", "is", "was", "were", "be", "i", "you", "we", "they", "film", "movie", "story", "plot", "acting",
    "actor", "cast", "music", "ending", "scene", "book", "product", "price", "service", "food", "good", "great",
    "fine", "nice", "best", "loved", "love", "fun", "funny", "brilliant", "wonderful", "excellent", "bad", "poor",
    "awful", "worst", "hated", "hate", "boring", "dull", "long", "slow", "terrible", "waste", "money", "time",
]
# fmt: on


@pytest.fixture(scope="session")
def newsgroups_archive() -> Path:
    """The 20news-bydate archive: ``LIME_20NG_ARCHIVE`` if it names a file, else ../shared/data."""
    configured = os.environ.get("LIME_20NG_ARCHIVE", "").strip()
    for candidate in ([Path(configured).expanduser()] if configured else []) + [NEWSGROUPS_ARCHIVE_FALLBACK]:
        if candidate.is_file():
            return candidate
    pytest.skip(
        f"20news-bydate.tar.gz not found (LIME_20NG_ARCHIVE unset or missing, no {NEWSGROUPS_ARCHIVE_FALLBACK})"
    )


@pytest.fixture(scope="session")
def sentiment_model_dir() -> Path:
    """The stand-in sentiment checkpoint: ``LIME_SENTIMENT_MODEL`` if it is a local directory, else ../shared."""
    configured = os.environ.get("LIME_SENTIMENT_MODEL", "").strip()
    for candidate in ([Path(configured).expanduser()] if configured else []) + [SENTIMENT_MODEL_FALLBACK]:
        if (candidate / "config.json").is_file():
            return candidate
    pytest.skip(f"no local sentiment checkpoint (LIME_SENTIMENT_MODEL not a directory, no {SENTIMENT_MODEL_FALLBACK})")


@pytest.fixture(scope="session")
def newsgroups_settings(tmp_path_factory: pytest.TempPathFactory, newsgroups_archive: Path):
    """Settings reading the archive and caching into a session temp dir (never the user's cache)."""
    from lime_core.settings import Settings

    return Settings(newsgroups_archive=newsgroups_archive, cache_dir=tmp_path_factory.mktemp("lime-cache"))


@pytest.fixture(scope="session")
def newsgroups_model(newsgroups_settings):
    """The 20 Newsgroups classifier, trained once per session (~15 s with parsing the archive)."""
    from lime_core.models.newsgroups import NewsgroupsClassifier

    return NewsgroupsClassifier.load(newsgroups_settings)


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 5-label BERT checkpoint (labels "1 star".."5 stars") with a WordPiece tokenizer.

    Tiny (2 layers, hidden size 32, 64 positions) so it builds and runs in
    well under a second; its outputs mean nothing but differ from text to
    text, which is what batching and ordering tests need.
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    directory = tmp_path_factory.mktemp("tiny-bert")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *TINY_WORDS, "##s", "##ed", "##ing", ".", ",", "!", "?"]
    vocab_file = directory / "vocab.txt"
    vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab=str(vocab_file), do_lower_case=True)
    tokenizer.save_pretrained(directory)

    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=TINY_MAX_POSITIONS,
        initializer_range=0.2,  # larger than BERT's 0.02, so that different texts get visibly different outputs
        num_labels=len(STAR_LABELS),
        id2label=dict(enumerate(STAR_LABELS)),
        label2id={label: i for i, label in enumerate(STAR_LABELS)},
        architectures=["BertForSequenceClassification"],
    )
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(directory)
    return directory


RAY_NODE_ARGS = {"num_cpus": 1, "object_store_memory": 80 * 2**20}


class RayTestCluster:
    """The test session's Ray: a real multi-node cluster on 127.0.0.1 (``ray.cluster_utils.Cluster``).

    A head and one worker node, one CPU each, joined by this process as its driver. Tests that add or remove
    nodes go through :meth:`add_node` / :meth:`remove_node` and :meth:`restore` puts the two-node shape back.
    """


    def __init__(self) -> None:
        from ray.cluster_utils import Cluster

        self.cluster = Cluster(
            initialize_head=True, head_node_args={**RAY_NODE_ARGS, "include_dashboard": False}
        )
        self.workers = [self.cluster.add_node(**RAY_NODE_ARGS)]

    def add_node(self):
        node = self.cluster.add_node(**RAY_NODE_ARGS)
        self.workers.append(node)
        return node

    def remove_node(self, node, graceful: bool = True) -> None:
        """Take a node away; ``graceful=False`` kills it at once, as a preempted or crashed machine."""
        self.workers.remove(node)
        self.cluster.remove_node(node, allow_graceful=graceful)

    def restore(self) -> None:
        import ray

        while len(self.workers) > 1:
            self.remove_node(self.workers[-1])
        if not self.workers:
            self.add_node()
        # Both nodes registered, a killed node noticed as dead (its CPU no longer counted in the cluster: Ray's
        # health checks take a while), and the last test's workers gone.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and (
            ray.cluster_resources().get("CPU", 0) != 1 + len(self.workers)
            or ray.available_resources().get("CPU", 0) < 1 + len(self.workers)
        ):
            time.sleep(0.2)

    def shutdown(self) -> None:
        self.cluster.shutdown()


@pytest.fixture(scope="session")
def ray_cluster():
    """One Ray for the whole session: a two-node cluster (head + worker, one CPU each) on 127.0.0.1."""
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        ray.shutdown()
    cluster = RayTestCluster()
    ray.init(address=cluster.cluster.address, log_to_driver=False)
    cluster.restore()  # both nodes' CPUs registered
    yield cluster
    ray.shutdown()
    cluster.shutdown()


@pytest.fixture(scope="session")
def crosspost_model(newsgroups_settings):
    """The multi-label cross-posted topic model (one-vs-rest over 20 groups), trained once per session."""
    from lime_core.models.newsgroups.crosspost import CrosspostClassifier

    return CrosspostClassifier.load(newsgroups_settings)
