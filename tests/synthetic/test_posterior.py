"""The oracle: exact, normalised, marginalises correctly, and matches the sampler."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp

from tumorclf.model.structure import AGES
from tumorclf.schema import CODE_COLUMN, CODE_VALUES, to_arrays
from tumorclf.schema.vocabulary import COARSE_VALUES


def test_seed_case_gets_a_full_distribution_over_the_seven_classes(generator, seed_case):
    post = generator.posterior(seed_case)
    assert list(post.columns) == list(generator.classes_) and len(post.columns) == 7
    assert np.isclose(post.sum(axis=1).iloc[0], 1)
    assert (post.iloc[0] > 0).all()
    # The paper's sign set (punctate calcification, homogeneous enhancement,
    # no tail, young, dumbbell) puts MCS first even at its clinical rarity.
    assert post.idxmax(axis=1).iloc[0] == "mcs"


def test_posteriors_sum_to_one_for_sampled_cases(generator):
    frame = generator.sample(5_000, balance="uniform", random_state=1)
    post = generator.posterior(frame)
    assert np.allclose(post.sum(axis=1), 1)
    assert np.isfinite(post.to_numpy()).all()


def test_an_empty_case_read_as_entered_is_the_prior(generator):
    for prior in ("clinical", "uniform"):
        post = generator.posterior({}, prior=prior)
        assert np.allclose(post.iloc[0], generator.class_weights(prior))
        assert post.attrs["reading"] == "as_entered"


def test_an_empty_row_read_as_published_moves_the_prior_only_through_structural_silence(generator):
    # In the literature model every field is stated at one rate whatever its value
    # and class; only a calcification site goes unstated more often in classes that
    # calcify less, since without calcification there is no site to state.
    none = generator.findings.fields["calcification"][:, 0]
    rate = generator.reporting.fields["calcification_site"][0, 0]
    silent_site = none + (1 - none) * (1 - rate)
    for prior in ("clinical", "uniform"):
        weights = generator.class_weights(prior) * silent_site
        post = generator.posterior({}, prior=prior, reading="as_published")
        assert np.allclose(post.iloc[0], weights / weights.sum())


def test_prior_enters_by_bayes_rule(generator, seed_case):
    clinical = generator.posterior(seed_case, prior="clinical").iloc[0].to_numpy()
    uniform = generator.posterior(seed_case, prior="uniform").iloc[0].to_numpy()
    reweighted = uniform * generator.clinical_prior_
    assert np.allclose(clinical, reweighted / reweighted.sum())


def test_ids_are_kept(generator):
    post = generator.posterior([{"id": "a", "age": 20}, {"id": "b", "age": 70}])
    assert post.index.tolist() == ["a", "b"]


def _log_evidence(generator, arrays, prior="uniform"):
    log_prior = np.log(generator.class_weights(prior))
    return logsumexp(generator.log_likelihood(arrays, "as_entered") + log_prior, axis=1)


def _with_code(arrays, field, code):
    codes = arrays.codes.copy()
    codes[:, CODE_COLUMN[field]] = code
    return type(arrays)(age=arrays.age, codes=codes)


@pytest.mark.parametrize(
    ("field", "case"),
    [
        ("compartment", {"dumbbell": True, "age": 30}),  # a parent, its child reported
        ("calcification", {"calcification_site": "peripheral"}),
        ("dural_attachment", {"dural_tail": True}),
        ("dumbbell", {"compartment": "extradural"}),  # a child, its parent reported
        ("t2_signal", {"sex": "F"}),  # an independent field
        ("level_top", {"level_bottom": "L2"}),
    ],
)
def test_marginalising_a_field_equals_averaging_over_its_values(generator, field, case):
    """Read as entered, a field left out is summed over its values: p(x) = sum_v p(x, f=v)."""
    without = to_arrays(case)
    evidence = _log_evidence(generator, without)[0]
    # The values a tumour may have: a coarse statement ("present") is not one of them.
    values = range(len(CODE_VALUES[field]) - len(COARSE_VALUES.get(field, {})))
    per_value = np.array(
        [_log_evidence(generator, _with_code(without, field, v))[0] for v in values]
    )
    # One end of a level alone is the sum over the other end.
    assert np.isclose(logsumexp(per_value), evidence)
    # p(c | x) = sum_v p(f=v | x) p(c | x, f=v)
    weights = np.exp(per_value - evidence)
    assert (weights > 0).any()
    weights /= weights.sum()
    posterior = lambda arrays: generator.posterior_array(arrays, "uniform", reading="as_entered")[0]  # noqa: E731
    mixed = sum(
        w * posterior(_with_code(without, field, v))
        for w, v in zip(weights, values, strict=True)
        if w > 0
    )  # impossible values weigh 0
    assert np.allclose(mixed, posterior(without))


def test_marginalising_age_sums_over_whole_years(generator, seed_case):
    del seed_case["age"]
    without = to_arrays(seed_case)
    evidence = _log_evidence(generator, without)[0]
    per_age = [
        _log_evidence(generator, type(without)(age=np.array([float(a)]), codes=without.codes))[0]
        for a in AGES
    ]
    assert np.isclose(logsumexp(per_age), evidence)


PATTERNS = [
    {"calcification": "punctate", "dural_tail": False},
    {"compartment": "intramedullary", "flow_voids": True},
    {"level_top": "L1", "dumbbell": True},
    {"age": 19, "sex": "M"},
    {"calcification_site": "peripheral"},
    {"dural_tail": True},
    {"enhancement": "heterogeneous", "t2_signal": "hyper", "cystic_change": False},
]


@pytest.fixture(scope="module")
def big_sample(generator):
    return generator.sample_arrays(
        1_400_000, balance="uniform", random_state=2024, missingness="none"
    )


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: "+".join(p))
def test_posterior_matches_monte_carlo_frequencies(generator, big_sample, pattern):
    query = to_arrays(pattern)
    match = np.ones(len(big_sample), dtype=bool)
    for name in pattern:
        if name == "age":
            match &= big_sample.age == query.age[0]
        else:
            match &= big_sample.column(name) == query.column(name)[0]
    m = int(match.sum())
    assert m > 2_000, "pattern too rare for a Monte Carlo check"
    labels = big_sample.labels[match]
    observed = np.array([(labels == c).mean() for c in generator.classes_])
    expected = (
        generator.posterior(pattern, prior="uniform", reading="as_entered").iloc[0].to_numpy()
    )
    se = np.sqrt(expected * (1 - expected) / m)
    assert (np.abs(observed - expected) <= 5 * se + 1e-3).all(), (
        observed.round(4),
        expected.round(4),
    )


def test_oracle_beats_chance_on_its_own_samples(generator):
    arrays = generator.sample_arrays(20_000, balance="uniform", random_state=3)
    post = generator.posterior_array(arrays, "uniform")
    accuracy = (np.asarray(generator.classes_)[post.argmax(axis=1)] == arrays.labels).mean()
    assert accuracy > 0.5  # chance is 1/7


@pytest.mark.parametrize("reading", ["as_entered", "as_published"])
@pytest.mark.parametrize(
    ("field", "case"),
    [
        ("enhancement", {"age": 19, "calcification": "punctate", "dural_tail": False}),
        ("calcification", {"age": 40, "enhancement": "heterogeneous", "dural_tail": True}),
    ],
)
def test_a_finding_without_its_pattern_is_the_sum_over_the_patterns(
    generator, field, case, reading
):
    """Schema 1.2's "present": p(x, present | c) = sum over the values it stands for of
    p(x, v | c), in both readings (a statement of one of them, whichever)."""
    coarse = generator.log_likelihood({**case, field: "present"}, reading)[0]
    members = COARSE_VALUES[field]["present"]
    each = np.array([generator.log_likelihood({**case, field: v}, reading)[0] for v in members])
    np.testing.assert_allclose(coarse, logsumexp(each, axis=0), rtol=1e-10)
    others = [v for v in CODE_VALUES[field] if v not in (*members, "present")]
    with_others = np.array(
        [generator.log_likelihood({**case, field: v}, reading)[0] for v in (*members, *others)]
    )
    assert (logsumexp(with_others, axis=0) > coarse + 1e-6).all()  # "none" is not in the sum
