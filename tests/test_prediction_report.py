"""The differential column: the same text a per-row ranking gives, built with array operations."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.prediction_report import differential_column

CLASSES = ["mcs", "schwannoma", "meningioma", "neurofibroma"]


def per_row(row, threshold=0.01, min_classes=3):
    ranked = sorted(zip(CLASSES, row), key=lambda item: -item[1])  # stable: ties keep column order
    kept = [(c, p) for k, (c, p) in enumerate(ranked) if k < min_classes or p >= threshold]
    return "; ".join(f"{c} {p:.3f}" for c, p in kept)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_it_equals_the_per_row_ranking(seed):
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.full(len(CLASSES), 0.2), size=2000)
    proba[:10] = [0.25, 0.25, 0.25, 0.25]  # ties
    proba[10:20] = [0.999, 0.0005, 0.0004, 0.0001]  # below the threshold: still three classes
    column = differential_column(proba, CLASSES)
    assert list(column) == [per_row(row) for row in proba]


def test_threshold_and_minimum_are_respected():
    column = differential_column(np.array([[0.5, 0.3, 0.15, 0.05]]), CLASSES, threshold=0.2, min_classes=1)
    assert column[0] == "mcs 0.500; schwannoma 0.300"
