"""The sampler reproduces every configured distribution and is seeded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tumorclf.model.structure import (
    AGES,
    PARENTS,
    ROOT_FIELDS,
    TABLE_FIELDS,
    sampling_order,
    statements,
)
from tumorclf.schema import CODE_COLUMN, LEVELS

N_PER_CLASS = 50_000


def within_tolerance(observed: np.ndarray, expected: np.ndarray, m: int) -> np.ndarray:
    """Frequencies from ``m`` draws agree with ``expected`` to 5 binomial standard errors.

    With a few hundred comparisons, 5 SE keeps the chance of a false alarm
    under 1e-4 while catching any real mismatch of a few per cent.
    """
    se = np.sqrt(expected * (1 - expected) / m)
    return np.abs(observed - expected) <= 5 * se + 1.0 / m


@pytest.fixture(scope="module")
def complete_sample(generator):
    """A large balanced sample with every field reported."""
    n = N_PER_CLASS * len(generator.classes_)
    arrays = generator.sample_arrays(n, balance="uniform", random_state=11, missingness="none")
    return arrays, pd.Index(generator.classes_).get_indexer(arrays.labels)


def frequencies(codes: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(codes, minlength=k) / max(len(codes), 1)


def test_root_fields_match_their_tables(generator, complete_sample):
    arrays, labels = complete_sample
    for name in ROOT_FIELDS:
        table = generator.priors.tables[name]
        for c in range(len(generator.classes_)):
            codes = arrays.column(name)[labels == c]
            assert within_tolerance(
                frequencies(codes, table.shape[1]), table[c], len(codes)
            ).all(), (name, c)


def test_children_match_their_conditional_tables(generator, complete_sample):
    arrays, labels = complete_sample
    for child, parent in PARENTS.items():
        table = generator.priors.tables[child]
        checked = 0
        for c in range(len(generator.classes_)):
            for k in range(table.shape[1]):
                rows = (labels == c) & (arrays.column(parent) == k)
                if rows.sum() < 200:
                    continue
                codes = arrays.column(child)[rows]
                if table[c, k].sum() == 0:
                    assert (codes == -1).all()
                else:
                    assert within_tolerance(
                        frequencies(codes, table.shape[2]), table[c, k], len(codes)
                    ).all(), (child, c, k)
                checked += 1
        assert checked >= len(generator.classes_), child


def test_levels_match_the_joint_table(generator, complete_sample):
    arrays, labels = complete_sample
    joint = generator.priors.level_joint
    top, bottom = arrays.column("level_top"), arrays.column("level_bottom")
    assert (top <= bottom).all()
    for c in range(len(generator.classes_)):
        m = (labels == c).sum()
        assert within_tolerance(
            frequencies(top[labels == c], len(LEVELS)), joint[c].sum(axis=1), m
        ).all()
        span = (bottom - top)[labels == c]
        expected_span = np.array([np.trace(joint[c], offset=s) for s in range(len(LEVELS))])
        assert within_tolerance(frequencies(span, len(LEVELS)), expected_span, m).all()


def test_ages_match_the_mixture(generator, complete_sample):
    arrays, labels = complete_sample
    decades = np.minimum(AGES // 10, 9)
    for c in range(len(generator.classes_)):
        ages = arrays.age[labels == c].astype(int)
        assert set(np.unique(ages)) <= set(AGES)
        observed = np.bincount(np.minimum(ages // 10, 9), minlength=10) / len(ages)
        expected = np.bincount(decades, weights=generator.priors.age_pmf[c], minlength=10)
        assert within_tolerance(observed, expected, len(ages)).all(), c


def test_missingness_rates(generator):
    arrays = generator.sample_arrays(200_000, balance="uniform", random_state=5)
    rates = generator.priors.missing
    n = len(arrays)
    assert within_tolerance(np.isnan(arrays.age).mean(), rates["age"], n)
    top, bottom = arrays.column("level_top"), arrays.column("level_bottom")
    assert np.array_equal(top < 0, bottom < 0)  # the level is reported whole or not at all
    assert within_tolerance((top < 0).mean(), rates["level"], n)
    for name in TABLE_FIELDS:
        codes = arrays.column(name)
        if name == "calcification_site":
            calcified = arrays.column("calcification") > 0
            assert within_tolerance((codes[calcified] < 0).mean(), rates[name], calcified.sum()), (
                name
            )
            assert (codes[arrays.column("calcification") == 0] < 0).all()
        else:
            assert within_tolerance((codes < 0).mean(), rates[name], n), name


def test_published_masking_states_each_value_at_its_styles_rate(generator):
    """A known two-style reporting model: each value is stated at the mixture of its styles'
    rates."""
    from tumorclf.model.structure import ReportingModel
    from tumorclf.synthetic import CaseGenerator

    k = {name: generator.findings.fields[name].shape[-1] for name in TABLE_FIELDS}
    rates = {
        name: np.stack([np.linspace(0.1, 0.9, k[name]), np.full(k[name], 0.95)])
        for name in TABLE_FIELDS
    }
    reporting = ReportingModel(
        ("case_report", "tabulated"),
        np.array([0.6, 0.4]),
        np.array([0.8, 1.0]),
        np.array([0.5, 0.9]),
        rates,
    )
    known = CaseGenerator(generator.priors, generator.findings, reporting)
    masked = known.sample_arrays(120_000, balance="uniform", random_state=8)
    complete = known.sample_arrays(120_000, balance="uniform", random_state=8, missingness="none")
    assert np.array_equal(masked.labels, complete.labels)  # the same draws, then masked
    n = len(masked)
    assert within_tolerance(1 - np.isnan(masked.age).mean(), 0.6 * 0.8 + 0.4 * 1.0, n)
    for name in ("flow_voids", "calcification", "t2_signal"):
        for value in range(k[name]):
            present = complete.column(name) == value
            # stated as the value itself, or in a coarse form that stands for it ("present")
            forms = {value, *(k[name] + np.flatnonzero(statements(name)[k[name] :, value]))}
            stated = np.isin(masked.column(name)[present], list(forms)).mean()
            expected = 0.6 * rates[name][0, value] + 0.4 * 0.95
            assert within_tolerance(stated, expected, present.sum()), (name, value)
            assert set(np.unique(masked.column(name)[present])) <= {-1, *forms}


def test_entered_masking_says_nothing_about_the_class(generator):
    arrays = generator.sample_arrays(
        140_000, balance="uniform", random_state=6, missingness="as_entered"
    )
    labels = pd.Index(generator.classes_).get_indexer(arrays.labels)
    for name in ("dural_tail", "calcification", "t2_signal", "cystic_change"):
        silent = arrays.column(name) < 0
        per_class = np.array([silent[labels == c].mean() for c in range(len(generator.classes_))])
        overall = silent.mean()
        assert within_tolerance(per_class, overall, (labels == 0).sum()).all(), name
    # Each case keeps its fields with its own completeness: some nearly empty, some nearly whole.
    stated = (arrays.codes >= 0).sum(axis=1)
    assert stated.min() <= 3 and stated.max() == arrays.codes.shape[1]


def test_an_unknown_missingness_is_refused(generator):
    with pytest.raises(ValueError, match="'missingness' parameter must be one of"):
        generator.sample(10, missingness="sometimes")


def test_same_seed_same_frame_other_seed_other_frame(generator):
    a = generator.sample(5_000, random_state=42)
    b = generator.sample(5_000, random_state=42)
    c = generator.sample(5_000, random_state=43)
    pd.testing.assert_frame_equal(a, b)
    assert not a.drop(columns="source").equals(c.drop(columns="source"))


@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        ("uniform", [100] * 7),
        (
            {
                "mcs": 1,
                "schwannoma": 1,
                "meningioma": 2,
                "neurofibroma": 0,
                "hemangioblastoma": 0,
                "myxopapillary_ependymoma": 0,
                "solitary_fibrous_tumor": 0,
            },
            [175, 175, 350, 0, 0, 0, 0],
        ),
    ],
)
def test_balance_sets_exact_class_counts(generator, balance, expected):
    frame = generator.sample(700, balance=balance, random_state=0)
    counts = frame["diagnosis"].value_counts().reindex(list(generator.classes_), fill_value=0)
    assert counts.tolist() == expected


def test_clinical_balance_follows_prevalence(generator):
    frame = generator.sample(10_000, random_state=0)
    shares = frame["diagnosis"].value_counts(normalize=True).reindex(list(generator.classes_))
    assert np.allclose(shares.to_numpy(), generator.clinical_prior_, atol=1e-4)


def test_sampled_rows_are_valid_cases_and_flagged_synthetic(generator):
    from tumorclf.schema import validate

    frame = generator.sample(3_000, balance="uniform", random_state=9)
    assert frame["source"].str.startswith("synthetic").all()
    pd.testing.assert_frame_equal(validate(frame, classes=generator.classes_), frame)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": -1}, "'n' parameter must be a non-negative integer"),
        ({"n": 10, "balance": "skewed"}, "'balance' parameter must be one of"),
        ({"n": 10, "balance": {"glioma": 1}}, "unknown class"),
    ],
)
def test_bad_sampling_arguments(generator, kwargs, message):
    with pytest.raises(ValueError, match=message):
        generator.sample(**kwargs)


def test_structure_constants_are_consistent():
    assert set(sampling_order(PARENTS)) == set(TABLE_FIELDS)
    for child, parent in PARENTS.items():  # a parent is drawn before its children
        assert sampling_order(PARENTS).index(parent) < sampling_order(PARENTS).index(child)
    assert all(f in CODE_COLUMN for f in (*ROOT_FIELDS, *PARENTS))
