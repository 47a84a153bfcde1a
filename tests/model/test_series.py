"""The consecutive-series counts: every row valid and cited, and no series counted twice."""

from __future__ import annotations

from collections import defaultdict

import pytest

from tumorclf.model.series import COLUMNS, SeriesError, load_series


@pytest.fixture(scope="module")
def rows(generator):
    return load_series(classes=generator.classes_)


def test_every_row_is_valid_and_every_class_has_a_series(rows, generator):
    assert len(rows) >= 300
    assert {r.cls for r in rows} == set(generator.classes_)
    with_consecutive = {r.cls for r in rows if r.consecutive}
    assert with_consecutive == set(generator.classes_) - {"mcs"}  # MCS: no consecutive series
    assert all(0 <= r.k <= r.n for r in rows)


def test_a_pooled_review_is_never_counted_as_consecutive(rows):
    pooled = [r for r in rows if r.kind == "pooled_case_reports"]
    assert pooled and not any(r.consecutive for r in pooled)


def test_one_cohort_per_source_and_no_count_twice(rows):
    cohorts = defaultdict(set)
    for r in rows:
        cohorts[r.source].add(r.cohort)
    assert all(len(c) == 1 for c in cohorts.values()), {
        s: c for s, c in cohorts.items() if len(c) > 1
    }
    keys = [(r.cls, r.field, frozenset(r.values), r.cohort) for r in rows]
    assert len(keys) == len(set(keys))


def test_the_disjoint_values_of_one_series_add_up_to_no_more_than_its_patients(rows):
    groups = defaultdict(list)
    for r in rows:  # (a tumour may span two regions: a series' regions may overlap)
        if r.field != "level_region":
            groups[(r.cls, r.field, r.cohort, r.n)].append(r)
    for key, members in groups.items():
        single = [m for m in members if len(m.values) == 1]
        values = [m.values[0] for m in single]
        if len(values) == len(set(values)):  # each value once: a partition of (some of) n
            assert sum(m.k for m in single) <= key[3], key


def test_a_bad_row_is_refused_naming_row_column_value_and_what_is_allowed(tmp_path, generator):
    path = tmp_path / "series.csv"
    cited = "PMID:12345678,one of ninety,X 1990-2000,registry,"
    good = f"schwannoma,compartment,intramedullary,1,90,{cited}"
    bad = f"schwannoma,compartment,inside,1,90,{cited}"
    path.write_text(",".join(COLUMNS) + "\n" + good + "\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(SeriesError, match=r"row 3, column 'value': 'inside' is not a value of "):
        load_series(path, classes=generator.classes_)
    path.write_text(",".join(COLUMNS) + "\n" + good.replace(",1,90,", ",91,90,") + "\n")
    with pytest.raises(SeriesError, match=r"row 2, column 'k': '91' is not a count between 0 and"):
        load_series(path, classes=generator.classes_)
