"""eli5's own parts on lime_core against eli5 itself: held-out fidelity over 20 Newsgroups test posts.

For posts 1-20 of eli5's tutorial test split (post 0 is the showcase and left out), each configuration is
run by lime_core and by eli5's ``TextExplainer`` with the same arguments: a depth-2 decision tree as the
surrogate (``clf=``), a custom vectorizer (``vec=CountVectorizer(ngram_range=(1, 2))``) and eli5's own
sampler mixture (``sampler=``). Prints the median and range of held-out ``mean_KL_divergence`` and
``score`` and the wall time per post. Needs requirements-bench.txt (eli5).

    python benchmarks/eli5_parts.py [n_posts]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from eli5.lime import TextExplainer as Eli5TextExplainer
from eli5.lime.samplers import MaskingTextSamplers
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.tree import DecisionTreeClassifier

from lime_core import TextExplainer
from lime_core.models.newsgroups import NewsgroupsClassifier, load_newsgroups
from lime_core.settings import get_settings

CONFIGS = {
    "clf=DecisionTreeClassifier(max_depth=2)": lambda: {"clf": DecisionTreeClassifier(max_depth=2)},
    "vec=CountVectorizer(ngram_range=(1, 2))": lambda: {"vec": CountVectorizer(ngram_range=(1, 2))},
    "sampler=MaskingTextSamplers(70/30)": lambda: {
        "sampler": MaskingTextSamplers(
            sampler_params=[{"bow": False}, {"bow": True}], weights=[0.7, 0.3], token_pattern=r"\b\w+\b", random_state=0
        )
    },
}


def main(n_posts: int = 20) -> None:
    settings = get_settings()
    model = NewsgroupsClassifier.load(settings)
    test = load_newsgroups("test", settings)
    posts = [d for d in test.texts[1:] if d.split()][:n_posts]
    proba = model.pipeline.predict_proba
    print(f"{len(posts)} posts, 5,000 samples each; median [min-max]")
    for name, params in CONFIGS.items():
        for library, make in (("lime_core", TextExplainer), ("eli5", Eli5TextExplainer)):
            kl, score, secs = [], [], []
            for i, post in enumerate(posts):
                start = time.perf_counter()
                te = make(random_state=i, **params()).fit(post, proba)
                secs.append(time.perf_counter() - start)
                kl.append(te.metrics_["mean_KL_divergence"])
                score.append(te.metrics_["score"])

            def fmt(xs: list[float], f: str) -> str:
                return f"{np.median(xs):{f}} [{min(xs):{f}}-{max(xs):{f}}]"

            print(f"{name:42s} {library:9s} KL {fmt(kl, '.4f')}  score {fmt(score, '.3f')}  s/post {fmt(secs, '.2f')}")
            sys.stdout.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
