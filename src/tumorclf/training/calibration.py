"""The champion's calibration on its out-of-fold real-case predictions: a temperature, the sets and
the alert.

Read as entered, on the champion's training prior's scale: a temperature, measured
(:mod:`tumorclf.training.recalibration`) and applied only with ``coverage.recalibrate`` and if
cross-fitting it lowers the held-out log loss (the out-of-fold cases are published ones, and a
temperature they ask for would flatten the ratios consecutive series show); then the coverage
sets and the MCS alert (:mod:`tumorclf.training.coverage`), on the probabilities as the champion
will give them, and what they do on the fully reported vignettes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from tumorclf.prediction.conformal import ALERT_CLASS, AlertCalibration, CoverageSets, MCSAlert
from tumorclf.prediction.probabilities import Recalibration, apply_temperature
from tumorclf.training.coverage import calibrate, complete_report_figures
from tumorclf.training.evaluation import CandidateReport
from tumorclf.training.recalibration import recalibrate


@dataclass
class ChampionCalibration:
    """What training calibrates on the champion's out-of-fold real cases, and how it did
    (``figures``)."""

    sets: CoverageSets
    alert: MCSAlert | None  # None without MCS cases
    alert_calibration: AlertCalibration | None  # to choose the alert again under a user's prior
    recalibration: Recalibration
    figures: dict[str, Any]


def calibrate_champion(
    champion: CandidateReport,
    real: pd.DataFrame,
    classes: Sequence[str],
    settings: Mapping[str, Any],
    vignettes: pd.DataFrame | None = None,
) -> ChampionCalibration | None:
    """Calibrate the champion's sets and alert (``settings``: the config's ``coverage``); None
    without real folds. Their figures join its metrics, so they are logged."""
    index, fold, proba = champion.pooled("real")
    if not len(index):
        return None
    y = np.searchsorted(
        np.asarray(classes), real["diagnosis"].astype(str).to_numpy(dtype=object)[index]
    )
    recalibration = recalibrate(proba, y, fold)
    if not settings.get("recalibrate", False):  # measured and logged, never applied
        recalibration = replace(recalibration, applied=False)
    proba = apply_temperature(proba, recalibration.effective)
    sets, alert, figures = calibrate(
        proba, y, fold, classes, alpha=settings["alpha"], target=settings["mcs_target"]
    )
    figures.update(
        {
            "recalibration_temperature": recalibration.temperature,
            "recalibration_applied": float(recalibration.applied),
            "real_log_loss_before_recalibration": recalibration.log_loss_before,
            "real_log_loss_recalibrated": recalibration.log_loss_after,
        }
    )
    if (
        vignettes is not None and champion.vignette_proba is not None
    ):  # uniform prior: the training prior's scale
        complete = apply_temperature(champion.vignette_proba, recalibration.effective)
        truth = np.searchsorted(
            np.asarray(classes), vignettes["diagnosis"].astype(str).to_numpy(dtype=object)
        )
        figures.update(complete_report_figures(sets, alert, complete, truth, classes))
    champion.metrics.update(figures)
    alert_calibration = (
        None
        if alert is None
        else AlertCalibration(
            tuple(classes),
            proba,
            y == list(classes).index(ALERT_CLASS),
            float(settings["mcs_target"]),
        )
    )
    return ChampionCalibration(sets, alert, alert_calibration, recalibration, figures)


__all__ = ["ChampionCalibration", "calibrate_champion"]
