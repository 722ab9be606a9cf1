"""The estimator's record of a fit: plain data, trust results kept with the fit, swappable surrogates.

Real parts throughout: the explainer's own sampler and surrogates, word-model black boxes, and for the
session result a real RemoteClassifier talking HTTP to a server on 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import gc
import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.tree import DecisionTreeClassifier

from lime_core import Explanation
from lime_core.explainer import TextExplainer, explain_fit
from lime_core.formatters.highlight import weights_meaning
from lime_core.neighbourhood import FitResult, Neighbourhood
from lime_core.predictor import BlackBox, PredictionCache
from lime_core.surrogates import RidgeSurrogate, SoftmaxSurrogate, output_scale
from lime_core.trust.results import TrustResults, trust_class
from lime_core.verdict import judge_trust
from tests.blackboxes import LogisticWordModel
from tests.reach import reachable

TEXT = "good good bad and some other words to make many distinct samples"
MODEL_WEIGHTS = {"good": 2.0, "bad": -1.5, "words": 0.5}


def word_model() -> LogisticWordModel:
    return LogisticWordModel(MODEL_WEIGHTS)


@pytest.fixture(scope="module")
def fitted() -> TextExplainer:
    return TextExplainer(n_samples=400, random_state=0, faithfulness=True).fit(TEXT, word_model())


# -- the record ------------------------------------------------------------------------------------------------------


def test_the_learned_attributes_are_the_record_s_fields(fitted: TextExplainer) -> None:
    nb = fitted.neighbourhood_
    assert isinstance(nb, Neighbourhood) and isinstance(fitted.fit_result_, FitResult)
    assert fitted.fit_result_.neighbourhood is nb and fitted.fit_result_.local_fit is fitted.local_fit_
    assert fitted.keep_ is nb.keep and fitted.X_ is nb.X and fitted.proba_ is nb.proba
    assert fitted.similarity_ is nb.similarity and fitted.sample_weight_ is nb.sample_weight
    assert nb.keep.shape == (400, len(fitted.tokenized_.tokens)) and nb.X.shape[0] == nb.n_samples == 400
    assert nb.n_model_calls == fitted.n_model_calls_ == fitted.explanation().n_model_calls
    assert fitted.samples_ == nb.sample_texts() and nb.sample_texts()[0] == TEXT
    assert fitted.fit_result_.class_names == ("negative", "positive")
    with pytest.raises(dataclasses.FrozenInstanceError):
        nb.proba = np.zeros(1)  # type: ignore[misc]


def test_the_record_explains_any_class_as_the_estimator_does(fitted: TextExplainer) -> None:
    result = fitted.fit_result_
    assert explain_fit(result) == fitted.explanation()
    assert explain_fit(result, "all") == fitted.explanation(targets="all")
    other = explain_fit(result, "negative", faithfulness=False)
    assert other == fitted.explanation(targets="negative", faithfulness=False)
    assert other.targets[0].class_name == "negative" and other.faithfulness is None


def test_a_faithfulness_check_not_made_yet_needs_the_black_box(fitted: TextExplainer) -> None:
    result = fitted.fit_result_
    with pytest.raises(Exception, match="asks the model"):
        explain_fit(result, "negative", faithfulness=True)
    box = BlackBox(word_model())
    checked = explain_fit(result, "negative", faithfulness=True, black_box=box)
    assert checked.faithfulness is not None and checked.faithfulness.class_name == "negative"
    # Kept with the fit: asked again, nothing is sent, even without a black box.
    assert explain_fit(result, "negative", faithfulness=True).faithfulness == checked.faithfulness


def test_trust_results_are_computed_once_and_kept_with_their_fit(fitted: TextExplainer) -> None:
    trust = fitted.trust_
    assert isinstance(trust, TrustResults) and trust.fit is fitted.local_fit_
    assert fitted.fit_result_.trust is trust
    assert trust.uncertainty() is trust.uncertainty() and trust.analysis() is trust.analysis()
    assert trust.refits(5, fitted.trust_seed_) is trust.refits(5, fitted.trust_seed_)
    # Another fit gets trust results of its own, kept while the explainer keeps that fit.
    other_fit = fitted.refit(np.random.default_rng(1))
    e = fitted.explanation(local_fit=other_fit, faithfulness=False)
    assert fitted.trust_for(other_fit) is fitted.trust_for(other_fit) is not trust
    assert e.metrics == other_fit.metrics


def test_the_trust_class_rule_is_one_rule_for_the_explainer_and_the_verdict(fitted: TextExplainer) -> None:
    assert trust_class(1, [0, 1]) == 1 and trust_class(1, [0, 2]) == 0 and trust_class("a", []) is None
    e = fitted.explanation(targets="all")
    assert e.stability is not None and e.stability.class_name == e.predicted_class
    assert judge_trust(e) == judge_trust(e, e.predicted_class)
    only_other = fitted.explanation(targets="negative", faithfulness=False)
    assert only_other.stability.class_name == "negative"
    assert judge_trust(only_other) == judge_trust(only_other, "negative")


# -- scikit-learn's estimator contract --------------------------------------------------------------------------------


def test_get_params_clone_and_repr_come_from_base_estimator() -> None:
    cache = PredictionCache()
    explainer = TextExplainer(n_samples=300, random_state=1, surrogate=RidgeSurrogate(alpha=2.0), cache=cache)
    params = explainer.get_params(deep=False)
    assert params["n_samples"] == 300 and params["cache"] is cache and params["top_k"] == 5
    assert explainer.get_params()["surrogate__alpha"] == 2.0  # deep: the surrogate's own parameters
    assert repr(explainer).startswith("TextExplainer(") and "random_state=1" in repr(explainer)
    twin = clone(explainer)
    assert twin is not explainer and twin.cache is cache  # the cache is shared, not copied
    assert twin.surrogate is not explainer.surrogate and twin.surrogate.get_params() == {"alpha": 2.0}
    assert {k: v for k, v in twin.get_params(deep=False).items() if k != "surrogate"} == {
        k: v for k, v in params.items() if k != "surrogate"
    }
    assert twin.set_params(top_k=3, surrogate__alpha=0.5) is twin and twin.top_k == 3
    assert twin.surrogate.alpha == 0.5 and explainer.surrogate.alpha == 2.0 and explainer.top_k == 5


def test_fit_returns_self_and_leaves_the_parameters_unchanged() -> None:
    explainer = TextExplainer(n_samples=300, random_state=2)
    before = explainer.get_params(deep=False)
    assert explainer.fit(TEXT, word_model()) is explainer
    assert explainer.get_params(deep=False) == before
    fresh = clone(explainer)
    assert not hasattr(fresh, "fit_result_") and not hasattr(fresh, "neighbourhood_")
    assert fresh.fit(TEXT, word_model()).explanation() == explainer.explanation()  # same seed, same explanation


# -- surrogates that declare what the trust code needs -------------------------------------------------------------


class LeastSquares(BaseEstimator):
    """A user's surrogate that declares nothing: weighted least squares on the probabilities, coef_ and intercept_."""

    def fit(self, X, y_proba, sample_weight):
        Xd = np.hstack([X.toarray(), np.ones((X.shape[0], 1))])
        w = np.sqrt(np.asarray(sample_weight))[:, None]
        theta, *_ = np.linalg.lstsq(Xd * w, y_proba * w, rcond=None)
        self.coef_, self.intercept_ = theta[:-1].T.copy(), theta[-1].copy()
        return self

    def predict_proba(self, X):
        raw = np.clip(np.asarray(X @ self.coef_.T) + self.intercept_, 1e-6, 1.0)
        return raw / raw.sum(axis=1, keepdims=True)


