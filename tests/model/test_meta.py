"""The random-effects meta-analysis of series counts: it reads merged and partial counts as they
are, recovers known pooled rates and spreads, and its intervals cover new series."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.model.meta import (
    PooledRates,
    _fit_cell,
    dirichlet_multinomial_logpmf,
    fit_series,
    leave_one_series_out,
    observations,
    support,
    value_set,
)
from tumorclf.model.series import SeriesCount, load_series


def _row(field, values, k, n, cohort, kind="consecutive_surgical", cls="schwannoma"):
    return SeriesCount(cls, field, tuple(values), k, n, "PMID:12345678", "q", cohort, kind)


def test_a_series_rows_that_partition_it_are_one_observation_with_the_rest_a_cell():
    rows = [
        _row("compartment", ["intradural_extramedullary"], 80, 100, "A"),
        _row("compartment", ["intramedullary"], 5, 100, "A"),
    ]
    (obs,) = observations(rows, "compartment")
    assert obs.counts == (80, 5, 15) and obs.n == 100
    names = support("compartment")
    assert obs.cells[2] == {names.index("extradural"), names.index("intra_extradural")}


def test_merged_values_and_a_pattern_unstated_enter_as_the_values_they_stand_for():
    assert value_set("compartment", ["intradural_extramedullary", "intramedullary"]) == {0, 3}
    patterns = {
        support("enhancement").index(v) for v in ("homogeneous", "heterogeneous", "peripheral")
    }
    assert value_set("enhancement", ["present"]) == patterns
    assert value_set("age", ["18-39"]) == set(range(18, 40))
    assert value_set("level_region", ["thoracic"]) == {1}


def test_a_junction_counts_in_its_upper_region_and_adds_to_it():
    rows = [
        _row("level_region", ["cervical"], 20, 100, "A"),
        _row("level_region", ["cervical", "thoracic"], 5, 100, "A"),
        _row("level_region", ["thoracic"], 30, 100, "A"),
    ]
    (obs,) = observations(rows, "level_region")
    assert dict(zip(obs.cells, obs.counts, strict=True))[frozenset({0})] == 25


def test_overlapping_rows_are_each_their_own_observation_and_pooled_reviews_none():
    rows = [
        _row("syndrome", ["nf2"], 10, 100, "A"),
        _row("syndrome", ["nf2", "nf1"], 12, 100, "A"),
        _row("syndrome", ["nf2"], 9, 40, "B", kind="pooled_case_reports"),
    ]
    obs = observations(rows, "syndrome")
    assert len(obs) == 2 and all(o.cohort == "A" and len(o.cells) == 2 for o in obs)


def test_the_dirichlet_multinomial_is_the_beta_binomial_for_two_cells():
    from scipy import stats

    counts, alpha = np.array([3.0, 7.0]), np.array([2.0, 5.0])
    ours = dirichlet_multinomial_logpmf(counts, alpha)
    exact = stats.betabinom.logpmf(3, 10, 2.0, 5.0) - np.log(stats.binom.pmf(3, 10, 0.5) * 2**10)
    assert ours == pytest.approx(exact)


def test_known_pooled_rates_and_spread_are_recovered_from_drawn_series():
    """Twelve series drawn from a known Dirichlet-multinomial: the pooled rates within a few
    points, the spread within a factor of two; a flat literature row lends nothing."""
    rng = np.random.default_rng(0)
    mu, phi = np.array([0.6, 0.25, 0.1, 0.05]), 40.0
    rows = []
    for i in range(12):
        n = int(rng.integers(60, 300))
        counts = rng.multinomial(n, rng.dirichlet(phi * mu))
        for value, k in zip(support("compartment"), counts, strict=True):
            rows.append(_row("compartment", [value], int(k), n, f"S{i}"))
    obs = observations(rows, "compartment")
    fitted, spread, covariance = _fit_cell(obs, np.full(4, 0.25), (np.log(20.0), 1.0), 2.0)
    np.testing.assert_allclose(fitted, mu, atol=0.05)
    assert phi / 2 < spread < phi * 2 and covariance is not None


def test_the_predictive_interval_covers_most_new_series():
    rng = np.random.default_rng(1)
    pooled = PooledRates(
        "schwannoma", "dural_tail", np.array([0.9, 0.1]), 30.0, 5, 500, (), False,
        np.diag([0.05]),
    )  # fmt: skip
    low, high = pooled.predictive_interval(frozenset({1}), 80)
    new = rng.binomial(80, rng.beta(30 * 0.1, 30 * 0.9, size=2000)) / 80
    assert 0.9 <= np.mean((new >= low) & (new <= high)) <= 1.0


@pytest.fixture(scope="module")
def fitted(generator):
    rows = load_series(classes=generator.classes_)
    return rows, fit_series(rows, generator.priors)


def test_every_class_field_is_pooled_or_marked_as_an_assumption(fitted):
    _, model = fitted
    for pooled in model.rates.values():
        assert pooled.mean.sum() == pytest.approx(1.0) and (pooled.mean >= 0).all()
        assert pooled.assumption == (pooled.n_series == 0)
    assert model[("hemangioblastoma", "compartment")].n_series >= 2
    assert not model[("mcs", "compartment")].n_series  # MCS: no consecutive series


def test_series_rates_are_the_consecutive_ones(fitted):
    """What consecutive series say of the mimics, as the literature knows it: schwannomas and
    meningiomas are intradural extramedullary, haemangioblastomas mostly intramedullary."""
    _, model = fitted
    names = support("compartment")
    assert model[("schwannoma", "compartment")].mean[names.index("intramedullary")] < 0.05
    assert model[("hemangioblastoma", "compartment")].mean[names.index("intramedullary")] > 0.6
    assert model[("meningioma", "compartment")].mean[names.index("extradural")] < 0.12


def test_leaving_one_series_out_predicts_most_of_it(fitted, generator):
    rows, model = fitted
    held = leave_one_series_out(rows, generator.priors, model)
    assert len(held) >= 100
    assert np.mean([h.inside for h in held]) >= 0.85
