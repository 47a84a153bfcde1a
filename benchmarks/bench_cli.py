"""Batch prediction from the shell against the same work done in Python, in the same run.

``tumorclf predict cases.csv -o out.csv`` on N rows (default 200,000), timed
as a subprocess (its interpreter start and imports included) with its peak
memory, beside the same file read, validated, predicted and written in Python:

* **bare**: read the CSV, validate it, the fitted Pipeline's own
  ``predict_proba`` (no facade, no set, no alert), write the probabilities with
  the ids: the least a batch can do. Timed twice: as a fresh process (``python
  -c``, its start and imports included, as the CLI's are) and in this process;
* **plain**: read, validate, ``Classifier.predict_proba``, write the columns a
  prediction file had before the set and alert (id, probabilities, diagnosis,
  differential, reading), in this process;
* **table**: read, validate, :func:`tumorclf.prediction.table.prediction_table`
  (every column of the CLI's file from one scoring), write, in this process.

Goals: the CLI within 1.3x of the bare path started as a process like it
(issue 25: the set, alert and differential cost little once the batch is
scored once), within 1.5x of the table path in this process, and under
1.5 GB peak (issue 12). The in-process bare and plain paths show what
starting a process costs (about 1.4 s of imports, most of them
scikit-learn's). Needs a trained champion. Each path is timed ``--repeat``
times and its fastest run kept. Measures and prints; asserts nothing.

    python benchmarks/bench_cli.py [--rows 200000] [--model PATH] [--repeat 3]
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

TARGETS = {
    "cli_over_bare_process": ("<=", 1.3),
    "cli_over_table": ("<=", 1.5),
    "cli_peak_mb": ("<=", 1536),
}


def plain_path(classifier: Any, cases: Path, out: Path) -> None:
    """Read, validate, the facade's predict_proba, the diagnosis and differential, write: a
    prediction file without the set and alert."""
    import numpy as np

    from tumorclf.case_io import read_cases_csv
    from tumorclf.prediction.wording import differential_column
    from tumorclf.schema import as_case_arrays

    arrays = as_case_arrays(read_cases_csv(cases))
    proba = classifier.predict_proba(arrays)
    table = proba.rename(columns=lambda c: f"p_{c}").reset_index()
    table["diagnosis"] = np.asarray(classifier.classes_, dtype=object)[
        proba.to_numpy().argmax(axis=1)
    ]
    table["differential"] = differential_column(proba.to_numpy(), list(classifier.classes_))
    table["reading"] = "as_entered"
    table.to_csv(out, index=False, float_format="%.6f")


def bare_path(classifier: Any, cases: Path, out: Path) -> None:
    """Read, validate, the fitted model's predict_proba, write the probabilities: the least a batch
    can do."""
    import pandas as pd

    from tumorclf.case_io import read_cases_csv
    from tumorclf.schema import as_case_arrays

    arrays = as_case_arrays(read_cases_csv(cases))
    proba = classifier.model.predict_proba(arrays)
    table = pd.DataFrame(proba, columns=[f"p_{c}" for c in classifier.model.classes_])
    table.insert(0, "id", arrays.extras["id"])
    table.to_csv(out, index=False, float_format="%.6f")


def bare_process(cases: Path, out: Path, model: str | None) -> list[str]:
    """The bare path as a fresh process: ``python -c`` with the benchmark's own function."""
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"import tumorclf, bench_cli; "
        f"bench_cli.bare_path(tumorclf.load({model!r}), {str(cases)!r}, {str(out)!r})"
    )
    return [sys.executable, "-c", code]


def table_path(classifier: Any, cases: Path, out: Path) -> None:
    """Read, validate, every column of ``tumorclf predict``, write."""
    from tumorclf.case_io import read_cases_csv
    from tumorclf.prediction.table import prediction_table

    prediction_table(classifier, read_cases_csv(cases), "training").to_csv(
        out, index=False, float_format="%.6f"
    )


def fastest(work: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(rows: int = 200_000, model: str | None = None, repeat: int = 3) -> dict[str, Any]:
    import tumorclf
    from tumorclf.case_io import write_cases_csv
    from tumorclf.synthetic import load_generator

    with tempfile.TemporaryDirectory() as tmp:
        cases = Path(tmp) / "cases.csv"
        sample = (
            load_generator().sample(rows, random_state=11).drop(columns=["diagnosis", "source"])
        )
        sample.insert(0, "id", [f"case{i}" for i in range(rows)])
        write_cases_csv(sample, cases)
        del sample

        classifier = tumorclf.load(model)
        plain_s = fastest(lambda: plain_path(classifier, cases, Path(tmp) / "plain.csv"), repeat)
        bare_s = fastest(lambda: bare_path(classifier, cases, Path(tmp) / "bare.csv"), repeat)
        table_s = fastest(lambda: table_path(classifier, cases, Path(tmp) / "table.csv"), repeat)
        command = [
            sys.executable,
            "-m",
            "tumorclf",
            "predict",
            str(cases),
            "-o",
            str(Path(tmp) / "cli.csv"),
        ]
        if model:
            command += ["--model", model]
        cli_s = fastest(lambda: subprocess.run(command, check=True, capture_output=True), repeat)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        bare_process_s = fastest(
            lambda: subprocess.run(
                bare_process(cases, Path(tmp) / "bare2.csv", model), check=True, capture_output=True
            ),
            repeat,
        )
        size_mb = cases.stat().st_size / 2**20
    return {
        "rows": rows,
        "csv_mb": size_mb,
        "champion": classifier.manifest.candidate,
        "bare_process_s": bare_process_s,
        "python_bare_s": bare_s,
        "python_plain_s": plain_s,
        "python_table_s": table_s,
        "cli_s": cli_s,
        "cli_over_bare_process": cli_s / bare_process_s,
        "cli_over_bare": cli_s / bare_s,
        "cli_over_plain": cli_s / plain_s,
        "cli_over_table": cli_s / table_s,
        "cli_rows_per_s": rows / cli_s,
        "cli_peak_mb": peak_kb / 1024,
    }


def main() -> None:
    from _report import context, print_figures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--model", help="model path or URI (default: the champion)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each path; the fastest is kept"
    )
    args = parser.parse_args()
    info = context()
    print(info["date"], info["machine"])
    print_figures("cli", measure(args.rows, args.model, args.repeat), TARGETS)


if __name__ == "__main__":
    main()
