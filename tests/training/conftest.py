"""A tiny experiment config: seconds to train, every part of the pipeline exercised."""

from __future__ import annotations

import pytest

from tumorclf.training.config import load_config

TINY = [
    "synthetic.n=350",
    "fill_in.n=140",
    "cv.folds=2",
    "cv.inner_folds=2",
    "parallel.n_jobs=1",
]
TINY_CANDIDATES = {
    "logistic_regression": {"model": "logistic_regression", "encoding": "compact", "calibration": "none",
                            "params": {"max_iter": 500}, "grid": {"C": [0.1, 1.0]}},
    "naive_bayes": {"model": "categorical_naive_bayes", "encoding": "categories", "calibration": "none",
                    "params": {}, "grid": {"alpha": [1.0]}},
}


def tiny_config(**changes):
    config = load_config(overrides=TINY)
    config["candidates"] = {k: dict(v) for k, v in TINY_CANDIDATES.items()}
    for key, value in changes.items():
        config[key] = value
    return config


@pytest.fixture
def tiny():
    return tiny_config()
