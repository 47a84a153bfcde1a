"""Cross-validation throughput: a Dask LocalCluster against local joblib, on this machine.

Runs the evaluation of one config (default: the default experiment, no
MLflow) twice: with joblib processes here (``parallel.n_jobs``), then on a
LocalCluster of as many single-threaded worker processes. Prints wall time
and tasks per second for each. On a laptop the cluster can only add
overhead; the figure says how much, so a team can tell what a real cluster
must win back. Measures and prints; asserts nothing.

    python benchmarks/bench_distributed.py [--set key=value ...]
"""

from __future__ import annotations

import argparse
import time
from typing import Any


def measure(overrides: list[str] | None = None) -> dict[str, Any]:
    from dask.distributed import LocalCluster

    from tumorclf.case_io import read_cases_csv
    from tumorclf.paths import default_priors_path, default_real_cases_path
    from tumorclf.schema import validate
    from tumorclf.synthetic import CaseGenerator, load_priors
    from tumorclf.training.config import load_config
    from tumorclf.training.evaluation import candidates_from_config, evaluate, prior_updates

    config = load_config(overrides=overrides or [])
    priors = load_priors(default_priors_path())
    literature = CaseGenerator(priors)
    real = validate(read_cases_csv(default_real_cases_path()), classes=priors.classes).reset_index(drop=True)
    overall, fold_updates = prior_updates(priors, real, config)
    generator = overall.generator
    synthetic = generator.sample(config["synthetic"]["n"], balance=config["synthetic"]["balance"],
                                 random_state=config["seed"])
    workers = config["parallel"]["n_jobs"]
    figures: dict[str, Any] = {"workers": workers, "synthetic_n": config["synthetic"]["n"]}

    def timed_run(settings: dict) -> tuple[float, int]:
        done = [0]
        start = time.perf_counter()
        evaluate(candidates_from_config(settings, generator, literature), synthetic, real, generator, settings,
                 fold_updates, on_task_done=lambda r: done.__setitem__(0, done[0] + 1))
        return time.perf_counter() - start, done[0]

    local_s, tasks = timed_run({**config, "parallel": {**config["parallel"], "backend": "local"}})
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        dask_s, _ = timed_run({**config, "parallel": {**config["parallel"], "backend": "dask",
                                                       "scheduler_address": cluster.scheduler_address}})
    figures.update({
        "tasks": tasks,
        "local_joblib_s": local_s,
        "dask_localcluster_s": dask_s,
        "local_tasks_per_s": tasks / local_s,
        "dask_tasks_per_s": tasks / dask_s,
        "dask_over_local_throughput": local_s / dask_s,
    })
    return figures


def main() -> None:
    from _report import context, print_figures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], help="config override, as for tumorclf train")
    args = parser.parse_args()
    info = context()
    print(info["date"], info["machine"])
    print_figures("distributed", measure(args.set), {})


if __name__ == "__main__":
    main()
