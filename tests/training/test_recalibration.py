"""A temperature fitted on real cases, kept only where cross-fitting shows it lowers held-out log
loss."""

from __future__ import annotations

import numpy as np

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
