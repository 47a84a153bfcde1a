"""Fuzzing the inputs: generated cases through the Python API, malformed CSVs through the CLI.

* ``--cases`` (default 10,000) generated inputs of every kind (wrong types,
  NaN and infinities, huge numbers, unicode, bytes, nested objects, numpy
  scalars, pandas NA, unknown keys, valid cases) through ``validate``,
  ``predict_proba`` and ``predict_case``: counted are crashes other than
  ``CaseValidationError`` and outputs with NaN or rows not summing to 1.
* ``--files`` (default 2,000) malformed CSV files (binary junk, a BOM, CRLF,
  semicolons, stray quotes, no header, 100,000 columns, one 50 MB line, ...)
  through ``tumorclf predict FILE -o OUT`` (the command's own code, run in
  this process by typer's runner): counted are tracebacks shown to a user,
  unexpected exit codes and output files left behind by a failed run.
* the peak memory of predicting 1,000,000 rows in Python.

Goals (issue 12): 0 of each count. Needs a trained champion. Measures and
prints; asserts nothing.

    python benchmarks/bench_fuzz.py [--quick]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from tumorclf.schema.vocabulary import FIELDS as SCHEMA_FIELDS

TARGETS = {
    "cases_crashes": ("<=", 0),
    "cases_bad_outputs": ("<=", 0),
    "files_tracebacks": ("<=", 0),
    "files_unexpected_exit": ("<=", 0),
    "files_partial_outputs": ("<=", 0),
}
#: The columns the fuzz writes: schema 1.0's fields with the level both ways, an id and a label.
FIELDS = ("age", "sex", "level", *SCHEMA_FIELDS[2:15], "id", "diagnosis")


def odd_value(rng: random.Random) -> Any:
    """A value of any kind a caller might pass."""
    import pandas as pd

    choices = [
        None,
        float("nan"),
        float("inf"),
        -float("inf"),
        1e308,
        -1e308,
        10**30,
        -1,
        0,
        19,
        19.5,
        True,
        False,
        "",
        " ",
        "N/A",
        "unknown",
        "T12-L2",
        "T13",
        "Th7",
        "C4/5",
        "L5-S1",
        "M",
        "F",
        "male",
        "I&ED",
        "IDEM",
        "punctate",
        "massive",
        "homogeneous",
        "yes",
        "+",
        "-",
        "☃",
        "é" * 3,
        "\x00",
        "a" * 10_000,
        "'; DROP",
        b"bytes",
        bytearray(b"xy"),
        [1, 2],
        {"nested": {"deep": 1}},
        (1,),
        {1, 2},
        np.float64("nan"),
        np.int64(45),
        np.float32(3.5),
        np.bool_(True),
        np.str_("T7"),
        pd.NA,
        pd.NaT,
        object(),
        1j,
    ]
    return rng.choice(choices)


def generated_case(rng: random.Random) -> Any:
    kind = rng.random()
    if kind < 0.05:
        return odd_value(rng)  # not a mapping at all
    case = {rng.choice(FIELDS): odd_value(rng) for _ in range(rng.randint(0, 8))}
    if rng.random() < 0.1:
        case[rng.choice(["colour", "Level ", "AGE", "\u00e5ge", ""])] = odd_value(rng)
    return case


def fuzz_cases(classifier: Any, n: int, seed: int = 0) -> dict[str, Any]:
    from tumorclf.schema import CaseValidationError, validate

    rng = random.Random(seed)
    crashes, bad_outputs, refused = 0, 0, 0
    examples: list[str] = []
    for _ in range(n):
        case = generated_case(rng)
        for call in (validate, classifier.predict_proba, classifier.predict_case):
            try:
                result = call(case)
            except CaseValidationError:
                refused += 1
                continue
            except Exception as error:  # noqa: BLE001 - counting exactly these
                crashes += 1
                if len(examples) < 5:
                    examples.append(
                        f"{call.__name__}({case!r:.80}): {type(error).__name__}: {error!s:.120}"
                    )
                continue
            if call is classifier.predict_proba:
                values = result.to_numpy(dtype=float)
                if not np.isfinite(values).all() or not np.allclose(values.sum(axis=1), 1):
                    bad_outputs += 1
    return {
        "cases": n,
        "cases_refused_with_schema_error": refused,
        "cases_crashes": crashes,
        "cases_bad_outputs": bad_outputs,
        "cases_crash_examples": " | ".join(examples) or "-",
    }


def malformed_file(rng: random.Random, path: Path, big: bool) -> None:
    header = "id,age,sex,level,calcification"
    rows = ["a,19,M,T12-L2,punctate", "b,40,F,T7,none"]
    kind = rng.randrange(14 if big else 12)
    if kind == 0:
        data = bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000)))
    elif kind == 1:
        data = ("\ufeff" + header + "\n" + "\n".join(rows)).encode()
    elif kind == 2:
        data = (header + "\r\n" + "\r\n".join(rows)).encode()
    elif kind == 3:
        data = (
            header.replace(",", ";") + "\n" + "\n".join(r.replace(",", ";") for r in rows)
        ).encode()
    elif kind == 4:
        data = (header + '\n"a,19,M\n' + rows[1]).encode()
    elif kind == 5:
        data = "\n".join(rows).encode()  # no header
    elif kind == 6:
        data = b""
    elif kind == 7:
        data = (
            header + "\n" + "\n".join(rows) + "\n" + ",".join(["x"] * rng.randint(6, 40))
        ).encode()
    elif kind == 8:
        data = (
            header + "\n" + rows[0].replace("19", rng.choice(["1e400", "nan", "-inf", "٣", "19,5"]))
        ).encode()
    elif kind == 9:
        data = (header + ",diagnosis\n" + rows[0] + ",glioma").encode()
    elif kind == 10:
        data = (header + "\n" + "\n".join(rows)).encode("utf-16")
    elif kind == 11:
        data = (header + "," + header + "\n" + rows[0] + "," + rows[0]).encode()  # repeated columns
    elif kind == 12:
        data = (
            ",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("1" for _ in range(100_000))
        ).encode()
    else:
        data = (header + "\n" + "a,19,M,T7," + "x" * 50_000_000).encode()  # one 50 MB line
    path.write_bytes(data)


def fuzz_files(model: str | None, n: int, seed: int = 0) -> dict[str, Any]:
    from typer.testing import CliRunner

    from tumorclf.cli import app

    rng = random.Random(seed)
    runner = CliRunner()
    tracebacks = unexpected = partial = ok = refused = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            source, out = Path(tmp) / f"in{i}.csv", Path(tmp) / f"out{i}.csv"
            malformed_file(rng, source, big=i % 500 == 0)
            args = ["predict", str(source), "-o", str(out)] + (["--model", model] if model else [])
            result = runner.invoke(app, args)
            text = result.output + (
                str(result.exception) if result.exception and result.exit_code not in (0, 2) else ""
            )
            tracebacks += "Traceback (most recent call last)" in text or (
                result.exception is not None and not isinstance(result.exception, SystemExit)
            )
            if result.exit_code == 0:
                ok += 1
            elif result.exit_code == 2:
                refused += 1
                partial += out.exists() or any(
                    p.name.startswith(f".out{i}") for p in Path(tmp).iterdir()
                )
            else:
                unexpected += 1
            source.unlink()
            out.unlink(missing_ok=True)
    return {
        "files": n,
        "files_predicted": ok,
        "files_refused_with_message": refused,
        "files_tracebacks": tracebacks,
        "files_unexpected_exit": unexpected,
        "files_partial_outputs": partial,
    }


def peak_memory_mb(rows: int, model: str | None) -> float:
    """Peak resident memory of a fresh process predicting ``rows`` generated cases."""
    code = (
        f"import tumorclf; from tumorclf.synthetic import load_generator; "
        f"c = tumorclf.load({model!r}); "
        f"X = load_generator().sample({rows}, random_state=3)"
        f".drop(columns=['diagnosis', 'source']); "
        f"c.predict_proba(X)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measure(quick: bool = False, model: str | None = None) -> dict[str, Any]:
    import tumorclf

    classifier = tumorclf.load(model)
    figures = fuzz_cases(classifier, 300 if quick else 10_000)
    figures.update(fuzz_files(model, 40 if quick else 2_000))
    figures["predict_1m_rows_peak_mb"] = peak_memory_mb(20_000 if quick else 1_000_000, model)
    return figures


def main() -> None:
    from _report import context, print_figures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts, to check that it runs")
    parser.add_argument("--model", help="model path or URI (default: the champion)")
    args = parser.parse_args()
    info = context()
    print(info["date"], info["machine"])
    print_figures("fuzz", measure(args.quick, args.model), TARGETS)


if __name__ == "__main__":
    main()
