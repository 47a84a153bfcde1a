"""Synthetic fill-in inside training folds only, guaranteed by construction.

:class:`WithSyntheticFillIn` wraps an estimator: at ``fit`` it draws synthetic
cases from the generator and fits on real + synthetic; at ``predict_proba`` it
passes the given cases straight through. Synthetic rows exist only inside
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
    random_state : int
        Seeds the synthetic draw.

    Attributes
    ----------
    estimator_ : the fitted clone
    n_real_, n_synthetic_ : rows of each kind it was fitted on
    """

    def __init__(self, estimator: Any = None, generator: Any = None, n_synthetic: int = 1000,
                 balance: Any = "uniform", random_state: int | None = None) -> None:
        self.estimator = estimator
        self.generator = generator
        self.n_synthetic = n_synthetic
        self.balance = balance
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: Any) -> WithSyntheticFillIn:
        real = X.drop(columns=[LABEL], errors="ignore").assign(**{LABEL: np.asarray(y, dtype=object)})
        synthetic = self.generator.sample(self.n_synthetic, balance=self.balance, random_state=self.random_state)
        columns = [c for c in real.columns if c in synthetic.columns]
        combined = pd.concat([synthetic[columns], real[columns]], ignore_index=True)
        labels = combined.pop(LABEL).astype(str).to_numpy(dtype=object)
        self.estimator_ = clone(self.estimator).fit(combined, labels)
        self.classes_ = self.estimator_.classes_
        self.n_real_, self.n_synthetic_ = len(real), len(synthetic)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
