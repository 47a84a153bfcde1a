"""A differential with a coverage guarantee, and an MCS alert with a stated sensitivity.

Both are calibrated at training on the champion's out-of-fold predictions
for the real cases (cross-validation grouped by source, cases read as
entered). The sets read the model's probabilities under the prior it was
trained with, whatever prior the user asks the probabilities in (their
guarantee is per class, which a prior does not change). The alert follows
the user's prior: it is chosen again on the same out-of-fold cases with
their probabilities under that prior (:class:`AlertCalibration`), so that
its threshold and the p(MCS) it is compared with are the ones the user
sees.

* :class:`CoverageSets`: a Mondrian (class-conditional) split-conformal
  classifier (Vovk et al. 2005, ch. 4). The non-conformity of class ``c`` for
  a case is ``1 - p(c)``; class ``c`` enters the set when its non-smoothed
  p-value, ``(#{calibration cases of class c at least as non-conforming} + 1)
  / (n_c + 1)``, exceeds ``alpha``. Each class then has its own coverage:
  for a new case of class ``c`` exchangeable with the calibration cases of
  ``c``, the set contains ``c`` with probability at least ``1 - alpha``. The
  same p-values are what ``crepes.ConformalClassifier`` gives with the labels
  as Mondrian categories and ``smoothing=False``; the training side uses
  crepes, this module only numpy (the prediction path stays light).
* :class:`MCSAlert`: a threshold on p(MCS) at the ``1 - target`` quantile of
  the out-of-fold MCS cases (interpolated between order statistics, so that
  one outlying case does not set it alone); with its false-alarm rate on the
  others, a one-sided 95% Clopper-Pearson lower bound on its sensitivity, and
  the conformal guarantee for one new MCS case (flagged with probability at
  least ``1 - (misses + 1) / (n + 1)``).

The out-of-fold predictions come from five models (one per fold), so the
calibration cases are exchangeable with a new case only approximately (as in
cross-conformal prediction, Vovk 2015); the per-fold figures in training show
how far coverage holds on sources the calibration never saw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tumorclf.prediction.probabilities import shift_prior

#: The class the alert is about.
ALERT_CLASS = "mcs"


@dataclass(frozen=True)
class CoverageSets:
    """Class-conditional conformal prediction sets at level ``1 - alpha``.

    ``scores[c]``: the calibration cases of class ``c``, their non-conformity ``1 - p(c)``.
    """

    alpha: float
    scores: dict[str, np.ndarray]

    @property
    def coverage(self) -> float:
        return 1.0 - self.alpha

    def p_values(self, proba: np.ndarray, classes: Sequence[str]) -> np.ndarray:
        """Non-smoothed p-values ``(n, C)`` of every class for every case
        (columns in ``classes`` order)."""
        proba = np.atleast_2d(np.asarray(proba, dtype=float))
        out = np.ones_like(proba)
        for j, name in enumerate(classes):
            scores = np.sort(self.scores.get(name, np.array([])))
            s = 1.0 - proba[:, j]
            # calibration scores >= s,
            # with a hair of tolerance for probabilities that round differently
            at_least = len(scores) - np.searchsorted(scores, s - 1e-12, side="left")
            out[:, j] = (at_least + 1) / (len(scores) + 1)
        return out

    def members(
        self, proba: np.ndarray, classes: Sequence[str], alpha: float | None = None
    ) -> np.ndarray:
        """Which classes each case's set keeps, ``(n, C)`` booleans, at level ``1 - alpha``
        (default: the level calibrated at training; the calibration scores serve any level chosen
        before the case is seen)."""
        return self.p_values(proba, classes) > (self.alpha if alpha is None else alpha)

    def sets(
        self, proba: np.ndarray, classes: Sequence[str], alpha: float | None = None
    ) -> list[tuple[str, ...]]:
        """Each case's set, most probable class first (see :meth:`members`)."""
        proba = np.atleast_2d(np.asarray(proba, dtype=float))
        keep = self.members(proba, classes, alpha)
        return [
            tuple(classes[j] for j in np.argsort(-row, kind="stable") if member[j])
            for row, member in zip(proba, keep, strict=True)
        ]

    def to_manifest(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "scores": {c: [round(float(v), 12) for v in s] for c, s in self.scores.items()},
        }

    @classmethod
    def from_manifest(cls, data: Mapping[str, Any]) -> CoverageSets:
        return cls(
            alpha=float(data["alpha"]),
            scores={c: np.asarray(v, dtype=float) for c, v in data["scores"].items()},
        )


