"""The benchmark suite runs end to end and reports every figure the issues name (nothing asserted on
speed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
FIGURES = {
    "generator": ["sample_1m_dataframe_s", "posterior_100k_dataframe_s"],
    "train": [
        "train_wall_s",
        "train_mlflow_share",
        "log_loss_ratio_to_oracle",
        "balanced_accuracy_ratio_to_oracle",
        "cv_oracle_ratio.bayes_oracle",
        "real_cases_n",
        "real_top3_acc.seed_rule",
        "real_log_loss.literature_priors",
        "real_mcs_auroc.bayes_oracle",
        "real_top3_acc_sd.naive_bayes",
        "real_published_log_loss.updated_priors",
        "vignette_top1_acc.literature_priors",
        "vignette_mcs_first.updated_priors",
        "vignettes_n",
    ],
    "extract": [
        "micro_precision.held_out",
        "micro_recall.held_out",
        "micro_precision.all",
        "recall.all.level",
        "micro_precision.held_out_2.old_fields",
        "micro_recall.held_out_2.new_fields",
    ],
    "predict": [
        "predict_case_ratio",
        "throughput_ratio",
        "cold_start_ratio",
        "plain_sklearn_one_row_us",
        "plain_sklearn_rows_per_s",
        "mlflow_imported",
    ],
}


def test_the_quick_benchmark_suite_runs_and_writes_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run_all.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["quick"] is True and report["machine"] and report["versions"]["tumorclf"]
    for section, names in FIGURES.items():
        for name in names:
            assert name in report[section], (section, name)
    assert report["predict"]["mlflow_imported"] == "False"
    assert 0.5 < report["series"]["loso_inside_95"] <= 1 and report["series"]["loso_cells"] > 100
    for line in ("-- generator", "-- train", "-- predict", "-- series", "-- extract", "(target"):
        assert line in result.stdout


def test_the_quick_fuzz_finds_no_crash_no_bad_output_and_no_traceback(tmp_path, generator):
    from tumorclf.persistence.artifacts import promote_champion, save_model

    from .conftest import fit_candidate

    model, manifest = fit_candidate(generator, n=1500)
    save_model(model, manifest, tmp_path, "fuzz")
    promote_champion(tmp_path, "fuzz")
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_fuzz.py"), "--quick", "--model", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    figures = dict(line.split(None, 1) for line in result.stdout.splitlines()[2:] if line.strip())
    for name in (
        "cases_crashes",
        "cases_bad_outputs",
        "files_tracebacks",
        "files_unexpected_exit",
        "files_partial_outputs",
    ):
        assert figures[name].split()[0] == "0", (name, figures[name])
    assert (
        int(figures["cases_refused_with_schema_error"].split()[0]) > 0
    )  # the fuzz did reach the validator


def test_the_sweep_cost_benchmark_measures_every_candidate_and_projects_the_sweep():
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "bench_sweep_cost.py"),
            "--sizes",
            "1000,2000",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    assert "[('1s', 'unset', False)]" in out  # the cluster ran with the project's worker settings
    projected = out.split("Projected sweep")[1].splitlines()
    for name in (
        "logistic_regression",
        "random_forest",
        "gradient_boosting",
        "naive_bayes",
        "neural_network",
        "updated_priors",
        "all candidates",
    ):
        row = next(line for line in projected if line.startswith(name))
        hours = [float(cell) for cell in row[22:].split() if cell.replace(".", "").isdigit()]
        assert hours and all(h >= 0 for h in hours), row
