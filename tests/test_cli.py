"""The command line: generate writes valid, seeded CSVs; failures exit non-zero with a message."""

from __future__ import annotations

from typer.testing import CliRunner

from tumorclf.case_io import read_cases_csv
from tumorclf.cli import app
from tumorclf.schema import validate

runner = CliRunner()


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "generate" in result.output


def test_generate_writes_valid_rows_and_is_seeded(tmp_path, generator):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (first, second):
        result = runner.invoke(app, ["generate", "-n", "2000", "--seed", "1", "-o", str(path)])
        assert result.exit_code == 0, result.output
    assert "Wrote 2,000 cases" in result.output
    assert first.read_bytes() == second.read_bytes()
    frame = validate(read_cases_csv(first), classes=generator.classes_)
    assert len(frame) == 2000 and frame["diagnosis"].notna().all()


def test_generate_uniform_balance(tmp_path):
    path = tmp_path / "u.csv"
    result = runner.invoke(app, ["generate", "-n", "70", "--balance", "uniform", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert read_cases_csv(path)["diagnosis"].value_counts().tolist() == [10] * 7


def test_generate_refuses_a_broken_priors_file_without_writing(tmp_path):
    priors = tmp_path / "priors.yaml"
    priors.write_text("classes: [\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["generate", "-n", "10", "--priors", str(priors), "-o", str(out)])
    assert result.exit_code == 2
    assert "line" in result.output and "not valid YAML" in result.output
    assert not out.exists()


def test_generate_refuses_an_unknown_balance(tmp_path):
    result = runner.invoke(app, ["generate", "-n", "10", "--balance", "skewed", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "--balance must be 'clinical' or 'uniform'" in result.output
