"""Recalibration on real cases: one temperature on the champion's out-of-fold log-probabilities.

Temperature scaling (Guo et al. 2017) divides the log-probabilities by T and
renormalises: the ranking of the classes for a case is kept, only how sure
the model is changes. T is fitted by maximum likelihood on the out-of-fold
predictions for the real cases (read as entered). It is applied only if it
earns its place: each fold's T is fitted on the other folds and scored on it,
and the train keeps T only if that lowers the mean held-out log loss.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

from tumorclf.prediction.probabilities import Recalibration, apply_temperature

#: The temperatures searched (a bounded scalar search).
BOUNDS = (0.2, 5.0)


def _nll(proba: np.ndarray, y: np.ndarray, temperature: float) -> float:
    logp = log_softmax(np.log(np.clip(proba, 1e-300, 1.0)) / temperature, axis=1)
    return float(-logp[np.arange(len(y)), y].mean())


def fit_temperature(proba: np.ndarray, y: np.ndarray) -> float:
    """The temperature of least log loss on these cases."""
    found = minimize_scalar(
        lambda t: _nll(proba, y, t), bounds=BOUNDS, method="bounded", options={"xatol": 1e-4}
    )
    return float(found.x)


def recalibrate(proba: np.ndarray, y: np.ndarray, fold: np.ndarray) -> Recalibration:
    """Fit T on every case; keep it only if cross-fitting it lowers the held-out log loss."""
    proba, y, fold = np.asarray(proba, dtype=float), np.asarray(y, dtype=np.intp), np.asarray(fold)
    before, after = [], []
    for f in np.unique(fold):
        test = fold == f
        t = fit_temperature(proba[~test], y[~test])
        before.append(_nll(proba[test], y[test], 1.0))
        after.append(_nll(proba[test], y[test], t))
    temperature = fit_temperature(proba, y)
    gain = float(np.mean(before)) - float(np.mean(after))
    return Recalibration(
        temperature=temperature,
        log_loss_before=float(np.mean(before)),
        log_loss_after=float(np.mean(after)),
        applied=gain > 1e-4,
    )


__all__ = ["BOUNDS", "Recalibration", "apply_temperature", "fit_temperature", "recalibrate"]
