"""Synthetic fill-in inside training folds only, guaranteed by construction.

:class:`WithSyntheticFillIn` wraps an estimator: at ``fit`` it draws synthetic
cases from the generator (complete cases from its finding model, masked by a
named missingness process) and fits on them, with the real rows where
``real_rows`` says so; at ``predict_proba`` it passes the given cases
straight through.

A discriminative model has one reading, the one its training rows teach:
published rows teach it how papers report (a silence becomes evidence), so
a model meant to read a user's case as entered learns from synthetic rows
masked ``as_entered`` alone, the real cases reaching it through the finding
model they updated. Synthetic rows exist only inside
``fit``, so whatever is scored was never synthetic and never in training.
This is the shape of imbalanced-learn's samplers (``fit_resample`` applied
during fit only).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from tumorclf.schema import LABEL


class WithSyntheticFillIn(ClassifierMixin, BaseEstimator):
    """Fit ``estimator`` on the given cases plus ``n_synthetic`` generated ones.

    Parameters
    ----------
    estimator : classifier
        Takes case frames (e.g. a Pipeline starting with CaseEncoder).
    generator : CaseGenerator
    n_synthetic : int
    balance : str or dict
        Class balance of the synthetic rows.
    missingness : {"as_entered", "as_published", "none"}
        How the synthetic rows' complete findings are masked (see
        :data:`tumorclf.synthetic.generator.MISSINGNESS`).
    real_rows : bool
        Whether the given (published) rows join the synthetic ones.
    random_state : int
        Seeds the synthetic draw.

    Attributes
    ----------
    estimator_ : the fitted clone
    n_real_, n_synthetic_ : rows of each kind it was fitted on
    """

    def __init__(self, estimator: Any = None, generator: Any = None, n_synthetic: int = 1000,
                 balance: Any = "uniform", missingness: str = "as_entered", real_rows: bool = True,
                 random_state: int | None = None) -> None:
        self.estimator = estimator
        self.generator = generator
        self.n_synthetic = n_synthetic
        self.balance = balance
        self.missingness = missingness
        self.real_rows = real_rows
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: Any) -> WithSyntheticFillIn:
        real = X.drop(columns=[LABEL], errors="ignore").assign(**{LABEL: np.asarray(y, dtype=object)})
        synthetic = self.generator.sample(self.n_synthetic, balance=self.balance, random_state=self.random_state,
                                          missingness=self.missingness)
        if not self.real_rows and not len(synthetic):
            raise ValueError("WithSyntheticFillIn with real_rows=False needs n_synthetic > 0: it would fit on nothing.")
        columns = [c for c in real.columns if c in synthetic.columns]
        parts = [synthetic[columns], real[columns]] if self.real_rows else [synthetic[columns]]
        combined = pd.concat(parts, ignore_index=True)
        labels = combined.pop(LABEL).astype(str).to_numpy(dtype=object)
        self.estimator_ = clone(self.estimator).fit(combined, labels)
        self.classes_ = self.estimator_.classes_
        self.n_real_, self.n_synthetic_ = (len(real) if self.real_rows else 0), len(synthetic)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    def predict_proba_reading(self, X: Any, reading: str) -> np.ndarray:
        """Probabilities in ``reading`` where the fitted model has readings; else its one reading."""
        check_is_fitted(self, "estimator_")
        return proba_in_reading(self.estimator_, X, reading)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def final_step(model: Any) -> Any:
    """The estimator that makes a fitted model's probabilities (inside searches, fill-in and pipelines)."""
    from sklearn.model_selection import GridSearchCV

    while True:
        if isinstance(model, WithSyntheticFillIn):
            model = model.estimator_
        elif isinstance(model, GridSearchCV):
            model = model.best_estimator_
        elif hasattr(model, "steps"):
            model = model.steps[-1][1]
        else:
            return model


def has_readings(model: Any) -> bool:
    """Whether a fitted model reads a case both as entered and as published (a generative model)."""
    return hasattr(final_step(model), "predict_proba_reading")


def proba_in_reading(model: Any, X: Any, reading: str) -> np.ndarray:
    """``model.predict_proba(X)`` with its final estimator reading the cases as ``reading``.

    A discriminative model has one reading, the one it was trained in; it
    answers the same whatever ``reading`` says.
    """
    from sklearn.model_selection import GridSearchCV

    if isinstance(model, WithSyntheticFillIn):
        return proba_in_reading(model.estimator_, X, reading)
    if isinstance(model, GridSearchCV):
        return proba_in_reading(model.best_estimator_, X, reading)
    if hasattr(model, "steps"):
        for _, step in model.steps[:-1]:
            X = step.transform(X)
        return proba_in_reading(model.steps[-1][1], X, reading)
    if hasattr(model, "predict_proba_reading"):
        return model.predict_proba_reading(X, reading)
    return model.predict_proba(X)
