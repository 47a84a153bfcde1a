"""The calibration error: the binned definition, case weights, and the reference a calibrated model
sets."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.training.metrics import (
    calibrated_ece_reference,
    expected_calibration_error,
    weighted_calibration_errors,
)

from ..conftest import noisy_predictions


def _binned_ece(y: np.ndarray, proba: np.ndarray, bins: int = 10) -> float:
    """The definition, bin by bin (Guo et al. 2017, eq. 3)."""
    confidence, correct = proba.max(axis=1), proba.argmax(axis=1) == y
    which = np.clip(np.digitize(confidence, np.linspace(0, 1, bins + 1)[1:-1]), 0, bins - 1)
    return sum(
        abs(correct[which == b].mean() - confidence[which == b].mean()) * (which == b).sum()
        for b in range(bins)
        if (which == b).any()
    ) / len(y)


def test_the_ece_is_the_binned_definition():
    y, proba = noisy_predictions(500, 5, 0)
    assert np.isclose(expected_calibration_error(y, proba), _binned_ece(y, proba))


def test_integer_weights_count_cases_as_often_as_drawn():
    y, proba = noisy_predictions(200, 4, 1)
    counts = np.random.default_rng(2).integers(0, 4, size=(3, 200))
    for row, errors in zip(counts, weighted_calibration_errors(y, proba, counts), strict=True):
        repeated = np.repeat(np.arange(200), row)
        assert np.isclose(errors, _binned_ece(y[repeated], proba[repeated]))


def test_a_calibrated_model_shows_an_ece_that_shrinks_with_more_cases():
    """Labels drawn from the probabilities are calibrated by construction, yet on few cases their
    ECE is far from zero; the reference says how far, and it matches what such labels give."""
    rng = np.random.default_rng(3)
    proba = rng.dirichlet(np.ones(6), size=3000)
    few, many = calibrated_ece_reference(proba[:60]), calibrated_ece_reference(proba)
    assert few > 2 * many and many < 0.03
    drawn = [
        expected_calibration_error(
            (rng.random(60)[:, None] > proba[:60].cumsum(1)[:, :-1]).sum(1), proba[:60]
        )
        for _ in range(300)
    ]
    assert abs(np.mean(drawn) - few) < 0.01
    assert (
        calibrated_ece_reference(np.eye(6)[rng.integers(0, 6, 50)]) == 0.0
    )  # certain and right: no gap


def test_the_calibrated_reference_is_the_mean_ece_of_labels_drawn_from_the_probabilities():
    """The reference draws each case's label by inverse CDF; it must equal drawing every label in
    full."""

    rng = np.random.default_rng(4)
    proba = rng.dirichlet(np.full(7, 0.4), size=300)
    proba[:3] = np.eye(7)[[0, 6, 3]]  # certain cases, the first and the last class among them
    draws = np.random.default_rng(11).random((200, len(proba)))
    cumulative = np.cumsum(proba, axis=1)
    labels = (draws[:, :, None] > cumulative[None, :, :-1]).sum(axis=2)
    expected = np.mean([expected_calibration_error(row, proba) for row in labels])
    assert calibrated_ece_reference(proba, draws=200, random_state=11) == pytest.approx(
        expected, abs=1e-12
    )