@dataclass(frozen=True)
class MCSAlert:
    """A threshold on p(MCS) and what it did on the out-of-fold real cases."""

    threshold: float
    target: float
    n_mcs: int
    caught: int
    n_other: int
    false_alarms: int
    sensitivity_lower: float  # one-sided 95% Clopper-Pearson lower bound
    guarantee: float  # for one new MCS exchangeable with these: P(flagged) >= this

    @property
    def sensitivity(self) -> float:
        return self.caught / self.n_mcs

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.n_other if self.n_other else float("nan")

    def flags(self, p_mcs: np.ndarray | float) -> np.ndarray:
        return np.asarray(p_mcs, dtype=float) >= self.threshold

    def to_manifest(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_manifest(cls, data: Mapping[str, Any]) -> MCSAlert:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def fit_alert(p_mcs: np.ndarray, is_mcs: np.ndarray, target: float = 0.9) -> MCSAlert:
    """The threshold on p(MCS) at the ``1 - target`` quantile of the MCS cases given, interpolated
    linearly between the two cases around it (Hyndman & Fan 1996, type 7).

    The lowest case that must be flagged alone would set the threshold if it were the order
    statistic; with 16 to 20 MCS cases, one case of p = 0.04 would then sink it to 0.04 and flag
    nearly everything. Between two order statistics, the threshold moves by a share of the gap, not
    all of it.
    """
    from scipy.stats import beta

    if not 0 < target < 1:
        raise ValueError(
            f"The alert's target sensitivity must be in (0, 1). Got {target!r} instead."
        )
    p_mcs, is_mcs = np.asarray(p_mcs, dtype=float), np.asarray(is_mcs, dtype=bool)
    positives = np.sort(p_mcs[is_mcs])
    n = len(positives)
    if n == 0:
        raise ValueError("The MCS alert needs out-of-fold predictions for at least one MCS case.")
    threshold = float(np.quantile(positives, 1 - target))
    caught = int((positives >= threshold).sum())
    others = p_mcs[~is_mcs]
    return MCSAlert(
        threshold=threshold,
        target=float(target),
        n_mcs=n,
        caught=caught,
        n_other=int(len(others)),
        false_alarms=int((others >= threshold).sum()),
        sensitivity_lower=float(beta.ppf(0.05, caught, n - caught + 1)) if caught > 0 else 0.0,
        guarantee=float(
            1 - (n - caught + 1) / (n + 1)
        ),  # a new MCS flagged unless below the lowest caught
    )


@dataclass(frozen=True, eq=False)
class AlertCalibration:
    """The out-of-fold cases an alert was calibrated on, kept so that it can be chosen again under
    the prior a user gives: their probabilities on the training prior's scale (columns in
    ``classes`` order) and which of them are MCS.

    Under a prior ``pi`` each case's p(MCS) becomes ``pi_mcs p_mcs / sum_c pi_c p_c`` (weights
    relative to the training prior); the threshold is then the same quantile of the MCS cases'
    shifted p(MCS). The MCS cases flagged are the same ones the training-scale threshold flags only
    when the shift is monotone in p(MCS), which with several classes it is not, so the record is
    recomputed too.
    """

    classes: tuple[str, ...]
    proba: np.ndarray
    is_mcs: np.ndarray
    target: float

    def alert_for(self, weights: Mapping[str, float]) -> MCSAlert:
        """The alert chosen on these cases' probabilities re-weighted by ``weights``
        (class -> target / training)."""
        shifted = shift_prior(self.proba, np.array([float(weights[c]) for c in self.classes]))
        return fit_alert(shifted[:, self.classes.index(ALERT_CLASS)], self.is_mcs, self.target)

    def to_manifest(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "target": self.target,
            "is_mcs": [bool(v) for v in self.is_mcs],
            "proba": [[round(float(v), 12) for v in row] for row in self.proba],
        }

    @classmethod
    def from_manifest(cls, data: Mapping[str, Any]) -> AlertCalibration:
        return cls(
            classes=tuple(data["classes"]),
            proba=np.asarray(data["proba"], dtype=float),
            is_mcs=np.asarray(data["is_mcs"], dtype=bool),
            target=float(data["target"]),
        )


def alpha_of(coverage: Any) -> float:
    """``1 - coverage`` for a coverage in (0, 1), or a ValueError saying what a coverage may be."""
    try:
        value = float(coverage)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0 < value < 1:
        raise ValueError(
            f"A set's coverage must be a number between 0 and 1 (exclusive), e.g. 0.8; "
            f"got {coverage!r}."
        )
    return round(1.0 - value, 12)  # 0.9 asks for alpha 0.1, not 0.09999999999999998


def fit_sets(
    proba: np.ndarray, y: np.ndarray, classes: Sequence[str], alpha: float = 0.1
) -> CoverageSets:
    """Calibrate :class:`CoverageSets` on cases with known class indices ``y``
    (columns in ``classes`` order)."""
    if not 0 < alpha < 1:
        raise ValueError(f"The coverage 'alpha' must be in (0, 1). Got {alpha!r} instead.")
    proba, y = np.asarray(proba, dtype=float), np.asarray(y, dtype=np.intp)
    return CoverageSets(
        alpha=float(alpha),
        scores={name: np.sort(1.0 - proba[y == j, j]) for j, name in enumerate(classes)},
    )


__all__ = [
    "ALERT_CLASS",
    "AlertCalibration",
    "CoverageSets",
    "MCSAlert",
    "alpha_of",
    "fit_alert",
    "fit_sets",
]