class ProbabilityLeastSquares(LeastSquares):
    """The same, declaring that its coefficients act on the probabilities."""

    output_scale = "probability"


def test_a_surrogate_that_declares_nothing_gets_the_documented_defaults() -> None:
    e = TextExplainer(n_samples=400, random_state=3, surrogate=LeastSquares()).fit(TEXT, word_model())
    explanation = e.explanation(targets="all")
    s = e.local_fit_.surrogate
    # Default output scale "logit": two classes are reported as the contrast of one against the other.
    by_class = {t.class_name: {w.feature: w.weight for w in t.weights} for t in explanation.targets}
    diff = s.coef_[1] - s.coef_[0]
    j = e.features_.names.index("good")
    assert by_class["positive"]["good"] == pytest.approx(diff[j])
    assert by_class["negative"]["good"] == pytest.approx(-diff[j])
    assert explanation.settings.output_scale == "logit" and explanation.settings.weights_kind == "linear"
    assert explanation.uncertainty is None and all(w.std is None for w in explanation.targets[0].weights)
    assert explanation.stability is not None and explanation.stability.n_refits == 5  # refitted from scratch


def test_a_surrogate_on_the_probability_scale_is_reported_as_fitted() -> None:
    e = TextExplainer(n_samples=400, random_state=3, surrogate=ProbabilityLeastSquares()).fit(TEXT, word_model())
    explanation = e.explanation(targets="all")
    s = e.local_fit_.surrogate
    j = e.features_.names.index("good")
    for t in explanation.targets:
        assert {w.feature: w.weight for w in t.weights}["good"] == pytest.approx(s.coef_[t.class_index][j])
    assert explanation.settings.output_scale == "probability"
    assert "P(this class)" in weights_meaning(explanation)
    again = Explanation.from_json(explanation.to_json())
    assert again.settings.output_scale == "probability" and again == explanation


