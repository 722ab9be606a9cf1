"""Local surrogates: exact recovery on their own family, scikit-learn conventions, agreement with sklearn's Ridge."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import softmax
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.utils.validation import check_is_fitted

from lime_core.surrogates import RidgeSurrogate, SoftmaxSurrogate, get_surrogate
from lime_core.surrogates import softmax as softmax_module


def make_problem(n: int = 400, d: int = 6, k: int = 3, seed: int = 0):
    """Count features, a centred multinomial logistic truth, its probabilities and positive sample weights."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 3, size=(n, d)).astype(np.float64)
    W = rng.normal(0, 1.5, size=(k, d))
    W -= W.mean(axis=0)
    b = rng.normal(0, 0.5, size=k)
    b -= b.mean()
    P = softmax(X @ W.T + b, axis=1)
    w = rng.uniform(0.1, 1.0, size=n)
    return X, P, w, W, b


# -- SoftmaxSurrogate -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_softmax_recovers_the_exact_coefficients_of_a_multinomial_logistic_black_box(k: int, sparse: bool) -> None:
    X, P, w, W, b = make_problem(k=k, seed=k)
    s = SoftmaxSurrogate(alpha=1e-8, tol=1e-9).fit(sp.csr_matrix(X) if sparse else X, P, w)
    assert s.converged_
    assert s.coef_.shape == (k, X.shape[1]) and s.intercept_.shape == (k,)
    np.testing.assert_allclose(s.coef_, W, atol=1e-3)
    np.testing.assert_allclose(s.intercept_, b, atol=1e-3)
    np.testing.assert_allclose(s.predict_proba(X), P, atol=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_softmax_with_default_tolerance_recovers_coefficients_to_one_percent(seed: int) -> None:
    X, P, w, W, _ = make_problem(k=4, seed=seed)
    s = SoftmaxSurrogate(alpha=1e-8).fit(X, P, w)
    assert s.converged_
    np.testing.assert_allclose(s.coef_, W, atol=0.01 * np.abs(W).max())


def test_softmax_coefficients_are_centred_across_classes() -> None:
    X, P, w, *_ = make_problem(seed=1)
    s = SoftmaxSurrogate().fit(X, P, w)
    np.testing.assert_allclose(s.coef_.sum(axis=0), 0, atol=1e-12)
    assert s.intercept_.sum() == pytest.approx(0, abs=1e-12)


def test_softmax_penalty_shrinks_coefficients_but_not_the_intercept() -> None:
    X, P, w, *_ = make_problem(seed=2)
    norms = [np.abs(SoftmaxSurrogate(alpha=a).fit(X, P, w).coef_).sum() for a in (1e-4, 1e-1, 10.0)]
    assert norms[0] > norms[1] > norms[2]
    # with an overwhelming penalty the coefficients vanish and the free intercept fits the weighted mean
    s = SoftmaxSurrogate(alpha=1e8).fit(X, P, w)
    assert np.abs(s.coef_).max() < 1e-5
    np.testing.assert_allclose(softmax(s.intercept_), w @ P / w.sum(), atol=1e-5)


def test_softmax_outputs_are_probabilities() -> None:
    X, P, w, *_ = make_problem(seed=3)
    q = SoftmaxSurrogate().fit(X, P, w).predict_proba(X)
    assert q.shape == P.shape and np.all(q > 0)
    np.testing.assert_allclose(q.sum(axis=1), 1)



def lime_like_problem(n: int = 700, d: int = 150, k: int = 4, seed: int = 0):
    """Word masks as LIME's samplers draw them (each sample keeps a random share of the words, so every column moves
    with that share), a black box outside the surrogate's family (a word pair's interaction) and kernel weights."""
    rng = np.random.default_rng(seed)
    keep = rng.uniform(0.05, 1.0, size=(n, 1))
    X = (rng.uniform(size=(n, d)) < keep).astype(np.float64)
    X[0] = 1.0  # the text itself
    W = rng.normal(0, 0.3, size=(k, d)) * (rng.uniform(size=(1, d)) < 0.2)
    logits = X @ W.T + 2.0 * (X[:, :1] * X[:, 1:2]) * np.eye(k)[0]
    P = softmax(logits, axis=1)
    w = np.exp(-((1.0 - X.mean(axis=1)) ** 2) / 0.25)
    return X, P, w


@pytest.mark.parametrize("seed", range(3))
def test_softmax_whitened_solver_reaches_the_plain_solvers_minimiser_within_its_tolerance(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, P, w = lime_like_problem(seed=seed)
    # The minimiser itself: the plain L-BFGS run to a tolerance far below the default's.
    monkeypatch.setattr(softmax_module, "WHITEN_MAX_FEATURES", 0)
    optimum = SoftmaxSurrogate(tol=1e-11, max_iter=50_000).fit(X, P, w)
    plain = SoftmaxSurrogate().fit(X, P, w)
    monkeypatch.undo()
    whitened = SoftmaxSurrogate().fit(X, P, w)
    assert whitened.converged_
    scale = np.abs(optimum.coef_).max()
    # At least as close to the minimiser as the plain solver at the same tolerance (on the 20 Newsgroups posts'
    # fits it is ~3x closer: docs/batch.md), in fewer iterations.
    assert np.abs(whitened.coef_ - optimum.coef_).max() <= max(np.abs(plain.coef_ - optimum.coef_).max(), 1e-3 * scale)
    np.testing.assert_allclose(whitened.intercept_, optimum.intercept_, atol=5e-3 * scale)
    assert whitened.n_iter_ < plain.n_iter_

# -- both surrogates ------------------------------------------------------------------------------------------------

SURROGATES = [SoftmaxSurrogate(alpha=1e-3), RidgeSurrogate(alpha=1.0)]


@pytest.mark.parametrize("surrogate", SURROGATES, ids=repr)
def test_fit_is_deterministic(surrogate) -> None:
    X, P, w, *_ = make_problem(seed=4)
    a, b = clone(surrogate).fit(X, P, w), clone(surrogate).fit(X, P, w)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.intercept_, b.intercept_)


@pytest.mark.parametrize("surrogate", SURROGATES, ids=repr)
def test_only_the_relative_size_of_sample_weights_matters(surrogate) -> None:
    X, P, w, *_ = make_problem(n=300, seed=5)
    base = clone(surrogate).fit(X, P, w)
    scaled = clone(surrogate).fit(X, P, 37.0 * w)
    np.testing.assert_allclose(scaled.coef_, base.coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(scaled.intercept_, base.intercept_, rtol=1e-5, atol=1e-7)


def _pad_with_zero_weight_rows(X, P, w, m=50, seed=0):
    rng = np.random.default_rng(seed)
    X2 = np.vstack([X, rng.integers(0, 3, size=(m, X.shape[1]))])
    P2 = np.vstack([P, rng.dirichlet(np.ones(P.shape[1]), size=m)])
    return X2, P2, np.concatenate([w, np.zeros(m)])


def test_softmax_ignores_zero_weight_rows() -> None:
    X, P, w, *_ = make_problem(n=300, seed=5)
    base = SoftmaxSurrogate(tol=1e-9).fit(X, P, w)
    padded = SoftmaxSurrogate(tol=1e-9).fit(*_pad_with_zero_weight_rows(X, P, w))
    np.testing.assert_allclose(padded.coef_, base.coef_, atol=1e-5)


def test_ridge_zero_weight_rows_only_dilute_the_penalty() -> None:
    """The penalty is alpha / n_rows, so m zero-weight rows act like alpha * n / (n + m) (documented scaling)."""
    X, P, w, *_ = make_problem(n=300, seed=5)
    padded = RidgeSurrogate(alpha=5.0).fit(*_pad_with_zero_weight_rows(X, P, w, m=50))
    equivalent = RidgeSurrogate(alpha=5.0 * 300 / 350).fit(X, P, w)
    np.testing.assert_allclose(padded.coef_, equivalent.coef_, rtol=1e-8, atol=1e-10)


def test_sample_weights_change_a_misspecified_fit() -> None:
    """The black box is not in the family, so which samples count decides the answer."""
    rng = np.random.default_rng(6)
    X = rng.integers(0, 2, size=(300, 4)).astype(float)
    p1 = np.where(X[:, 0] * X[:, 1] > 0, 0.95, 0.2)  # an interaction no linear model captures
    P = np.column_stack([1 - p1, p1])
    w = np.where(X.sum(axis=1) >= 3, 1.0, 0.01)
    for s in (SoftmaxSurrogate(), RidgeSurrogate()):
        a = clone(s).fit(X, P, w).coef_
        b = clone(s).fit(X, P, np.ones(300)).coef_
        assert not np.allclose(a, b, atol=1e-3), s


@pytest.mark.parametrize("surrogate", SURROGATES, ids=repr)
def test_fit_arguments_are_checked(surrogate) -> None:
    X, P, w, *_ = make_problem(n=20, seed=7)
    with pytest.raises(ValueError, match="same number of rows"):
        clone(surrogate).fit(X, P[:-1], w)
    with pytest.raises(ValueError, match="same number of rows"):
        clone(surrogate).fit(X, P, w[:-1])
    with pytest.raises(ValueError, match="non-negative"):
        clone(surrogate).fit(X, P, -w)
    with pytest.raises(ValueError, match="not all zero"):
        clone(surrogate).fit(X, P, np.zeros_like(w))


# -- scikit-learn conventions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "params"),
    [(SoftmaxSurrogate, {"alpha": 0.5, "max_iter": 123, "tol": 1e-5}), (RidgeSurrogate, {"alpha": 2.5})],
)
def test_sklearn_conventions(cls, params) -> None:
    s = cls(**params)
    assert s.get_params() == params
    assert vars(s) == params, "__init__ must only store its arguments"
    with pytest.raises(NotFittedError):
        check_is_fitted(s)
    assert not hasattr(s, "coef_") and not hasattr(s, "intercept_")

    c = clone(s)
    assert c is not s and c.get_params() == params
    assert clone(cls()).set_params(**params).get_params() == params

    X, P, w, *_ = make_problem(n=50, seed=8)
    assert s.fit(X, P, w) is s
    check_is_fitted(s)
    learned = set(vars(s)) - set(params)
    assert {"coef_", "intercept_"} <= learned
    assert all(name.endswith("_") and not name.startswith("_") for name in learned), learned
    assert s.get_params() == params, "fit must not change the parameters"

    fresh = clone(s)  # a clone of a fitted surrogate is unfitted
    assert not hasattr(fresh, "coef_") and fresh.get_params() == params
    assert repr(s).startswith(cls.__name__)


def test_get_surrogate() -> None:
    assert isinstance(get_surrogate("softmax"), SoftmaxSurrogate)
    assert isinstance(get_surrogate("ridge"), RidgeSurrogate)
    with pytest.raises(ValueError, match="unknown surrogate 'forest'"):
        get_surrogate("forest")


# -- RidgeSurrogate -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.01, 1.0, 30.0])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_ridge_matches_sklearn_ridge_with_the_documented_alpha_scaling(alpha: float, sparse: bool) -> None:
    """RidgeSurrogate normalises the weights to sum 1 and uses alpha / n, i.e. sklearn's alpha * mean(weight)."""
    X, P, w, *_ = make_problem(n=120, d=5, seed=9)
    ours = RidgeSurrogate(alpha=alpha).fit(sp.csr_matrix(X) if sparse else X, P, w)
    ref = Ridge(alpha=alpha * w.mean(), fit_intercept=True, solver="cholesky").fit(X, P, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ours.decision_function(X), ref.predict(X), atol=1e-9)


def test_ridge_with_unit_weights_is_sklearn_ridge_with_the_same_alpha() -> None:
    X, P, _, *_ = make_problem(n=80, d=4, seed=10)
    ours = RidgeSurrogate(alpha=3.0).fit(X, P, np.ones(80))
    ref = Ridge(alpha=3.0).fit(X, P)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-10)


def test_ridge_predict_proba_is_clipped_and_renormalised() -> None:
    s = RidgeSurrogate()
    s.coef_ = np.array([[1.0], [-1.0]])
    s.intercept_ = np.array([0.5, 0.5])
    q = s.predict_proba(np.array([[0.0], [0.25], [2.0]]))
    np.testing.assert_allclose(q.sum(axis=1), 1)
    assert np.all(q > 0)
    np.testing.assert_allclose(q[:2], [[0.5, 0.5], [0.75, 0.25]])
    assert q[2, 0] == pytest.approx(1.0, abs=1e-5)
