"""CaseEncoder: deterministic, total over missingness, readable names, scikit-learn citizen."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_checks

from tumorclf.features import FEATURE_NAMES, CaseEncoder
from tumorclf.schema import validate

# Checks that exercise the estimator API without feeding it random numeric
# matrices. The encoder's input is cases, not numbers, so the checks built on
# random float arrays do not apply; their intent (idempotence, order and
# subset invariance, pipeline use, pandas output) is tested on cases below.
APPLICABLE_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_no_attributes_set_in_init",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_get_params_invariance",
    "check_set_params",
    "check_parameters_default_constructible",
    "check_mixin_order",
    "check_param_validation",
    "check_transformers_unfitted",
]


@pytest.mark.parametrize("check", APPLICABLE_CHECKS)
def test_sklearn_estimator_checks(check):
    getattr(estimator_checks, check)("CaseEncoder", CaseEncoder())


def _named(row: np.ndarray) -> dict[str, float]:
    return dict(zip(FEATURE_NAMES, row, strict=True))


def test_seed_case_encoding(seed_case):
    features = _named(CaseEncoder().transform(seed_case)[0])
    assert features["age_years"] == 19 and features["age_unknown"] == 0
    assert (features["level_top_index"], features["level_bottom_index"]) == (18, 20)  # T12, L2
    assert features["level_span_segments"] == 3
    assert features["touches_thoracolumbar_junction"] == features["touches_conus_level"] == 1
    assert features["touches_cervical"] == features["touches_sacral"] == 0
    assert features["compartment=intra_extradural"] == 1
    assert features["calcification=punctate"] == 1 and features["dural_tail=no"] == 1
    assert features["dural_attachment=unknown"] == 1


def test_each_field_block_is_one_hot(generator):
    X = CaseEncoder().transform(generator.sample(2000, random_state=0))
    for field in ("sex", "compartment", "dumbbell", "calcification", "t2_signal", "dural_tail"):
        block = [i for i, name in enumerate(FEATURE_NAMES) if name.startswith(field + "=")]
        assert np.array_equal(X[:, block].sum(axis=1), np.ones(len(X)))


def test_all_missing_row_is_encoded_as_unknowns():
    features = _named(CaseEncoder().transform({})[0])
    unknown = {name for name, value in features.items() if value == 1}
    assert unknown == {
        "age_unknown",
        "level_unknown",
        *(n for n in FEATURE_NAMES if n.endswith("=unknown")),
    }
    assert features["level_top_index"] == -1


def test_one_reported_end_of_the_level_counts_as_one_segment():
    features = _named(CaseEncoder().transform({"level_bottom": "C5"})[0])
    assert (features["level_top_index"], features["level_span_segments"]) == (4, 1)
    assert features["touches_cervical"] == 1 and features["level_unknown"] == 0


def test_deterministic_and_same_for_every_input_form(generator):
    frame = generator.sample(300, random_state=2)
    encoder = CaseEncoder()
    first = encoder.transform(frame)
    assert np.array_equal(first, CaseEncoder().transform(frame))
    records = frame.drop(columns=["diagnosis", "source"]).astype(object).where(frame.notna(), None)
    raw = records.to_dict("records")
    assert np.array_equal(first, encoder.transform(raw))  # the large-list path
    assert np.array_equal(first[:10], encoder.transform(raw[:10]))  # the small-batch path
    assert np.array_equal(first[:1], encoder.transform(raw[0]))


def test_row_order_and_subsets_do_not_change_a_row(generator):
    frame = generator.sample(200, random_state=4)
    X = CaseEncoder().transform(frame)
    order = np.random.default_rng(0).permutation(len(frame))
    assert np.array_equal(X[order], CaseEncoder().transform(frame.iloc[order]))
    assert np.array_equal(X[50:60], CaseEncoder().transform(frame.iloc[50:60]))


def test_feature_names_are_readable_and_stable():
    names = list(CaseEncoder().get_feature_names_out())
    assert names[:7] == [
        "age_years",
        "age_unknown",
        "level_top_index",
        "level_bottom_index",
        "level_centre_index",
        "level_span_segments",
        "level_unknown",
    ]
    assert (
        len(names) == len(set(names)) == 90
    )  # schema 1.1: 30 more one-hot columns for its seven fields; 1.2: "present" twice
    assert all(re.fullmatch(r"[a-z0-9_]+(=[A-Za-z0-9_]+)?", n) for n in names)
    assert "dural_tail=yes" in names and "sex=unknown" in names
    assert "enhancement=present" in names and "calcification=present" in names
    assert names == list(CaseEncoder().fit({}).get_feature_names_out())


def test_get_feature_names_out_checks_input_features():
    encoder = CaseEncoder().fit({})
    with pytest.raises(ValueError):
        encoder.get_feature_names_out(["not", "the", "fields"])


def test_fit_is_idempotent_and_learns_nothing_from_data(generator):
    a = CaseEncoder().fit(generator.sample(50, random_state=1))
    b = CaseEncoder().fit({})
    case = {"age": 40, "level": "C4"}
    assert np.array_equal(a.transform(case), b.transform(case))
    assert a.n_features_in_ == b.n_features_in_ == 22


def test_bad_cases_raise_the_schema_error():
    from tumorclf.schema import CaseValidationError

    with pytest.raises(CaseValidationError, match="row 0, field 'age'"):
        CaseEncoder().transform({"age": 240})


def test_works_in_a_pipeline_and_survives_clone_and_pickle(generator):
    frame = generator.sample(700, balance="uniform", random_state=5)
    pipe = make_pipeline(CaseEncoder(), StandardScaler(), LogisticRegression(max_iter=500))
    pipe.fit(frame, frame["diagnosis"])
    proba = pipe.predict_proba(frame.iloc[:5])
    assert np.allclose(proba.sum(axis=1), 1)
    assert np.array_equal(pickle.loads(pickle.dumps(pipe)).predict_proba(frame.iloc[:5]), proba)
    assert clone(pipe).get_params().keys() == pipe.get_params().keys()


def test_pandas_output_carries_the_feature_names(seed_case):
    out = CaseEncoder().set_output(transform="pandas").fit({}).transform(validate(seed_case))
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(FEATURE_NAMES)


@pytest.mark.parametrize(
    ("encoding", "width"), [("compact", 90), ("full", 222), ("categories", 18)]
)
def test_encodings_have_their_documented_width_and_unique_names(encoding, width, seed_case):
    encoder = CaseEncoder(encoding=encoding)
    names = encoder.get_feature_names_out()
    assert len(names) == len(set(names)) == width
    assert encoder.transform(seed_case).shape == (1, width)


def test_full_encoding_one_hot_pairs(seed_case):
    from tumorclf.features import FULL_FEATURE_NAMES

    row = dict(
        zip(FULL_FEATURE_NAMES, CaseEncoder(encoding="full").transform(seed_case)[0], strict=True)
    )
    assert row["compartment=intra_extradural&dumbbell=yes"] == 1
    assert row["calcification=punctate&enhancement=homogeneous"] == 1
    assert row["dural_attachment=unknown&dural_tail=no"] == 1
    assert row["level_top=T12"] == 1 and row["level_span=3"] == 1 and row["age_band=10-19"] == 1
    pair_columns = [n for n in FULL_FEATURE_NAMES if "&" in n]
    assert sum(row[n] for n in pair_columns) == 4


def test_categories_stay_within_their_counts(generator):
    from tumorclf.features import CATEGORY_COUNTS

    X = CaseEncoder(encoding="categories").transform(generator.sample(3000, random_state=0))
    assert (X >= 0).all() and (X < np.array(CATEGORY_COUNTS)).all()
    assert (X == np.floor(X)).all()
    empty = CaseEncoder(encoding="categories").transform({})[0]
    assert np.array_equal(empty, np.array(CATEGORY_COUNTS) - 1)  # every group's "unknown"


def test_an_unknown_encoding_is_refused():
    with pytest.raises(ValueError, match="'encoding' parameter of CaseEncoder must be"):
        CaseEncoder(encoding="sparse").fit({})
