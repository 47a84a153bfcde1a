"""Validation: canonical output, paper spellings, and one error listing every problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tumorclf.case_io import read_cases_csv, write_cases_csv
from tumorclf.schema import FIELDS, CaseValidationError, to_arrays, validate
from tumorclf.schema.vocabulary import FIELDS_ADDED_IN_1_1

SEED_CASE_AS_PAPER_WRITES_IT = {
    "Age": "19 y",
    "sex": "male",
    "level": "T12–L2",
    "compartment": "I&ED",
    "dumbbell": "+",
    "enhancement": "Homogenous",
    "calcification": "punctuate",
    "dural_tail": "-",
    "dural_attachment": "N/A",
}


def test_paper_spellings_normalise_to_canonical_values():
    row = validate(SEED_CASE_AS_PAPER_WRITES_IT).iloc[0]
    assert row["age"] == 19.0
    assert row["sex"] == "M"
    assert (row["level_top"], row["level_bottom"]) == ("T12", "L2")
    assert row["compartment"] == "intra_extradural"
    assert row["dumbbell"] is np.True_ or row["dumbbell"] is True
    assert row["enhancement"] == "homogeneous"
    assert row["calcification"] == "punctate"
    assert not row["dural_tail"]
    assert pd.isna(row["dural_attachment"])


@pytest.mark.parametrize(
    ("raw", "field", "expected"),
    [
        ("ED", "compartment", "extradural"),
        ("IDEM", "compartment", "intradural_extramedullary"),
        ("intra- and extradural", "compartment", "intra_extradural"),
        ("yes", "flow_voids", True),
        ("0", "cystic_change", False),
        ("rings and arcs", "calcification", "rings_arcs"),
        ("hyperintense", "t2_signal", "hyper"),
        ("F", "sex", "F"),
        # spellings met in the real-case corpus (data/README.md)
        ("intra-dural, extra-medullary", "compartment", "intradural_extramedullary"),
        ("intradural extra-axial", "compartment", "intradural_extramedullary"),
        ("extra- and intradural", "compartment", "intra_extradural"),
        ("patchy", "enhancement", "heterogeneous"),
        ("ossified", "calcification", "massive"),
    ],
)
def test_single_spellings(raw, field, expected):
    assert validate({field: raw}).loc[0, field] == expected


@pytest.mark.parametrize(
    ("level", "top", "bottom"),
    [
        ("T7", "T7", "T7"),
        ("t12-l2", "T12", "L2"),
        ("T3-4", "T3", "T4"),
        ("L5 – S1", "L5", "S1"),
        ("T12-L2 (I&ED)", "T12", "L2"),
        ("Th12-L1", "T12", "L1"),
        ("D7-D8", "T7", "T8"),
        ("TH5-TH6", "T5", "T6"),
        ("Th 3", "T3", "T3"),
        ("C4/5", "C4", "C5"),
        ("L5/S1", "L5", "S1"),
        ("Th2~Th3", "T2", "T3"),
        ("L2\u223cL5", "L2", "L5"),
    ],
)
def test_level_shorthand(level, top, bottom):
    row = validate({"level": level}).iloc[0]
    assert (row["level_top"], row["level_bottom"]) == (top, bottom)


@pytest.mark.parametrize("missing", [None, "", "N/A", "n/a", "unknown", float("nan"), pd.NA])
def test_missing_spellings_mean_not_reported(missing):
    frame = validate({"age": missing, "sex": missing, "dural_tail": missing})
    assert frame[["age", "sex", "dural_tail"]].isna().all(axis=None)


def test_output_has_every_field_with_canonical_dtypes_and_keeps_id():
    frame = validate([{"id": "a", "age": 30}, {"id": "b"}])
    assert list(frame.columns) == ["id", *FIELDS]
    assert frame["id"].tolist() == ["a", "b"]
    assert isinstance(frame["level_top"].dtype, pd.CategoricalDtype)
    assert frame["level_top"].dtype.ordered
    assert isinstance(frame["dural_tail"].dtype, pd.BooleanDtype)


def test_every_input_form_gives_the_same_frame(seed_case):
    as_dict = validate(seed_case)
    as_list = validate([seed_case])
    as_frame = validate(pd.DataFrame([seed_case]))
    pd.testing.assert_frame_equal(as_dict, as_list)
    pd.testing.assert_frame_equal(as_dict, as_frame)


def test_round_trip_through_csv(tmp_path, generator):
    original = generator.sample(300, balance="uniform", random_state=3)
    path = tmp_path / "cases.csv"
    write_cases_csv(original, path)
    again = validate(read_cases_csv(path), classes=generator.classes_)
    pd.testing.assert_frame_equal(
        original.reset_index(drop=True), again.reset_index(drop=True), check_dtype=True
    )


def test_validated_frame_validates_to_itself(generator):
    frame = generator.sample(200, random_state=1)
    pd.testing.assert_frame_equal(validate(frame, classes=generator.classes_), frame)


BAD_VALUES = [
    ({"age": 240}, "age", 240, "out of range", "years from 0 to 100"),
    ({"age": "old"}, "age", "old", "not a number of years", "years from 0 to 100"),
    ({"age": True}, "age", True, "not a number of years", "years from 0 to 100"),
    ({"level": "T13"}, "level", "T13", "not a vertebral level", "T7"),
    ({"level_top": "T13"}, "level_top", "T13", "not a vertebral level", "C1-C7, T1-T12"),
    ({"level": "L2-T12"}, "level", "L2-T12", "top below its bottom", "T12-L2"),
    (
        {"level_top": "L2", "level_bottom": "T12"},
        "level_bottom",
        "T12",
        "above level_top L2",
        "at or below L2",
    ),
    (
        {"level": "T7", "level_top": "T8"},
        "level_top",
        "T8",
        "contradicts level T7-T7",
        "same level",
    ),
    ({"sex": "X"}, "sex", "X", "not one of the allowed values", "M, F"),
    (
        {"compartment": "subdural"},
        "compartment",
        "subdural",
        "not one of the allowed",
        "intramedullary",
    ),
    ({"enhancement": "glowing"}, "enhancement", "glowing", "not one of the allowed", "homogeneous"),
    ({"calcification": "++"}, "calcification", "++", "not one of the allowed", "punctate"),
    ({"dural_tail": "maybe"}, "dural_tail", "maybe", "not a yes/no value", "true/false"),
    ({"dural_tail": 2}, "dural_tail", 2, "not a yes/no value", "true/false"),
    (
        {"calcification": "none", "calcification_site": "central"},
        "calcification_site",
        "central",
        "calcification is 'none'",
        "no site",
    ),
    ({"diagnosis": "glioma"}, "diagnosis", "glioma", "not one of the classes", "mcs"),
]


@pytest.mark.parametrize(("case", "field", "value", "reason", "allowed"), BAD_VALUES)
@pytest.mark.parametrize("form", ["dict", "frame"])
def test_each_bad_value_names_row_field_value_and_allowed(
    case, field, value, reason, allowed, form, generator
):
    # The row-wise path (a dict) and the column-wise path (a large frame) must agree.
    filler = {"diagnosis": "mcs"} if "diagnosis" in case else {}
    cases = case if form == "dict" else pd.DataFrame([filler] * 99 + [case])
    row = 0 if form == "dict" else 99
    with pytest.raises(CaseValidationError) as caught:
        validate(cases, classes=generator.classes_)
    error = caught.value
    assert isinstance(error, ValueError)
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert (problem.row, problem.field) == (row, field)
    assert problem.value == value or str(problem.value) == str(value)
    message = str(error)
    assert f"row {row}, field {field!r}" in message
    assert reason in message
    assert allowed in message


def test_unknown_column_is_named_once_with_the_allowed_columns():
    with pytest.raises(
        CaseValidationError, match=r"column 'tumour_size' is not a field.*allowed: age, sex"
    ):
        validate([{"tumour_size": 3}, {"tumour_size": 4}])


def test_batch_reports_every_bad_row_in_one_error():
    cases = [{"age": 240}, {"age": 30}, {"level": "T13", "sex": "?!"}, {"dural_tail": "perhaps"}]
    with pytest.raises(CaseValidationError) as caught:
        validate(cases)
    problems = caught.value.problems
    assert [(p.row, p.field) for p in problems] == [
        (0, "age"),
        (2, "sex"),
        (2, "level"),
        (3, "dural_tail"),
    ]
    assert caught.value.rows == [0, 2, 3]


def test_large_batch_message_shows_the_first_problems_and_summarises_the_rest():
    frame = pd.DataFrame({"age": ["200"] * 5000, "sex": ["Q"] * 5000})
    with pytest.raises(CaseValidationError) as caught:
        validate(frame)
    message = str(caught.value)
    assert message.startswith("10,000 problems in the cases (5,000 rows affected)")
    assert "... and 9,980 more ('age': " in message
    assert len(message.splitlines()) == 22


def test_csv_errors_name_the_line_of_the_file(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("age,sex\n30,M\n240,F\n", encoding="utf-8")
    with pytest.raises(CaseValidationError, match=r"line 3, field 'age': '240' is out of range"):
        validate(read_cases_csv(path))


def test_arrays_code_missing_as_minus_one():
    arrays = to_arrays({})
    assert np.isnan(arrays.age).all()
    assert (arrays.codes == -1).all()


@pytest.mark.parametrize("not_cases", ["age=19", 19.5, True, None, b"age"])
def test_not_cases_is_a_type_error_and_the_schemas_error(not_cases):
    with pytest.raises(TypeError, match="dict, a list of dicts or a DataFrame"):
        validate(not_cases)
    with pytest.raises(CaseValidationError, match="dict, a list of dicts or a DataFrame"):
        validate(not_cases)


# -- schema 1.1 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (28, "2_to_4cm"),
        ("28 mm", "2_to_4cm"),
        ("2.8 cm", "2_to_4cm"),
        ("3.2 x 2.1 x 1.5 cm", "2_to_4cm"),
        (19.9, "under_2cm"),
        ("45mm", "4_to_6cm"),
        ("6 cm", "6cm_or_more"),
        ("4_to_6cm", "4_to_6cm"),
        ("<2 cm", "under_2cm"),
    ],
)
def test_a_size_reads_as_its_bin(raw, expected):
    assert validate({"size": raw}).iloc[0]["size"] == expected


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("syndrome", "von Hippel-Lindau", "vhl"),
        ("syndrome", "NF-1", "nf1"),
        ("syndrome", "sporadic", "none"),
        ("named_site", "filum", "filum_terminale"),
        ("named_site", "Conus", "conus_medullaris"),
        ("t1_signal", "hypointense", "hypo"),
        ("syrinx", "yes", True),
        ("haemorrhage", "-", False),
        ("multiple_lesions", "true", True),
    ],
)
def test_the_new_fields_accept_paper_spellings(field, raw, expected):
    assert validate({field: raw}).iloc[0][field] == expected


def test_a_bad_new_value_is_named_with_what_is_allowed():
    with pytest.raises(CaseValidationError) as caught:
        validate([{"size": "huge"}, {"syndrome": "NF3"}])
    message = str(caught.value)
    assert "size" in message and "'huge'" in message and "2.8 cm" in message
    assert "syndrome" in message and "'NF3'" in message and "vhl" in message


def test_a_schema_1_0_file_reads_unchanged(tmp_path):
    """A CSV written before 1.1 has none of the new columns: every new field reads as not given."""
    old = tmp_path / "old.csv"
    old.write_text("age,sex,level,compartment,dural_tail\n19,M,T12-L2,I&ED,no\n", encoding="utf-8")
    frame = read_cases_csv(old)
    row = validate(frame).iloc[0]
    assert row["compartment"] == "intra_extradural"
    for name in FIELDS_ADDED_IN_1_1:
        assert pd.isna(row[name])
