"""Every figure the issues name, in one run: generator, train, prediction, series, extraction.
Writes JSON.

Prints the machine, versions and date, then each figure with its target, and
writes them all to ``benchmarks/results/latest.json`` (or ``--json``). The
train goes into a temporary store; the prediction figures use the model it
made. Measures and prints; asserts nothing.

    python benchmarks/run_all.py            # the real sizes (about 2 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # small sizes, to check that it runs (tests use this)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_extract  # noqa: E402
import bench_generator  # noqa: E402
import bench_predict  # noqa: E402
import bench_series  # noqa: E402
import bench_train  # noqa: E402
from _report import context, print_figures  # noqa: E402

QUICK_TRAIN = [
    "synthetic.n=600",
    "fill_in.n=200",
    "cv.folds=2",
    "cv.inner_folds=2",
    "real_cv.folds=3",
    "prior_update.inner_folds=2",
    "prior_update.grid={strength: [8.0], reporting_strength: [10.0], styles: [1], floor: [0.01],"
    " temperature: [1.0]}",
    "candidates.random_forest.params.n_estimators=10",
    "candidates.gradient_boosting.params.max_iter=5",
    "candidates.neural_network.params.max_iter=20",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes: checks the suite runs, figures not comparable",
    )
    parser.add_argument(
        "--json", type=Path, default=Path(__file__).parent / "results" / "latest.json"
    )
    args = parser.parse_args()

    report = {**context(), "quick": args.quick, "command": " ".join(["python", *sys.argv])}
    print(report["date"], "|", report["machine"])
    print("  ".join(f"{k} {v}" for k, v in report["versions"].items()))
    report["generator"] = bench_generator.measure(repeat=1 if args.quick else 3, quick=args.quick)
    print_figures("generator", report["generator"], bench_generator.TARGETS)
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        report["train"] = bench_train.measure(
            QUICK_TRAIN if args.quick else [],
            test_n=2_000 if args.quick else 20_000,
            models_dir=models,
        )
        print_figures(
            "train",
            report["train"],
            {**bench_train.TARGETS, **bench_train.real_case_targets(report["train"])},
        )
        report["predict"] = bench_predict.measure(
            str(models),
            repeat=100 if args.quick else 2000,
            n_batch=5_000 if args.quick else 100_000,
            cold_runs=1 if args.quick else 7,
            plain_n=2_000 if args.quick else 16_000,
        )
        print_figures("predict", report["predict"], bench_predict.TARGETS)
        report["series"], table = bench_series.measure(str(models))
        print_figures("series", report["series"], bench_series.TARGETS)
        print("\n".join(table))
    report["extract"] = bench_extract.measure()
    print_figures("extract", report["extract"], bench_extract.TARGETS)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
