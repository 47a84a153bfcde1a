"""The shipped real cases: every row valid, labelled, cited, quoted, and one patient once."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tumorclf.case_io import read_cases_csv
from tumorclf.paths import default_real_cases_path
from tumorclf.schema import validate

#: A traceable reference: a PMID, a DOI or a web address, or else a year in a journal citation.
TRACEABLE = re.compile(r"PMID|doi|10\.\d{4,}/|https?://|\b(19|20)\d\d\b", re.IGNORECASE)
QUOTE_WORDS = 25


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return read_cases_csv(default_real_cases_path())


@pytest.fixture(scope="module")
def cases(raw, generator) -> pd.DataFrame:
    return validate(raw, classes=generator.classes_)


def test_every_row_validates_with_a_known_diagnosis(cases, raw):
    assert len(cases) == len(raw)
    assert cases["diagnosis"].notna().all()
    assert cases["id"].is_unique


def test_every_class_has_real_cases(cases, generator):
    counts = cases["diagnosis"].value_counts()
    assert set(counts.index) == set(generator.classes_)
    assert counts.min() >= 20 and len(cases) >= 300


def test_every_row_is_sourced_and_quoted(cases):
    for row in cases.itertuples():
        assert isinstance(row.source, str) and TRACEABLE.search(row.source), row.id
        words = len(str(row.quote).split())
        assert 1 <= words <= QUOTE_WORDS, (row.id, words)


def test_no_patient_appears_twice(cases):
    key = ["diagnosis", "age", "sex", "level_top", "level_bottom", "compartment"]
    described = cases.dropna(subset=["age", "sex", "level_top"])
    duplicated = described[described.duplicated(key, keep=False)]
    assert duplicated.empty, duplicated[["id", *key]].to_string()
    assert not described.duplicated([*key, "source"]).any()  # one paper, one row per patient
    assert (
        cases.drop(columns=["id", "diagnosis", "source", "quote", "remarks"])
        .notna()
        .any(axis=1)
        .all()
    )


def test_seed_table_rows_match_the_paper(cases):
    table = cases[cases["source"].str.contains("Chen & Lai 2022")].set_index("id")
    assert len(table) == 8 and (table["diagnosis"] == "mcs").all()
    assert round(table["age"].mean(), 1) == 22.6  # "a mean age of 22.6 years"
    seed = table.loc["chenlai2022"]
    assert seed["age"] == 19 and seed["sex"] == "M"
    assert (seed["level_top"], seed["level_bottom"]) == ("T12", "L2")
    assert seed["compartment"] == "intra_extradural" and seed["calcification"] == "punctate"
    assert seed["enhancement"] == "homogeneous" and not seed["dural_tail"]
