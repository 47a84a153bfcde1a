"""Real-case folds: stratified, grouped by source, seeded; impossible requests refused with
numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tumorclf.training.config import ConfigError, load_config
from tumorclf.training.real_cv import RealCasesError, grouped_splits, groups_of


def test_folds_keep_each_source_on_one_side_and_every_class_in_every_fold():
    y = np.repeat(np.array(["a", "b", "c"], dtype=object), 40)
    groups = np.array(
        [f"paper {i // 3}" for i in range(120)], dtype=object
    )  # three patients a paper
    splits = grouped_splits(y, groups, 4, seed=7)
    assert sorted(np.concatenate([test for _, test in splits])) == list(range(120))
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
        assert set(y[test]) == {"a", "b", "c"}
    again = grouped_splits(y, groups, 4, seed=7)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(splits, again, strict=True))


def test_a_class_with_fewer_sources_than_folds_is_refused_with_its_numbers():
    y = np.array(["a"] * 10 + ["b"] * 3, dtype=object)
    groups = np.array([f"p{i}" for i in range(10)] + ["q", "q", "r"], dtype=object)
    with pytest.raises(
        RealCasesError, match=r"5-fold grouped CV but class 'b' has real cases from only 2 source"
    ):
        grouped_splits(y, groups, 5, seed=0)


def test_a_case_without_a_source_is_its_own_group():
    frame = pd.DataFrame({"source": ["A 2001", None, "", "A 2001"]})
    groups = groups_of(frame)
    assert groups[0] == groups[3] and len(set(groups)) == 3


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("prior_update.grid={strenght: [1.0]}", "prior_update.grid.strenght"),
        ("prior_update.grid={floor: [1.5]}", "prior_update.grid.floor"),
        ("selection.cases=both", "selection.cases"),
        ("real_cv.folds=1", "real_cv.folds"),
    ],
)
def test_bad_real_case_settings_are_refused_before_any_work(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(overrides=[override])


def test_oracle_ratio_selects_only_on_synthetic_cv():
    with pytest.raises(ConfigError, match="oracle_ratio exists on synthetic CV only"):
        load_config(overrides=["selection.metric=oracle_ratio"])
    assert load_config(overrides=["selection.metric=oracle_ratio", "selection.cases=synthetic"])
