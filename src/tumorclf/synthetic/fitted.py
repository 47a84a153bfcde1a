"""The literature priors updated by real cases, as a scikit-learn classifier.

:class:`UpdatedPriorsClassifier` fits by updating the literature model with
labelled real cases (:meth:`CaseGenerator.updated`); its ``generator_`` then
samples synthetic fill-in and its ``predict_proba`` is the updated model's
posterior ("the fitted oracle"). :func:`update_search` chooses the update's
strength, floor and temperature by cross-validation over real cases grouped
by source, so that no paper's patients sit on both sides of a fold and no
setting is picked by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import log_loss, make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.utils.validation import check_is_fitted

from tumorclf.schema import as_case_arrays
from tumorclf.synthetic.priors import Priors

#: The grid searched when none is configured: literature strength in
#: pseudo-cases per table row, uniform floor, and likelihood temperature.
DEFAULT_GRID: dict[str, list[float]] = {
    "strength": [2.0, 8.0, 32.0],
    "floor": [0.005, 0.03],
    "temperature": [0.5, 0.7, 1.0],
}


class UpdatedPriorsClassifier(ClassifierMixin, BaseEstimator):
    """The literature model updated by the training cases; predicts its posterior.

    Parameters
    ----------
    priors : Priors
        The literature priors (:func:`tumorclf.synthetic.load_priors`).
    strength : float, default=8.0
        Pseudo-cases the literature is worth in every table row.
    floor : float, default=0.01
        Weight of a uniform distribution mixed into every row.
    temperature : float, default=1.0
        Scales the log likelihood at prediction (1: the exact posterior).
    age_bandwidth : float, default=4.0
        Years; the kernel real ages are counted through.
    prior : str or dict, default="uniform"
        The class prior of :meth:`predict_proba`.

    Attributes
    ----------
    generator_ : CaseGenerator
        The updated model: samples fill-in, gives the exact posterior.
    classes_ : ndarray of str
        Sorted class names (columns of :meth:`predict_proba`).
    """

    def __init__(self, priors: Priors | None = None, strength: float = 8.0, floor: float = 0.01,
                 temperature: float = 1.0, age_bandwidth: float = 4.0, prior: Any = "uniform") -> None:
        self.priors = priors
        self.strength = strength
        self.floor = floor
        self.temperature = temperature
        self.age_bandwidth = age_bandwidth
        self.prior = prior

    def fit(self, X: Any, y: Sequence[str]) -> UpdatedPriorsClassifier:
        from tumorclf.synthetic.generator import CaseGenerator

        if self.priors is None:
            raise ValueError("UpdatedPriorsClassifier needs priors: pass priors=load_priors(path).")
        self.generator_ = CaseGenerator(self.priors).updated(
            as_case_arrays(X), np.asarray(y, dtype=object), strength=self.strength, floor=self.floor,
            age_bandwidth=self.age_bandwidth,
        )
        self._order = np.argsort(self.generator_.classes_)
        self.classes_ = np.asarray(self.generator_.classes_, dtype=object)[self._order]
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "generator_")
        proba = self.generator_.posterior_array(as_case_arrays(X), self.prior, temperature=self.temperature)
        return proba[:, self._order]

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def grouped_folds(y: Sequence[Any], groups: Sequence[Any], n_splits: int) -> int:
    """The folds a grouped stratified split can have: at most one per group and per case of a class."""
    n_groups = len(set(groups))
    return max(2, min(n_splits, n_groups))


def update_search(priors: Priors, grid: Mapping[str, Sequence[float]] | None = None, *, folds: int = 4,
                  random_state: int | None = 0) -> GridSearchCV:
    """A grid search over the update's settings, scored by log loss on grouped folds.

    Fit it with ``fit(X, y, groups=sources)``; ``best_estimator_`` is then the
    model refitted on every case with the chosen settings.
    """
    classes = sorted(priors.classes)
    scorer = make_scorer(log_loss, greater_is_better=False, response_method="predict_proba", labels=classes)
    return GridSearchCV(
        UpdatedPriorsClassifier(priors), {k: list(v) for k, v in (grid or DEFAULT_GRID).items()},
        scoring=scorer, cv=StratifiedGroupKFold(folds, shuffle=True, random_state=random_state),
        refit=True, n_jobs=1, error_score="raise",
    )


__all__ = ["DEFAULT_GRID", "UpdatedPriorsClassifier", "grouped_folds", "update_search"]
