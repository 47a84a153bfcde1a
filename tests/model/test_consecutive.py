"""The consecutive finding model: the literature's structure, each class's rates moved to the pooled
series' where a consecutive series counts them, the literature's row kept where none does."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.model.consecutive import consecutive_findings, marginal, provenance
from tumorclf.model.literature import findings_from_priors
from tumorclf.model.meta import fit_series
from tumorclf.model.series import load_series
from tumorclf.model.structure import (
    PARENTS,
    REGION_OF_LEVEL,
    STRUCTURAL_NONE,
    TABLE_FIELDS,
    values_of,
)
from tumorclf.schema.vocabulary import REGIONS


@pytest.fixture(scope="module")
def models(generator):
    series = fit_series(load_series(classes=generator.classes_), generator.priors)
    literature = findings_from_priors(generator.priors)
    return literature, series, consecutive_findings(literature, series)


def test_each_class_field_a_series_counts_has_the_pooled_marginal(models, generator):
    literature, series, consecutive = models
    moved = 0
    for c, cls in enumerate(generator.classes_):
        for name in TABLE_FIELDS:
            pooled = series.rates.get((cls, name))
            if pooled is None or pooled.assumption:
                np.testing.assert_allclose(
                    marginal(consecutive, c, name)
                    if name in PARENTS
                    else consecutive.fields[name][c],
                    marginal(literature, c, name)
                    if name in PARENTS
                    else literature.fields[name][c],
                    atol=0.02 if name in PARENTS else 0,  # a child moves with its parent
                )
                assert provenance(series, cls, name) == "assumption"
                continue
            np.testing.assert_allclose(marginal(consecutive, c, name), pooled.mean, atol=1e-4)
            moved += 1
    assert moved >= 30


def test_the_level_moves_by_its_top_region_and_structural_zeros_stay(models, generator):
    literature, series, consecutive = models
    c = generator.classes_.index("schwannoma")
    top = consecutive.level_joint()[c].sum(axis=1)
    regions = np.bincount(REGION_OF_LEVEL, weights=top, minlength=len(REGIONS))
    np.testing.assert_allclose(regions, series[("schwannoma", "level_region")].mean, atol=1e-9)
    assert consecutive.level.sum(axis=1) == pytest.approx(1.0)
    for child, none_value in STRUCTURAL_NONE.items():
        parent_none = values_of(PARENTS[child]).index(none_value)
        assert (consecutive.fields[child][:, parent_none] == 0).all()  # no site without calcium
