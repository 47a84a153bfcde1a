"""The champion's sets and alert checked fold by fold: each fold held out from its own
calibration."""

from __future__ import annotations

import numpy as np

from tumorclf.training.coverage import calibrate, complete_report_figures

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
    assert (
        alert.caught >= 0.9 * alert.n_mcs - 1 and figures["mcs_alert_threshold"] == alert.threshold
    )
    # held-out figures differ from a calibration scored on itself: the folds are really held out
    inside = sets.p_values(proba, CLASSES) > 0.1
    assert inside[np.arange(n), y].mean() != figures["conformal_coverage_mean"]


def test_sets_shrink_on_cases_that_say_more():
    """Calibrated on vague predictions, the sets of sharper ones (a complete report) hold fewer
    classes."""
    y, vague = noisy_predictions(900, 3, 2, signal=0.5)
    sets, alert, _ = calibrate(vague, y, np.arange(900) % 5, CLASSES)
    y_sharp, sharp = noisy_predictions(300, 3, 3, signal=4.0)
    figures = complete_report_figures(sets, alert, sharp, y_sharp, CLASSES)
    again = complete_report_figures(sets, alert, vague[:300], y[:300], CLASSES)
    assert figures["vignette_set_size"] < again["vignette_set_size"] - 0.5
    assert figures["vignette_set_coverage"] >= 0.9 and figures["vignette_alert_sensitivity"] >= 0.9
    assert set(figures) == {
        "vignette_set_coverage",
        "vignette_set_size",
        "vignette_set_singleton_share",
        "vignette_set_coverage_mcs",
        "vignette_alert_sensitivity",
        "vignette_alert_false_alarm",
    }
