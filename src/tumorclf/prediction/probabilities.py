"""Two changes of a model's probabilities that keep each case's ranking of evidence:
a prior shift and a temperature.

Both are used at prediction and by training (the vignettes' uniform prior,
the alert under a user's prior, the recalibration), so there is one of each.

* **Prior shift** (Bayes' rule): a model whose probabilities are under the
  class prior ``training`` answers for a population with prior ``target`` by
  p'(c | x) proportional to p(c | x) * target(c) / training(c).
* **Temperature** (Guo et al. 2017): the log-probabilities divided by T and
  renormalised; T > 1 makes the model less sure, T < 1 surer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def prior_weights(target: np.ndarray, training: np.ndarray) -> np.ndarray:
    """The weights ``target / training`` of a prior shift
    (0 for a class the model was never trained on)."""
    target, training = np.asarray(target, dtype=float), np.asarray(training, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(training > 0, target / training, 0.0)


def shift_prior(proba: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """Probabilities re-weighted by ``weights`` (from :func:`prior_weights`) and renormalised per
    case; None leaves them as they are. A case whose every class weighs 0 gets all zeros."""
    if weights is None:
        return proba
    shifted = np.asarray(proba, dtype=float) * weights
    total = shifted.sum(axis=-1, keepdims=True)
    return np.divide(shifted, total, out=np.zeros_like(shifted), where=total > 0)


def apply_temperature(proba: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities with their log divided by ``temperature``, renormalised
    (1 leaves them as they are)."""
    if temperature == 1.0:
        return proba
    logp = np.log(np.clip(proba, 1e-300, 1.0)) / temperature
    out = np.exp(logp - logp.max(axis=1, keepdims=True))
    return out / out.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Recalibration:
    """A temperature fitted on out-of-fold predictions, the held-out log loss with and without it,
    and whether it is applied (only where cross-fitting showed that it lowers that loss)."""

    temperature: float
    log_loss_before: float  # mean over held-out folds, as the model gave them
    log_loss_after: (
        float  # mean over held-out folds, each with the temperature fitted on the other folds
    )
    applied: bool

    @property
    def effective(self) -> float:
        """The temperature prediction applies: the fitted one if applied, else 1."""
        return self.temperature if self.applied else 1.0

    def to_manifest(self) -> dict[str, float | bool]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_manifest(cls, data: dict[str, float | bool]) -> Recalibration:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


__all__ = ["Recalibration", "apply_temperature", "prior_weights", "shift_prior"]
