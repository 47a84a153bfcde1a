"""The shipped real cases: valid, labelled, cited, and faithful to the seed's Table 1."""

from __future__ import annotations

from tumorclf.case_io import read_cases_csv
from tumorclf.paths import default_real_cases_path
from tumorclf.schema import validate


def test_real_cases_validate_and_are_cited(generator):
    frame = validate(read_cases_csv(default_real_cases_path()), classes=generator.classes_)
    assert len(frame) == 8
    assert (frame["diagnosis"] == "mcs").all()
    assert frame["id"].is_unique
    assert frame["source"].str.contains("Chen & Lai 2022").all()


def test_seed_case_row_matches_the_paper(generator):
    frame = validate(read_cases_csv(default_real_cases_path()), classes=generator.classes_)
    seed = frame.set_index("id").loc["chenlai2022"]
    assert seed["age"] == 19 and seed["sex"] == "M"
    assert (seed["level_top"], seed["level_bottom"]) == ("T12", "L2")
    assert seed["compartment"] == "intra_extradural" and seed["calcification"] == "punctate"
    assert seed["enhancement"] == "homogeneous" and not seed["dural_tail"]


def test_table_one_ages_give_the_papers_mean(generator):
    frame = validate(read_cases_csv(default_real_cases_path()), classes=generator.classes_)
    assert round(frame["age"].mean(), 1) == 22.6  # "a mean age of 22.6 years"
