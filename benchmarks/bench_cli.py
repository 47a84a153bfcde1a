"""Batch prediction from the shell against the same work done in Python.

``tumorclf predict cases.csv -o out.csv`` on N rows (default 1,000,000),
timed as a subprocess with its peak memory, beside reading, validating,
predicting and writing the same rows in this process. Goal (issue 12): the
CLI within 1.5x of the Python path, and under 1.5 GB peak. Needs a trained
champion. Measures and prints; asserts nothing.

    python benchmarks/bench_cli.py [--rows 1000000] [--model PATH]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGETS = {"cli_over_python": ("<=", 1.5), "cli_peak_mb": ("<=", 1536)}


def measure(rows: int = 1_000_000, model: str | None = None) -> dict[str, Any]:
    import tumorclf
    from tumorclf.case_io import read_cases_csv, write_cases_csv
    from tumorclf.prediction.table import prediction_table
    from tumorclf.schema import validate
    from tumorclf.synthetic import load_generator

    with tempfile.TemporaryDirectory() as tmp:
        cases = Path(tmp) / "cases.csv"
        sample = load_generator().sample(rows, random_state=11).drop(columns=["diagnosis", "source"])
        sample.insert(0, "id", [f"case{i}" for i in range(rows)])
        write_cases_csv(sample, cases)
        del sample

        classifier = tumorclf.load(model)
        start = time.perf_counter()
        frame = validate(read_cases_csv(cases))
        table = prediction_table(classifier, frame, "training")
        table.to_csv(Path(tmp) / "python.csv", index=False, float_format="%.4f")
        python_s = time.perf_counter() - start
        del frame, table

        command = [sys.executable, "-m", "tumorclf", "predict", str(cases), "-o", str(Path(tmp) / "cli.csv")]
        if model:
            command += ["--model", model]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        cli_s = time.perf_counter() - start
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        size_mb = cases.stat().st_size / 2**20
    return {"rows": rows, "csv_mb": size_mb, "python_read_validate_predict_write_s": python_s, "cli_s": cli_s,
            "cli_over_python": cli_s / python_s, "cli_rows_per_s": rows / cli_s, "cli_peak_mb": peak_kb / 1024}


def main() -> None:
    from _report import context, print_figures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--model", help="model path or URI (default: the champion)")
    args = parser.parse_args()
    info = context()
    print(info["date"], info["machine"])
    print_figures("cli", measure(args.rows, args.model), TARGETS)


if __name__ == "__main__":
    main()
