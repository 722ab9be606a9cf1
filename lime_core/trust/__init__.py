"""Explanations users can trust: how sure, how stable, how faithful, and how many samples.

* :mod:`~lime_core.trust.uncertainty`: a standard error and an interval for
  every weight (robust sandwich covariance of the surrogate fit; no model calls).
* :mod:`~lime_core.trust.stability`: bootstrap refits on the stored samples
  and the agreement of their top words (no model calls).
* :mod:`~lime_core.trust.adaptive`: the stopping rule of ``n_samples="auto"``.
* :mod:`~lime_core.trust.results`: the trust computations of one fit, made on
  first use and kept with the fit (:class:`~lime_core.trust.results.TrustResults`).
* :mod:`~lime_core.trust.faithfulness`: comprehensiveness, sufficiency and the
  deletion curve on the black box, against random and occlusion rankings (a
  few dozen model calls).

:class:`~lime_core.explainer.TextExplainer` runs them (its ``uncertainty``,
``stability_refits``, ``faithfulness`` and ``n_samples="auto"`` parameters; the
sampling loop is :func:`~lime_core.trust.adaptive.fit_adaptively`) and puts
their results on the :class:`~lime_core.explanation.Explanation`;
:func:`lime_core.verdict.judge_trust` turns them into one plain-language
verdict. docs/trust.md explains every number.
"""
