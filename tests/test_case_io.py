"""Reading and writing case CSVs: text in, line numbers kept, atomic out."""

from __future__ import annotations

import pytest

from tumorclf.case_io import read_cases_csv, write_cases_csv
from tumorclf.schema import validate


def test_cells_stay_text_and_rows_are_numbered_by_file_line(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("age,dural_tail\n019,+\n,N/A\n", encoding="utf-8")
    frame = read_cases_csv(path)
    assert frame.index.tolist() == [2, 3] and frame.index.name == "line"
    assert frame.loc[2, "age"] == "019" and frame.loc[3, "age"] == ""


def test_a_non_utf8_file_is_refused_clearly(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("age,sex\n19,M\u00e4\n".encode("latin-1"))
    with pytest.raises(ValueError, match="is not UTF-8 text"):
        read_cases_csv(path)


def test_an_empty_file_is_refused_clearly(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="is empty"):
        read_cases_csv(path)


def test_write_spells_booleans_and_leaves_missing_empty(tmp_path, seed_case):
    path = tmp_path / "out.csv"
    write_cases_csv(validate(seed_case), path)
    header, row = path.read_text(encoding="utf-8").splitlines()
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert (
        values["age"] == "19" and values["dumbbell"] == "true" and values["dural_tail"] == "false"
    )
    assert values["dural_attachment"] == "" and values["level_top"] == "T12"


def test_a_failed_write_leaves_the_old_file(tmp_path, seed_case):
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")

    class Boom(Exception):
        pass

    frame = validate(seed_case)
    original = frame.to_csv

    def exploding(*args, **kwargs):
        original(*args, **kwargs)
        raise Boom

    frame.to_csv = exploding  # type: ignore[method-assign]
    import tumorclf.case_io as case_io

    monkey = pytest.MonkeyPatch()
    monkey.setattr(case_io, "to_csv_frame", lambda f: frame)
    try:
        with pytest.raises(Boom):
            write_cases_csv(frame, path)
    finally:
        monkey.undo()
    assert path.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [path]


def test_a_repeated_column_is_refused_naming_it(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("age,sex,Age\n19,M,20\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 1: column\(s\) 'age' appear more than once"):
        read_cases_csv(path)


def test_a_file_without_a_header_is_told_so(tmp_path):
    path = tmp_path / "nohead.csv"
    path.write_text("19,M,T12-L2\n40,F,T3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="the first line must be a header"):
        read_cases_csv(path)