def test_an_unknown_output_scale_is_refused() -> None:
    class Odd(LeastSquares):
        output_scale = "percent"

    with pytest.raises(ValueError, match="output_scale must be one of"):
        output_scale(Odd())
    with pytest.raises(ValueError, match="output_scale"):
        TextExplainer(n_samples=300, random_state=3, surrogate=Odd()).explain(TEXT, word_model())


def test_a_subclass_that_keeps_the_objective_redeclares_its_curvature() -> None:
    class Plain(SoftmaxSurrogate):
        pass

    class Same(SoftmaxSurrogate):
        curvature = SoftmaxSurrogate.curvature

    plain = TextExplainer(n_samples=300, random_state=5, surrogate=Plain()).explain(TEXT, word_model())
    same = TextExplainer(n_samples=300, random_state=5, surrogate=Same()).explain(TEXT, word_model())
    default = TextExplainer(n_samples=300, random_state=5).explain(TEXT, word_model())
    assert plain.uncertainty is None and same.uncertainty is not None
    assert [w.std for w in same.targets[0].weights] == [w.std for w in default.targets[0].weights]


def test_the_settings_record_the_scale_and_old_json_still_loads() -> None:
    ridge = TextExplainer(n_samples=300, random_state=4, surrogate=RidgeSurrogate()).explain(TEXT, word_model())
    tree = TextExplainer(n_samples=300, random_state=4, clf=DecisionTreeClassifier(max_depth=2, random_state=0))
    tree_e = tree.explain(TEXT, word_model())
    softmax = TextExplainer(n_samples=300, random_state=4).explain(TEXT, word_model())
    assert (ridge.settings.output_scale, tree_e.settings.output_scale) == ("probability", "probability")
    assert softmax.settings.output_scale == "logit"
    for e in (ridge, tree_e, softmax):
        data = json.loads(e.to_json())
        assert ("output_scale" in data["settings"]) == (e is ridge)  # only when weights_kind does not imply it
        data["settings"].pop("output_scale", None)  # JSON written before the key existed
        assert Explanation.from_dict(data).settings.output_scale == e.settings.output_scale
        assert data["schema_version"] == 1


# -- a session result holds data, never the model or its token ------------------------------------------------------


def test_a_run_result_from_a_remote_model_holds_no_model_and_no_token() -> None:
    from dashboard import results
    from lime_core.models.remote import RemoteClassifier
    from tests.http_fixtures import ScriptedServer, hf_responder

    secret = "sk-fit-record-" + "7" * 24
    labels = ["sport", "food"]
    with ScriptedServer(default=hf_responder(labels)) as server:

        def token() -> str:
            return secret

        def classifier() -> RemoteClassifier:
            return RemoteClassifier(server.url, token=token, class_names=labels, batch_size=64, read_timeout=5.0)

        model = classifier()
        cache = PredictionCache()
        explainer = TextExplainer(n_samples=200, random_state=0, faithfulness=True, cache=cache)
        explainer.fit("the striker scored a goal before lunch with pasta", model)
        result = results.RunResult(
            text="the striker scored a goal before lunch with pasta",
            model_name=server.url,
            model_title="remote",
            fit=explainer.fit_result_,
            options=results.ExplainOptions(),
            elapsed=1.0,
            source=results.ModelSource(results.REMOTE, server.url, {"url": server.url}),
        )
        first = result.explanation()
        assert first.faithfulness is not None and first.n_model_calls == explainer.n_model_calls_
        del explainer, model
        gc.collect()
        held = reachable(result)
        assert not [o for o in held if isinstance(o, RemoteClassifier | BlackBox | PredictionCache)]
        assert not [o for o in held if o is token]
        assert not [o for o in held if isinstance(o, str) and secret in o]

        # Another class: from the stored samples, no request; its faithfulness check asks a fresh classifier.
        sent = server.request_count
        other = result.explanation("food")
        assert other.targets[0].class_name == "food" and other.faithfulness is None and server.request_count == sent
        fresh = classifier()
        checked = result.measure_faithfulness("food", BlackBox(fresh, cache=cache))
        fresh.close()
        assert checked.faithfulness is not None and server.request_count > sent
        assert result.n_check_calls == first.faithfulness.n_model_calls + checked.faithfulness.n_model_calls
        assert not [o for o in reachable(result) if isinstance(o, RemoteClassifier | BlackBox)]
