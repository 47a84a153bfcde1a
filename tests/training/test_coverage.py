"""The champion's sets and alert checked fold by fold: each fold held out from its own calibration."""

from __future__ import annotations

import numpy as np

from tumorclf.training.coverage import calibrate

from ..conftest import noisy_predictions

CLASSES = ["mcs", "meningioma", "schwannoma"]


def test_every_fold_is_scored_by_a_calibration_that_never_saw_it():
    n = 600
    y, proba = noisy_predictions(n, 3, 0)
    fold = np.random.default_rng(1).integers(0, 5, n)
    sets, alert, figures = calibrate(proba, y, fold, CLASSES, alpha=0.1, target=0.9)
    assert 0.85 <= figures["conformal_coverage_mean"] <= 0.97
    assert figures["conformal_coverage_mcs_mean"] >= 0.8
    assert 1 < figures["conformal_set_size_mean"] < 3
    assert 0.8 <= figures["mcs_alert_sensitivity_mean"] <= 1
    assert alert.sensitivity >= 0.9 and figures["mcs_alert_threshold"] == alert.threshold
    # held-out figures differ from a calibration scored on itself: the folds are really held out
    inside = sets.p_values(proba, CLASSES) > 0.1
    assert inside[np.arange(n), y].mean() != figures["conformal_coverage_mean"]
