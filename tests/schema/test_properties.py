"""Property tests: any valid case gives a clean distribution; any invalid value, the schema's
error."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumorclf.schema import (
    BOOLEAN_FIELDS,
    CATEGORICAL_FIELDS,
    LEVELS,
    CaseValidationError,
    to_arrays,
    validate,
)
from tumorclf.schema.vocabulary import MISSING_SPELLINGS, SYNONYMS

MISSING = st.sampled_from([None, float("nan"), *sorted(MISSING_SPELLINGS), "N/A", " Unknown "])


def categorical(field: str) -> st.SearchStrategy:
    spellings = [*CATEGORICAL_FIELDS[field], *SYNONYMS.get(field, {})]
    return st.one_of(
        MISSING, st.sampled_from(spellings).map(lambda s: s.upper() if len(s) < 4 else s)
    )


BOOLEAN = st.one_of(
    MISSING,
    st.booleans(),
    st.sampled_from(["yes", "No", "+", "-", "1", "0", "true", "FALSE", 1, 0]),
)
AGE = st.one_of(
    MISSING,
    st.floats(0, 100, allow_nan=False),
    st.integers(0, 100),
    st.integers(0, 100).map(lambda a: f"{a} y"),
)


@st.composite
def valid_case(draw) -> dict:
    case: dict = {}
    fields = [
        "age",
        "sex",
        "compartment",
        "enhancement",
        "calcification",
        "t2_signal",
        *BOOLEAN_FIELDS,
    ]
    for field in draw(st.lists(st.sampled_from(fields), unique=True)):
        case[field] = draw(
            AGE if field == "age" else BOOLEAN if field in BOOLEAN_FIELDS else categorical(field)
        )
    if draw(st.booleans()):
        top = draw(st.integers(0, len(LEVELS) - 1))
        bottom = draw(st.integers(top, len(LEVELS) - 1))
        case["level"] = LEVELS[top] if top == bottom else f"{LEVELS[top]}-{LEVELS[bottom]}"
    calcified = str(case.get("calcification", "")).lower() not in {
        "none",
        "no",
        "absent",
        "-",
        "\u2013",
    }
    if calcified and draw(st.booleans()):
        case["calcification_site"] = draw(categorical("calcification_site"))
    return case


@pytest.fixture(scope="module")
def classifier(generator):
    from tumorclf.prediction import Classifier

    from ..conftest import fit_candidate

    return Classifier(*fit_candidate(generator, "logistic_regression"))


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cases=st.lists(valid_case(), min_size=1, max_size=20),
    prior=st.sampled_from([None, "clinical", "uniform"]),
)
def test_valid_cases_give_finite_probabilities_that_sum_to_one(classifier, cases, prior):
    proba = classifier.predict_proba(cases, prior=prior)
    assert list(proba.columns) == classifier.classes_
    values = proba.to_numpy()
    assert values.shape == (len(cases), 7)
    assert np.isfinite(values).all() and (values >= 0).all()
    assert np.allclose(values.sum(axis=1), 1)
    one = classifier.predict_case(cases[0], prior=prior)
    assert math.isclose(sum(one.probabilities.values()), 1.0, rel_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(case=valid_case())
def test_valid_cases_round_trip_through_validation(case):
    frame = validate(case)
    assert np.array_equal(to_arrays(frame).codes, to_arrays(case).codes)


WEIRD = st.one_of(
    st.text(min_size=1, max_size=12).filter(lambda s: s.strip().lower() not in MISSING_SPELLINGS),
    st.floats(allow_nan=False).filter(lambda x: not 0 <= x <= 100),
    st.integers().filter(lambda x: not 0 <= x <= 100),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2),
    st.binary(min_size=1, max_size=4),
)


def _accepted(field: str, value) -> bool:
    """Whether the schema would take the value after all (a random text can be a real spelling)."""
    try:
        validate({field: value})
        return True
    except CaseValidationError:
        return False


@settings(max_examples=400, deadline=None)
@given(
    field=st.sampled_from(
        [
            "age",
            "sex",
            "level",
            "level_top",
            "compartment",
            "enhancement",
            "calcification",
            "t2_signal",
            *BOOLEAN_FIELDS,
        ]
    ),
    value=WEIRD,
    row=st.integers(0, 5),
)
def test_invalid_values_raise_the_schema_error_naming_row_field_and_value(field, value, row):
    if _accepted(field, value):
        return
    cases = [{} for _ in range(row)] + [{field: value}]
    with pytest.raises(CaseValidationError) as caught:
        validate(cases)
    message = str(caught.value)
    assert f"row {row}, field {field!r}" in message
    assert repr(value)[:40] in message
    assert "allowed:" in message
