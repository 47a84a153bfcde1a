"""The champion's coverage sets and MCS alert: calibrated, and checked fold by fold, on real cases.

Calibration uses the champion's out-of-fold predictions for every real case
(grouped cross-validation, read as entered). Each fold is also held out in
turn: the sets and the alert are calibrated on the other folds and scored on
it, so that the figures say how they do on sources the calibration never saw.
The p-values are crepes' (``ConformalClassifier`` with the labels as Mondrian
categories, not smoothed), the same numbers :mod:`tumorclf.prediction.conformal` computes
at prediction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tumorclf.prediction.conformal import ALERT_CLASS, CoverageSets, MCSAlert, fit_alert, fit_sets
from tumorclf.training.metrics import summarise


def crepes_p_values(cal_proba: np.ndarray, cal_y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Class-conditional conformal p-values ``(n, C)`` by crepes, calibrated on ``cal_proba`` with
    labels ``cal_y``."""
    from crepes import ConformalClassifier

    cal_y = np.asarray(cal_y, dtype=np.intp)
    conformal = ConformalClassifier().fit(1.0 - cal_proba[np.arange(len(cal_y)), cal_y], bins=cal_y)
    out = np.empty_like(proba, dtype=float)
    for k in range(proba.shape[1]):  # class k's p-value is read in class k's Mondrian category
        out[:, k] = conformal.predict_p(1.0 - proba, bins=np.full(len(proba), k), smoothing=False)[
            :, k
        ]
    return out


def fold_figures(
    proba: np.ndarray,
    y: np.ndarray,
    fold: np.ndarray,
    classes: Sequence[str],
    alpha: float,
    target: float,
) -> list[dict[str, float]]:
    """Per held-out fold: the sets' coverage (overall and per class), size and singletons; the
    alert's sensitivity and false alarms, each calibrated on the other folds."""
    positive = list(classes).index(ALERT_CLASS) if ALERT_CLASS in classes else None
    figures = []
    for f in np.unique(fold):
        test, cal = fold == f, fold != f
        inside = crepes_p_values(proba[cal], y[cal], proba[test]) > alpha
        yt = y[test]
        covered = inside[np.arange(len(yt)), yt]
        size = inside.sum(axis=1)
        row = {
            "coverage": float(covered.mean()),
            "set_size": float(size.mean()),
            "singleton_share": float((size == 1).mean()),
            "empty_share": float((size == 0).mean()),
        }
        for j, name in enumerate(classes):
            if (yt == j).any():
                row[f"coverage_{name}"] = float(covered[yt == j].mean())
        if positive is not None and (y[cal] == positive).any():
            alert = fit_alert(proba[cal, positive], y[cal] == positive, target)
            flagged = alert.flags(proba[test, positive])
            if (yt == positive).any():
                row["mcs_alert_sensitivity"] = float(flagged[yt == positive].mean())
            row["mcs_alert_false_alarm"] = float(flagged[yt != positive].mean())
        figures.append(row)
    return figures


def complete_report_figures(
    sets: CoverageSets,
    alert: MCSAlert | None,
    proba: np.ndarray,
    y: np.ndarray,
    classes: Sequence[str],
) -> dict[str, float]:
    """The calibrated sets and alert on other cases, e.g. the fully reported vignettes
    (``vignette_set_*``, ``vignette_alert_*``). Those cases are not exchangeable with the published
    ones the calibration saw (they state every finding), so this describes, it does not test, the
    guarantee."""
    proba, y = np.asarray(proba, dtype=float), np.asarray(y, dtype=np.intp)
    inside = sets.p_values(proba, classes) > sets.alpha
    covered, size = inside[np.arange(len(y)), y], inside.sum(axis=1)
    out = {
        "vignette_set_coverage": float(covered.mean()),
        "vignette_set_size": float(size.mean()),
        "vignette_set_singleton_share": float((size == 1).mean()),
    }
    if alert is not None and ALERT_CLASS in classes:
        j = list(classes).index(ALERT_CLASS)
        flagged, is_mcs = alert.flags(proba[:, j]), y == j
        if is_mcs.any():
            out["vignette_set_coverage_mcs"] = float(covered[is_mcs].mean())
            out["vignette_alert_sensitivity"] = float(flagged[is_mcs].mean())
        if (~is_mcs).any():
            out["vignette_alert_false_alarm"] = float(flagged[~is_mcs].mean())
    return out


def calibrate(
    proba: np.ndarray,
    y: np.ndarray,
    fold: np.ndarray,
    classes: Sequence[str],
    *,
    alpha: float = 0.1,
    target: float = 0.9,
) -> tuple[CoverageSets, MCSAlert | None, dict[str, Any]]:
    """The sets and the alert calibrated on every out-of-fold prediction, and the per-fold figures
    (``conformal_*``, ``mcs_alert_*``: mean and sd over the folds; ``*_pooled``: over all cases at
    once)."""
    proba, y, fold = np.asarray(proba, dtype=float), np.asarray(y, dtype=np.intp), np.asarray(fold)
    sets = fit_sets(proba, y, classes, alpha)
    alert = None
    if ALERT_CLASS in classes:
        positive = list(classes).index(ALERT_CLASS)
        alert = fit_alert(proba[:, positive], y == positive, target)
    per_fold = fold_figures(proba, y, fold, classes, alpha, target)
    metrics = {
        (k if k.startswith("mcs_alert") else f"conformal_{k}"): v
        for k, v in summarise(per_fold).items()
    }
    if alert is not None:
        metrics.update(
            {
                "mcs_alert_threshold": alert.threshold,
                "mcs_alert_sensitivity_pooled": alert.sensitivity,
                "mcs_alert_sensitivity_lo": alert.sensitivity_lower,
                "mcs_alert_false_alarm_pooled": alert.false_alarm_rate,
            }
        )
    return sets, alert, metrics


__all__ = ["calibrate", "complete_report_figures", "crepes_p_values", "fold_figures"]
