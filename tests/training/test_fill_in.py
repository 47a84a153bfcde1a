"""Synthetic fill-in: the rows a model learns from in one training fold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tumorclf.training.fill_in import fill_in_rows


def test_without_real_rows_a_model_learns_from_the_synthetic_rows_alone(generator):
    real = pd.DataFrame([{"age": 30, "sex": "F", "id": "r1"}] * 20)
    y = np.full(20, "meningioma", dtype=object)
    X, labels = fill_in_rows(real, y, generator, n=700, real_rows=False, random_state=0)
    assert len(X) == 700 and list(X.columns) == ["age", "sex"]  # the schema fields the cases have
    assert pd.Series(labels).value_counts().tolist() == [100] * 7  # the uniform synthetic draw only
    X, labels = fill_in_rows(real, y, generator, n=700, real_rows=True, random_state=0)
    assert (
        len(X) == 720 and (labels[700:] == "meningioma").all() and "id" not in X
    )  # the real rows last
    with pytest.raises(ValueError, match="needs n > 0 synthetic"):
        fill_in_rows(real, y, generator, n=0, real_rows=False)


def test_the_same_seed_draws_the_same_rows(generator):
    real = pd.DataFrame([{"age": 30}] * 5)
    y = np.full(5, "schwannoma", dtype=object)
    first, _ = fill_in_rows(real, y, generator, n=200, missingness="as_entered", random_state=4)
    again, _ = fill_in_rows(real, y, generator, n=200, missingness="as_entered", random_state=4)
    pd.testing.assert_frame_equal(first, again)
