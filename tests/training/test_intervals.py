"""95% intervals by a bootstrap over sources: they cover the estimate, widen with clustering, and
agree with sklearn."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from tumorclf.training.intervals import source_bootstrap
from tumorclf.training.metrics import expected_calibration_error

from ..conftest import noisy_predictions

CLASSES = ["mcs", "schwannoma", "meningioma", "neurofibroma"]


def _predictions(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return noisy_predictions(n, len(CLASSES), seed)


def test_each_interval_holds_the_pooled_figure_and_is_reproducible():
    y, proba = _predictions(400, 0)
    groups = np.arange(400) // 2
    bounds = source_bootstrap(y, proba, groups, CLASSES, random_state=3)
    point = {
        "log_loss": -np.log(proba[np.arange(400), y]).mean(),
        "top1_acc": (proba.argmax(1) == y).mean(),
        "mcs_auroc": roc_auc_score(y == 0, proba[:, 0]),
    }
    for name, value in point.items():
        low, high = bounds[name]
        assert low < value < high, name
    assert set(bounds) == {
        "log_loss",
        "top1_acc",
        "top3_acc",
        "mcs_top3_sensitivity",
        "mcs_top3_false_alarm",
        "mcs_auroc",
        "ece_pooled",
    }
    assert bounds == source_bootstrap(y, proba, groups, CLASSES, random_state=3)


def test_the_ece_interval_holds_an_overconfident_models_ece():
    """Resampling pushes the ECE upwards; the bias-corrected interval still holds the estimate."""
    y, proba = noisy_predictions(400, len(CLASSES), 4, sharpness=2.0)
    ece = expected_calibration_error(y, proba)
    low, high = source_bootstrap(y, proba, np.arange(400) // 2, CLASSES)["ece_pooled"]
    assert ece > 0.1 and low < ece < high


def test_a_paper_of_many_patients_widens_the_interval():
    """Cases of one source that are right or wrong together carry less information than independent
    cases."""
    y, proba = _predictions(400, 1)
    right = proba.argmax(1) == y
    order = np.argsort(
        right, kind="stable"
    )  # sources of 20 cases, each nearly all right or all wrong
    clustered = np.empty(400, dtype=int)
    clustered[order] = np.arange(400) // 20
    wide = source_bootstrap(y, proba, clustered, CLASSES)["top1_acc"]
    narrow = source_bootstrap(y, proba, np.arange(400), CLASSES)["top1_acc"]
    assert wide[1] - wide[0] > 2 * (narrow[1] - narrow[0])


def test_the_weighted_auroc_is_sklearns_on_the_bootstrap_median():
    y, proba = _predictions(3000, 2)
    low, high = source_bootstrap(y, proba, np.arange(3000), CLASSES, n_boot=400)["mcs_auroc"]
    exact = roc_auc_score(y == 0, proba[:, 0])
    assert low < exact < high and high - low < 0.06
