"""A temperature fitted on real cases, kept only where cross-fitting shows it lowers held-out log
loss."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.training.recalibration import apply_temperature, fit_temperature, recalibrate

from ..conftest import noisy_predictions


def _cases(n: int, sharpness: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y, proba = noisy_predictions(n, 4, seed, sharpness=sharpness)
    return proba, y, np.random.default_rng(seed + 1).integers(0, 5, n)


def test_an_overconfident_model_is_cooled_and_the_gain_is_measured_held_out():
    proba, y, fold = _cases(600, 3.0, 0)  # log-probabilities three times too sharp
    found = recalibrate(proba, y, fold)
    assert found.applied and 2.3 < found.temperature < 3.7
    assert found.log_loss_after < found.log_loss_before - 0.2
    cooled = apply_temperature(proba, found.temperature)
    assert (cooled.argmax(axis=1) == proba.argmax(axis=1)).all()  # the ranking of a case is kept
    np.testing.assert_allclose(cooled.sum(axis=1), 1.0)


def test_a_calibrated_model_is_left_alone():
    proba, y, fold = _cases(600, 1.0, 1)
    found = recalibrate(proba, y, fold)
    assert not found.applied and abs(found.temperature - 1.0) < 0.15
    assert np.array_equal(apply_temperature(proba, 1.0), proba)


def test_the_fit_is_maximum_likelihood():
    proba, y, _ = _cases(400, 2.0, 2)
    t = fit_temperature(proba, y)

    def nll(temperature: float) -> float:
        p = apply_temperature(proba, temperature)
        return -np.log(p[np.arange(len(y)), y]).mean()

    assert nll(t) <= min(nll(t * 0.9), nll(t * 1.1))


def test_the_champion_is_recalibrated_only_when_the_config_asks_and_cross_fitting_agrees():
    """Published cases read as entered ask a consecutive model for a temperature; it is measured
    either way and applied only with ``coverage.recalibrate``."""
    from types import SimpleNamespace

    import pandas as pd

    from tumorclf.training.calibration import calibrate_champion

    rng = np.random.default_rng(0)
    classes = ["a", "b", "c"]
    y = np.repeat([0, 1, 2], 60)
    logits = 3.0 * np.eye(3)[y] + rng.normal(0, 2.5, size=(len(y), 3))  # overconfident
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    fold = np.arange(len(y)) % 5
    champion = SimpleNamespace(
        pooled=lambda reading: (np.arange(len(y)), fold, proba), vignette_proba=None, metrics={}
    )
    real = pd.DataFrame({"diagnosis": np.array(classes)[y]})
    settings = {"alpha": 0.1, "mcs_target": 0.9}
    kept = calibrate_champion(champion, real, classes, {**settings, "recalibrate": True})
    measured = calibrate_champion(champion, real, classes, settings)
    assert kept.recalibration.temperature == pytest.approx(measured.recalibration.temperature)
    assert kept.recalibration.applied and kept.recalibration.effective > 1.2
    assert not measured.recalibration.applied and measured.recalibration.effective == 1.0
