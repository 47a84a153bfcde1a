"""The literature priors updated by real cases, as a scikit-learn classifier.

:class:`UpdatedPriorsClassifier` fits by updating the literature model with
labelled real cases (:meth:`CaseGenerator.updated`); its :meth:`generator`
then samples synthetic fill-in and its ``predict_proba`` is the updated
model's posterior ("the fitted oracle", and a candidate like any other). :func:`update_search` chooses the update's
strength, floor and temperature by cross-validation over real cases grouped
by source, so that no paper's patients sit on both sides of a fold and no
setting is picked by hand.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from numbers import Real
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import log_loss, make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from tumorclf.schema import CaseArrays, as_case_arrays
from tumorclf.synthetic.priors import Priors
from tumorclf.synthetic.report_model import log_likelihood

#: The grid searched when none is configured: literature strength and pooled
#: silence strength in pseudo-cases per table row, uniform floor, likelihood temperature.
DEFAULT_GRID: dict[str, list[float]] = {
    "strength": [4.0, 16.0, 64.0],
    "missing_strength": [3.0, 30.0, 300.0],
    "floor": [0.005, 0.03],
    "temperature": [0.4, 0.7, 1.0],
}


class UpdatedPriorsClassifier(ClassifierMixin, BaseEstimator):
    """The literature model updated by the training cases; predicts its posterior.

    Takes case frames, or the ``"codes"`` matrix of
    :class:`~tumorclf.features.CaseEncoder` (so it can end a Pipeline like any
    other candidate). Fitting keeps only the updated tables, plain arrays:
    predicting needs neither the priors file nor the generator.

    Parameters
    ----------
    priors : Priors, str or Path, optional
        The literature priors, or the path of a priors file (default: the
        project's ``configs/priors.yaml``).
    strength : float, default=8.0
        Pseudo-cases the literature's values are worth in every table row.
    missing_strength : float, default=10.0
        Pseudo-cases the rate of silence pooled over classes is worth in every row.
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
    model_ : ReportModel
        The updated tables.
    classes_ : ndarray of str
        Sorted class names (columns of :meth:`predict_proba`).
    training_prior_ : dict
        The class prior its probabilities are under (``prior``), for prior shift.
    """

    _parameter_constraints: ClassVar[dict] = {
        "priors": [Priors, str, Path, None],
        "strength": [Interval(Real, 0, None, closed="neither")],
        "missing_strength": [Interval(Real, 0, None, closed="neither")],
        "floor": [Interval(Real, 0, 1, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "age_bandwidth": [Interval(Real, 0, None, closed="left")],
        "prior": [str, dict],
    }

    def __init__(self, priors: Priors | str | Path | None = None, strength: float = 8.0,
                 missing_strength: float = 10.0, floor: float = 0.01, temperature: float = 1.0,
                 age_bandwidth: float = 4.0, prior: Any = "uniform") -> None:
        self.priors = priors
        self.strength = strength
        self.missing_strength = missing_strength
        self.floor = floor
        self.temperature = temperature
        self.age_bandwidth = age_bandwidth
        self.prior = prior

    def _priors(self) -> Priors:
        if isinstance(self.priors, Priors):
            return self.priors
        from tumorclf.paths import default_priors_path

        path = Path(self.priors if self.priors is not None else default_priors_path()).resolve()
        stat = path.stat()
        return _load_priors_once(str(path), stat.st_mtime_ns, stat.st_size)

    def fit(self, X: Any, y: Sequence[str]) -> UpdatedPriorsClassifier:
        from tumorclf.synthetic.generator import CaseGenerator

        self._validate_params()
        priors = self._priors()
        generator = CaseGenerator(priors).updated(
            _arrays(X), np.asarray(y, dtype=object), strength=self.strength,
            missing_strength=self.missing_strength, floor=self.floor, age_bandwidth=self.age_bandwidth,
        )
        self.model_ = generator.model
        self.class_weights_ = generator.class_weights(self.prior)
        self._order = np.argsort(priors.classes)
        self.classes_ = np.asarray(priors.classes, dtype=object)[self._order]
        self.training_prior_ = {str(c): float(w) for c, w in zip(priors.classes, self.class_weights_)}
        return self

    def generator(self, priors: Priors) -> Any:
        """A :class:`~tumorclf.synthetic.CaseGenerator` over the updated tables, to sample fill-in."""
        from tumorclf.synthetic.generator import CaseGenerator

        check_is_fitted(self, "model_")
        return CaseGenerator(priors, self.model_, update={
            k: getattr(self, k) for k in ("strength", "missing_strength", "floor", "age_bandwidth")
        })

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        joint = self.temperature * log_likelihood(self.model_, _arrays(X)) + np.log(self.class_weights_)
        proba = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
        return proba[:, self._order]

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


@functools.lru_cache(maxsize=4)
def _load_priors_once(path: str, mtime_ns: int, size: int) -> Priors:
    """A priors file read once per version of it: a grid search fits hundreds of times."""
    from tumorclf.synthetic.priors import load_priors

    return load_priors(path)


def _arrays(X: Any) -> CaseArrays:
    """Cases in any accepted form, or CaseEncoder's ``"codes"`` matrix, as CaseArrays.

    Raises
    ------
    ValueError
        For a numeric matrix that is not a ``"codes"`` matrix (another encoding's output).
    """
    if not isinstance(X, np.ndarray):
        return as_case_arrays(X)
    from tumorclf.features import CODE_NAMES
    from tumorclf.schema import CODE_VALUES

    width = len(CODE_NAMES)
    if X.ndim != 2 or X.shape[1] != width:
        raise ValueError(f"UpdatedPriorsClassifier reads CaseEncoder(encoding='codes') output, {width} columns "
                         f"({', '.join(CODE_NAMES)}); got an array of shape {X.shape}.")
    codes = X[:, 1:]
    highest = np.array([len(CODE_VALUES[name]) - 1 for name in CODE_NAMES[1:]])
    bad = ~np.isfinite(codes) | (codes < -1) | (codes > highest) | (codes != np.round(codes))
    if bad.any():
        row, column = map(int, np.argwhere(bad)[0])
        raise ValueError(f"Row {row}, column {CODE_NAMES[column + 1]!r}: {float(codes[row, column])!r} is not a code of "
                         f"that field (-1 to {highest[column]}); is this the 'codes' encoding?")
    return CaseArrays(age=X[:, 0].astype(float), codes=codes.astype(np.int8))


def groups_of(real: Any) -> np.ndarray:
    """One group per source (a paper's patients together); a case without a source is a group of its own."""
    if "source" not in real:
        return np.array([f"case {i}" for i in range(len(real))], dtype=object)
    sources = real["source"].astype(object).to_numpy()
    return np.array([s if isinstance(s, str) and s.strip() else f"case {i}" for i, s in enumerate(sources)],
                    dtype=object)


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


__all__ = ["DEFAULT_GRID", "UpdatedPriorsClassifier", "groups_of", "update_search"]
