"""Plain functions as models, eli5's TextExplainer names and lime's LimeTextExplainer, on a real sklearn pipeline."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from lime_core import LimeTextExplainer, ModelOutputError, PredictionCache, TextExplainer
from lime_core.compat.lime_api import SplitTokenizer, lime_kernel
from lime_core.explanation import Explanation
from lime_core.kernels import CosineKernel, cosine_similarity_to_original
from lime_core.surrogates import ClassifierSurrogate, SoftmaxSurrogate
from tests.http_fixtures import tiny_text_pipeline


class WordDropSampler:
    """An eli5-style sampler written by hand (no eli5): each sample drops one word."""

    def sample_near(self, doc, n_samples=1):
        words = doc.split()
        rng = np.random.default_rng(0)
        dropped = rng.integers(len(words), size=n_samples)
        texts = [" ".join(w for i, w in enumerate(words) if i != j) for j in dropped]
        return texts, np.full(n_samples, np.sqrt((len(words) - 1) / len(words)))


ELI5_STYLE_SAMPLER = WordDropSampler()
DOC = "the goal keeper saved a penalty and the team won the match after the food"
N = 300


@pytest.fixture(scope="module")
def pipe():
    return tiny_text_pipeline()


# -- any callable is a model -------------------------------------------------------------------------------------


def test_plain_function_is_a_model_with_numbered_classes(pipe):
    calls = []

    def model_adapter(texts):
        calls.append(len(texts))
        return pipe.predict_proba(texts)

    te = TextExplainer(n_samples=N, random_state=0).fit(DOC, model_adapter)
    explanation = te.explanation("all")
    assert explanation.class_names == ("class 0", "class 1", "class 2")
    assert explanation.model.endswith("model_adapter")
    assert sum(calls) == te.n_model_calls_ == explanation.n_model_calls
    # The function's answers are the pipeline's: same probabilities as asking the pipeline itself.
    np.testing.assert_allclose(te.proba_[0], pipe.predict_proba([DOC])[0])


def test_a_functions_answers_are_validated():
    with pytest.raises(ModelOutputError, match="sum to 1"):
        TextExplainer(n_samples=N).fit(DOC, lambda texts: np.ones((len(texts), 3)))
    with pytest.raises(ModelOutputError, match="shape"):
        TextExplainer(n_samples=N).fit(DOC, lambda texts: np.full(len(texts), 0.5))
    with pytest.raises(TypeError, match="or a function"):
        TextExplainer(n_samples=N).fit(DOC, object())


def test_functions_are_cached_by_identity_and_bound_methods_by_their_object(pipe):
    cache = PredictionCache()
    first = TextExplainer(n_samples=N, random_state=0, cache=cache).fit(DOC, pipe.predict_proba)
    assert first.n_model_calls_ > 0
    # ``pipe.predict_proba`` is a new bound-method object at each access, yet the same model.
    again = TextExplainer(n_samples=N, random_state=0, cache=cache).fit(DOC, pipe.predict_proba)
    assert again.n_model_calls_ == 0

    def other(texts):
        return pipe.predict_proba(texts)

    fresh = TextExplainer(n_samples=N, random_state=0, cache=cache).fit(DOC, other)
    assert fresh.n_model_calls_ == first.n_model_calls_  # another function: not the same model

    other.cache_key = "tiny-pipeline-v1"  # the user says which model it is
    TextExplainer(n_samples=N, random_state=0, cache=cache).fit(DOC, other)

    def same_model(texts):
        return pipe.predict_proba(texts)

    same_model.cache_key = "tiny-pipeline-v1"
    assert TextExplainer(n_samples=N, random_state=0, cache=cache).fit(DOC, same_model).n_model_calls_ == 0


def test_a_function_is_batched_like_any_model(pipe):
    sizes = []

    def model_adapter(texts):
        sizes.append(len(texts))
        return pipe.predict_proba(texts)

    te = TextExplainer(n_samples=N, random_state=0, batch_size=32).fit(DOC, model_adapter)
    assert max(sizes) == 32 and sum(sizes) == te.n_model_calls_


# -- eli5's TextExplainer ----------------------------------------------------------------------------------------


def test_eli5_learned_attributes(pipe):
    te = TextExplainer(n_samples=N, random_state=42)
    assert te.fit(DOC, pipe.predict_proba) is te
    assert te.doc_ == DOC
    assert len(te.samples_) == N and te.samples_[0] == DOC
    np.testing.assert_allclose(te.y_proba_, pipe.predict_proba(te.samples_))  # the samples are what was asked
    assert te.similarity_.shape == (N,) and te.similarity_[0] == pytest.approx(1.0)
    metrics = te.explanation().metrics
    assert te.metrics_ == {"mean_KL_divergence": metrics.mean_KL_divergence, "score": metrics.score}
    assert te.X_.shape == (N, te.vec_.n_features)
    assert te.clf_.coef_.shape[0] == 3


def test_eli5_attributes_before_fit_say_to_fit():
    with pytest.raises(AttributeError, match=r"call fit\(doc, predict_proba\) first"):
        _ = TextExplainer().metrics_


def test_show_prediction_target_names_targets_and_top(pipe):
    te = TextExplainer(n_samples=N, random_state=42).fit(DOC, lambda texts: pipe.predict_proba(texts))
    names = ["<b>food</b>", "sports", "tech"]
    html = te.show_prediction(target_names=names, top=3)._repr_html_()
    assert "&lt;b&gt;food&lt;/b&gt;" in html and "<b>food</b>" not in html  # a class name is untrusted
    assert 'class="lc-word"' in html and "keeper" in html
    only = te.explain_prediction(target_names=names, targets=["sports"])
    assert [t.class_name for t in only.targets] == ["sports"] and only.class_names == tuple(names)
    assert [t.class_index for t in te.explain_prediction(top_targets=2).targets] == list(np.argsort(-te.proba_[0])[:2])
    assert len(te.explain_prediction().targets) == 3  # eli5 shows every class of a multiclass model
    with pytest.raises(ValueError, match="target_names has 2 names"):
        te.show_prediction(target_names=["a", "b"])
    with pytest.raises(TypeError, match="unexpected argument"):
        te.show_prediction(colour="red")
    te.show_prediction(target_names=names, show_feature_values=True)  # eli5 display options are accepted


def test_show_weights_lists_every_class_with_bias(pipe):
    te = TextExplainer(n_samples=N, random_state=42).fit(DOC, pipe.predict_proba)
    html = str(te.show_weights(top=5))
    for name in pipe.classes_:
        assert f"y={name}" in html
    assert html.count("&lt;BIAS&gt;") == 3
    explanation = te.explain_weights()
    assert [t.class_name for t in explanation.targets] == list(pipe.classes_)


def test_eli5_constructor_arguments(pipe):
    positions = TextExplainer(n_samples=N, random_state=0, position_dependent=True).fit(DOC, pipe.predict_proba)
    assert positions.vec_.names[:3] == ("[0] the", "[1] goal", "[2] keeper")
    assert positions.vec_.n_features == len(DOC.split())

    chars = TextExplainer(n_samples=N, random_state=0, char_based=True).fit(DOC, pipe.predict_proba)
    assert all(len(name) == 1 for name in chars.vec_.names)
    assert chars.explanation().settings.tokenization == "chars"

    pattern = TextExplainer(n_samples=N, random_state=0, token_pattern=r"\b\w{4,}\b").fit(DOC, pipe.predict_proba)
    assert set(pattern.vec_.names) == {w for w in DOC.split() if len(w) >= 4}

    rbf = TextExplainer(n_samples=N, random_state=0, rbf_sigma=0.5).fit(DOC, pipe.predict_proba)
    distance = 1 - cosine_similarity_to_original(rbf.keep_)
    np.testing.assert_allclose(rbf.sample_weight_, np.exp(-(distance**2) / (2 * 0.5**2)))

    same = [TextExplainer(n_samples=N, random_state=np.random.RandomState(3)) for _ in "ab"]
    same = [te.fit(DOC, pipe.predict_proba) for te in same]
    assert same[0].explanation() == same[1].explanation()
    TextExplainer(n_samples=N, expand_factor=None).fit(DOC, pipe.predict_proba)  # accepted, has no use here


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"clf": LogisticRegression(), "surrogate": SoftmaxSurrogate()}, "not both"),
        ({"vec": object()}, "scikit-learn vectorizer"),
        ({"vec": CountVectorizer(), "position_dependent": True}, "own features"),
        ({"vec": CountVectorizer(), "n_samples": "auto"}, "own samplers"),
        ({"sampler": ELI5_STYLE_SAMPLER, "kernel": CosineKernel()}, "rbf_sigma"),
        ({"sampler": ELI5_STYLE_SAMPLER, "position_dependent": True}, "sample_near_with_mask"),
        ({"sampler": type("MaskingTextSampler", (), {"sample_near": None})()}, "is not a sampler"),
        ({"position_dependent": True, "bigrams": True}, "no bigrams"),
    ],
)
def test_eli5_arguments_without_a_meaning_here_are_refused_clearly(pipe, params, fragment):
    with pytest.raises(ValueError, match=fragment):
        TextExplainer(**{"n_samples": N, **params}).fit(DOC, pipe.predict_proba)


def test_eli5_clf_a_linear_sklearn_classifier_as_the_surrogate():
    def model_adapter(texts):  # "goal" moves the log-odds of class 1 by log(4) + log(9), about 3.6
        return np.array([[0.2, 0.8] if "goal" in t else [0.9, 0.1] for t in texts])

    te = TextExplainer(n_samples=N, random_state=0, clf=LogisticRegression(C=100)).fit(DOC, model_adapter)
    assert te.metrics_["score"] == 1.0
    top = te.explain_prediction().targets[0]
    assert top.class_name == "class 1" and top.weights[0].feature == "goal"
    assert top.weights[0].weight == pytest.approx(np.log(4) + np.log(9), rel=0.1)
    assert abs(top.weights[1].weight) < 0.1 * top.weights[0].weight
    x = te.X_[:5]
    np.testing.assert_allclose(te.clf_.predict_proba(x), te.clf_.clf_.predict_proba(x))
    assert "y=class 0" in str(te.show_weights())


def test_classifier_surrogate_label_expansion_matches_the_probabilities():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(400, 3)).astype(float)
    p1 = np.where(X[:, 0] > 0, 0.8, 0.3)
    P = np.column_stack([1 - p1, p1])
    w = np.ones(400)
    tree = DecisionTreeClassifier(max_depth=1)
    sampled = ClassifierSurrogate(tree, expand_factor=10, random_state=0).fit(X, P, w)
    leaf = sampled.predict_proba(np.array([[1.0, 0, 0], [0.0, 0, 0]]))[:, 1]
    np.testing.assert_allclose(leaf, [0.8, 0.3], atol=0.05)  # 4,000 drawn labels: within a few points
    again = ClassifierSurrogate(tree, expand_factor=10, random_state=0).fit(X, P, w)
    np.testing.assert_array_equal(again.predict_proba(X), sampled.predict_proba(X))  # seeded
    exact = ClassifierSurrogate(tree, expand_factor="exact").fit(X, P, w)
    np.testing.assert_allclose(exact.predict_proba(X)[:, 1], p1, atol=1e-9)
    hard = ClassifierSurrogate(tree, expand_factor=None).fit(X, P, w)
    np.testing.assert_array_equal(hard.predict_proba(X)[:, 1], (p1 > 0.5).astype(float))  # argmax labels
    assert not sampled.linear and not hasattr(sampled, "coef_")
    with pytest.raises(ValueError, match="expand_factor"):
        ClassifierSurrogate(tree, expand_factor=0).fit(X, P, w)


def test_eli5_clf_a_decision_tree_explained_by_its_path(pipe):
    te = TextExplainer(n_samples=N, random_state=0, clf=DecisionTreeClassifier(max_depth=2), faithfulness=True).fit(
        DOC, pipe.predict_proba
    )
    assert set(te.metrics_) == {"mean_KL_divergence", "score"} and te.metrics_["score"] > 0.5
    explanation = te.explanation("all")
    leaf = te.clf_.predict_proba(te.X_[:1])[0]
    for target in explanation.targets:  # bias (root) + path contributions = the tree's prediction for the text
        total = target.bias + sum(w.weight for w in target.weights)
        assert total == pytest.approx(leaf[target.class_index]) == pytest.approx(target.surrogate_probability)
        assert sum(w.weight != 0 for w in target.weights) <= 2  # depth 2: at most two splits on the path
        assert all(w.std is None and w.interval is None for w in target.weights)
    assert explanation.stability is None and explanation.uncertainty is None
    assert explanation.faithfulness is not None  # removing the words on the tree's path, asked of the model
    data = explanation.to_dict()
    assert data["settings"]["weights_kind"] == "tree_path"
    assert Explanation.from_dict(data).settings.weights_kind == "tree_path"
    assert "decision tree" in str(te.show_prediction())
    weights = te.explain_weights()
    assert abs(sum(v for _, v in weights.importances) - 1.0) < 1e-9
    assert weights.tree_text.count("--->") <= 4 and weights.importances[0][0] in weights.tree_text
    assert "lc-tree-text" in str(te.show_weights())


def test_eli5_vec_and_an_eli5_style_sampler(pipe):
    te = TextExplainer(n_samples=N, random_state=0, vec=CountVectorizer(ngram_range=(1, 2))).fit(
        DOC, pipe.predict_proba
    )
    names = set(te.features_.names)
    assert {"goal keeper", "penalty"} <= names and "a" not in names  # CountVectorizer's own tokens and bigrams
    assert te.X_.shape == (N, len(names)) and len(te.samples_) == N and te.samples_[0] == DOC
    np.testing.assert_array_equal(te.X_.toarray(), te.vec_.vectorizer.transform(te.samples_).toarray())
    spans = dict(zip(te.features_.names, te.features_.spans, strict=True))
    assert [DOC[a:b] for a, b in spans["the"]] == ["the"] * 4 and DOC[slice(*spans["goal keeper"][0])] == "goal keeper"
    assert te.explanation().settings.tokenization.startswith("vec=CountVectorizer")

    te2 = TextExplainer(n_samples=N, random_state=0, sampler=ELI5_STYLE_SAMPLER).fit(DOC, pipe.predict_proba)
    assert te2.samples_[1:] == ELI5_STYLE_SAMPLER.sample_near(DOC, N - 1)[0]  # its texts, in its order
    assert te2.similarity_[0] == 1.0 and np.all(te2.similarity_[1:] < 1.0)
    assert "goal keeper" in te2.features_.names  # eli5's default vectorizer: words and word pairs
    assert "WordDropSampler" in te2.explanation().settings.sampler
    te2.fit(DOC, pipe.predict_proba)
    te3 = TextExplainer(n_samples=N, random_state=0).fit(DOC, pipe.predict_proba)
    assert te3.sample_texts_ is None and len(te3.samples_) == N


def test_position_dependent_is_recorded_in_the_json(pipe):
    explanation = TextExplainer(n_samples=N, random_state=0, position_dependent=True).explain(DOC, pipe)
    data = explanation.to_dict()
    assert data["settings"]["position_dependent"] is True and "weights_kind" not in data["settings"]
    assert Explanation.from_dict(data).settings.position_dependent
    plain = TextExplainer(n_samples=N, random_state=0).explain(DOC, pipe).to_dict()
    assert "position_dependent" not in plain["settings"]  # the key appears only when set, as `adaptive`


# -- lime's LimeTextExplainer ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lime_exp(pipe):
    explainer = LimeTextExplainer(class_names=list(pipe.classes_), random_state=0)
    return explainer.explain_instance(DOC, pipe.predict_proba, num_features=4, num_samples=N)


def test_lime_explanation_shapes(lime_exp, pipe):
    assert lime_exp.available_labels() == [1]
    pairs = lime_exp.as_list()
    assert len(pairs) == 4
    assert [abs(w) for _, w in pairs] == sorted((abs(w) for _, w in pairs), reverse=True)
    target = lime_exp.explanation.target("sports")
    by_name = {w.feature: w.weight for w in target.weights}
    assert all(by_name[name] == weight for name, weight in pairs)
    ids = lime_exp.as_map()[1]
    words = list(dict.fromkeys(w.casefold() for w in DOC.split()))  # lime numbers words in reading order
    assert [words[i] for i, _ in ids] == [name for name, _ in pairs]
    assert lime_exp.score[1] == lime_exp.explanation.metrics.score
    assert lime_exp.local_pred[1].shape == (1,)
    assert lime_exp.local_pred[1][0] == pytest.approx(target.surrogate_probability)
    assert lime_exp.intercept[1] == target.bias
    np.testing.assert_allclose(lime_exp.predict_proba, pipe.predict_proba([DOC])[0])
    with pytest.raises(KeyError):
        lime_exp.as_list(label=0)
    first = lime_exp.as_list(positions=True)[0][0]
    word = first.rsplit("_", 1)[0]
    starts = [m.start() for m in re.finditer(rf"\b{re.escape(word)}\b", DOC.casefold())]
    assert first == f"{word}_" + "-".join(map(str, starts))


def test_lime_labels_and_top_labels(pipe):
    explainer = LimeTextExplainer(random_state=0)
    two = explainer.explain_instance(DOC, pipe.predict_proba, labels=(0, 2), num_samples=N)
    assert sorted(two.available_labels()) == [0, 2]
    assert two.class_names == list(pipe.classes_)  # a bound method's object knows the classes
    unnamed = explainer.explain_instance(DOC, lambda texts: pipe.predict_proba(texts), num_samples=N)
    assert unnamed.class_names == ["class 0", "class 1", "class 2"]
    top = explainer.explain_instance(DOC, pipe.predict_proba, top_labels=2, num_samples=N)
    assert top.available_labels() == [int(i) for i in np.argsort(-top.predict_proba)[:2]]
    with pytest.raises(ValueError, match="out of range"):
        explainer.explain_instance(DOC, pipe.predict_proba, labels=(5,), num_samples=N)
    with pytest.raises(ModelOutputError, match="expected 2"):
        LimeTextExplainer(class_names=["a", "b"]).explain_instance(DOC, pipe.predict_proba, num_samples=N)


def test_lime_html_is_escaped_and_saved(pipe, tmp_path):
    hostile = "<script>alert(1)</script> the goal keeper saved a penalty"
    exp = LimeTextExplainer(random_state=0).explain_instance(hostile, pipe.predict_proba, num_samples=N)
    page = exp.as_html()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "&lt;/" in page
    exp.save_to_file(str(tmp_path / "exp.html"))
    assert (tmp_path / "exp.html").read_text(encoding="utf-8") == page
    assert 'class="lc-word"' in exp._repr_html_()


def test_lime_pyplot_figure(lime_exp):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    fig = lime_exp.as_pyplot_figure()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [n for n, _ in lime_exp.as_list()][::-1]
    assert [round(p.get_width(), 12) for p in ax.patches] == [round(w, 12) for _, w in lime_exp.as_list()][::-1]
    assert ax.get_title() == "Local explanation for class sports"


def test_matplotlib_is_imported_only_when_a_figure_is_asked_for():
    code = (
        "import sys; from tests.http_fixtures import tiny_text_pipeline; from lime_core import LimeTextExplainer;"
        "p = tiny_text_pipeline();"
        "e = LimeTextExplainer().explain_instance('the goal keeper saved', p.predict_proba, num_samples=50);"
        "e.as_html(); print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_lime_kernel_width_is_limes_formula():
    keep = np.array([[1, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 1], [1, 0, 0, 0]], dtype=bool)
    d = (1 - cosine_similarity_to_original(keep)) * 100
    for width in (25, 10):
        np.testing.assert_allclose(lime_kernel(width, None).weights(keep), np.sqrt(np.exp(-(d**2) / width**2)))
    custom = lime_kernel(7, lambda dist, w: np.exp(-dist / w))
    np.testing.assert_allclose(custom.weights(keep), np.exp(-d / 7))


def test_lime_bow_mask_string_char_level_and_split_expression(pipe):
    by_position = LimeTextExplainer(bow=False, mask_string="UNKWORDZ", random_state=0)
    exp = by_position.explain_instance(DOC, pipe.predict_proba, num_samples=N, num_features=20)
    assert sorted(name for name, _ in exp.as_list()) == sorted(DOC.split())  # each position, named by its word
    assert all(f.startswith("[") for f in (w.feature for w in exp.explanation.targets[0].weights))
    the = [name for name, _ in exp.as_list(positions=True) if name.startswith("the_")]
    assert sorted(the) == sorted(f"the_{m.start()}" for m in re.finditer(r"\bthe\b", DOC))
    te = by_position.explainer(N).fit(DOC, pipe.predict_proba)
    assert any("UNKWORDZ" in s for s in te.samples_[1:])

    chars = LimeTextExplainer(char_level=True, random_state=0).explain_instance(DOC, pipe.predict_proba, num_samples=N)
    assert all(len(name) == 1 for name, _ in chars.as_list())

    tokens = SplitTokenizer(r",\s*").tokenize("red wine, blue cheese,  green tea")
    assert [(t.text, t.start) for t in tokens] == [("red wine", 0), ("blue cheese", 10), ("green tea", 24)]
    split = SplitTokenizer(lambda text: text.split(" "))
    assert [t.text for t in split.tokenize("a b  c")] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="not in the text"):
        SplitTokenizer(lambda text: ["zzz"]).tokenize("a b")


def test_lime_num_samples_auto_is_adaptive_sampling(pipe):
    exp = LimeTextExplainer(random_state=0).explain_instance(DOC, pipe.predict_proba, num_samples="auto")
    assert exp.explanation.sampling.mode == "auto" and exp.explanation.n_samples < 5000


def test_lime_verbose_and_refused_arguments(pipe, capsys):
    LimeTextExplainer(verbose=True, random_state=0).explain_instance(DOC, pipe.predict_proba, num_samples=N)
    out = capsys.readouterr().out
    assert "Intercept" in out and "Prediction_local" in out and "Right:" in out
    with pytest.raises(ValueError, match="model_regressor"):
        LimeTextExplainer().explain_instance(DOC, pipe.predict_proba, model_regressor=object())
    with pytest.raises(ValueError, match="distance_metric"):
        LimeTextExplainer().explain_instance(DOC, pipe.predict_proba, distance_metric="euclidean")
