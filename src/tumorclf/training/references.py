"""Reference classifiers, scored beside the candidates and never champion.

* :class:`SeedRuleClassifier`: the rule of thumb of Chen & Lai (BMC Neurol
  2022): punctate calcification + homogeneous enhancement + no dural tail
  points to MCS.
* :class:`OracleClassifier`: the generator's exact posterior, the
  Bayes-optimal reference on synthetic data; over the literature model
  alone, the "literature priors only" reference on real cases.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from tumorclf.schema import CODE_VALUES, CaseArrays, as_case_arrays


def seed_rule_fires(arrays: CaseArrays) -> np.ndarray:
    """True where punctate calcification, homogeneous enhancement and no dural tail are all
    reported."""
    calcification = CODE_VALUES["calcification"].index("punctate")
    enhancement = CODE_VALUES["enhancement"].index("homogeneous")
    return (
        (arrays.column("calcification") == calcification)
        & (arrays.column("enhancement") == enhancement)
        & (arrays.column("dural_tail") == 0)
    )


class SeedRuleClassifier(ClassifierMixin, BaseEstimator):
    """Chen & Lai's sign set as a classifier.

    The rule fires when a case reports punctate calcification, homogeneous
    enhancement and no dural tail (all three must be reported; a missing
    sign does not fire it). Exactly what it predicts:

    * where the rule fires: the class frequencies among training cases where
      it fires, with ``alpha`` added to every count (Laplace smoothing);
    * where it does not fire: the class frequencies among training cases
      where it does not fire, smoothed the same way.

    So its ranking uses one bit of evidence; it ranks MCS first when it fires
    only if MCS is the commonest class among firing training cases.

    Parameters
    ----------
    alpha : float, default=1.0
        Added to every class count.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: Any, y: Any) -> SeedRuleClassifier:
        fires = seed_rule_fires(as_case_arrays(X))
        y = np.asarray(y, dtype=object)
        self.classes_ = np.unique(y)
        index = np.searchsorted(self.classes_, y)
        k = len(self.classes_)
        self.table_ = np.vstack(
            [
                np.bincount(index[~fires], minlength=k) + self.alpha,
                np.bincount(index[fires], minlength=k) + self.alpha,
            ]
        )
        self.table_ /= self.table_.sum(axis=1, keepdims=True)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "table_")
        return self.table_[seed_rule_fires(as_case_arrays(X)).astype(np.intp)]

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class OracleClassifier(ClassifierMixin, BaseEstimator):
    """The generator's exact posterior, under the class balance of its training data.

    ``fit`` learns nothing but that balance (so on folds drawn uniformly it
    uses a uniform prior): the oracle knows the generating distribution.

    Parameters
    ----------
    generator : CaseGenerator
    prior : str or dict, optional
        A fixed class prior (e.g. ``"uniform"``) instead of the training balance.
    reading : {"as_entered", "as_published"}
        How :meth:`predict_proba` reads a case; it acts at prediction only.
    """

    def __init__(
        self, generator: Any = None, prior: Any = None, reading: str = "as_entered"
    ) -> None:
        self.generator = generator
        self.prior = prior
        self.reading = reading

    def fit(self, X: Any, y: Any) -> OracleClassifier:
        y = np.asarray(y, dtype=object)
        classes = list(self.generator.classes_)
        if self.prior is not None:
            self.prior_ = self.generator.class_weights(self.prior)
        else:
            counts = np.array([(y == c).sum() for c in classes], dtype=float)
            self.prior_ = (counts + 1e-9) / (counts + 1e-9).sum()
        order = np.argsort(classes)
        self.classes_ = np.asarray(classes, dtype=object)[order]
        self._order = order
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "prior_")
        return self.generator.posterior_array(as_case_arrays(X), self.prior_, reading=self.reading)[
            :, self._order
        ]

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
