"""Cross-validation throughput: a Dask LocalCluster against local joblib, on this machine.

Runs the evaluation of one config (default: the default experiment, no
MLflow) with joblib processes here (``parallel.n_jobs``), then on a
LocalCluster of as many single-threaded worker processes, in alternating
rounds; prints the median wall time of each and their throughput ratio,
and checks that both give the same metrics.

Both sides are timed warm, as a team's long-lived cluster would be: the
local process pool has already run the prior update, and every cluster
worker has imported tumorclf before the clock starts (the cluster's start
and that import are printed apart, as ``cluster_cold_start_s``).

The cluster runs twice per round: with Dask's default worker settings, and
with the project's (``configs/dask/worker.yaml``: a quieter worker event
loop, no statistical profiler, glibc's own malloc thresholds), which suit
tasks that are seconds of CPU-bound fitting. Measures and prints; asserts
nothing.

    python benchmarks/bench_distributed.py [--rounds N] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import importlib
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TARGETS = {"dask_over_local_throughput": (">=", 0.9)}

WORKER_SETTINGS = Path(__file__).resolve().parents[1] / "configs" / "dask"


@contextlib.contextmanager
def dask_settings(folder: Path | None) -> Iterator[None]:
    """Dask's configuration with the YAML files of ``folder`` on top (as ``DASK_CONFIG`` would),
    then back.

    The environment is restored too: a LocalCluster's nannies write their
    pre-spawn variables into this process's ``os.environ`` and leave them.
    """
    import os

    import dask.config
    import distributed  # noqa: F401  (its defaults first, ours on top, as a worker loads them)

    saved, environ = copy.deepcopy(dask.config.config), dict(os.environ)
    try:
        if folder is not None:
            dask.config.update(dask.config.config, dask.config.collect(paths=[str(folder)], env={}))
        yield
    finally:
        dask.config.config.clear()
        dask.config.config.update(saved)
        os.environ.clear()
        os.environ.update(environ)


def _worker_settings() -> tuple[str, str, bool]:
    import os

    import dask.config

    return (
        dask.config.get("distributed.admin.tick.interval"),
        os.environ.get("MALLOC_TRIM_THRESHOLD_", "unset"),
        dask.config.get("distributed.worker.profile.enabled"),
    )


@contextlib.contextmanager
def local_cluster(workers: int, settings: Path | None) -> Iterator[tuple[str, float]]:
    """A LocalCluster of single-threaded worker processes with tumorclf imported; yields its
    address and the seconds it took to get there."""
    from dask.distributed import Client, LocalCluster

    start = time.perf_counter()
    with (
        dask_settings(settings),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
    ):
        with Client(cluster.scheduler_address) as client:
            client.run(importlib.import_module, "tumorclf.training.evaluation")
            seen = set(client.run(_worker_settings).values())
        print(
            f"  workers ({'Dask defaults' if settings is None else settings.name + '/'}): "
            f"tick, MALLOC_TRIM_THRESHOLD_, profiler = {sorted(seen)}",
            flush=True,
        )
        yield cluster.scheduler_address, time.perf_counter() - start


def measure(overrides: list[str] | None = None, rounds: int = 3) -> dict[str, Any]:
    from tumorclf.case_io import read_cases_csv
    from tumorclf.model.priors import load_priors
    from tumorclf.paths import default_priors_path, default_real_cases_path
    from tumorclf.schema import validate
    from tumorclf.synthetic import CaseGenerator
    from tumorclf.training.candidates import candidates_from_config
    from tumorclf.training.config import load_config
    from tumorclf.training.evaluation import evaluate, prior_updates

    config = load_config(overrides=overrides or [])
    priors = load_priors(default_priors_path())
    literature = CaseGenerator(priors)
    real = validate(read_cases_csv(default_real_cases_path()), classes=priors.classes).reset_index(
        drop=True
    )
    overall, fold_updates = prior_updates(priors, real, config)  # also warms the local process pool
    generator = overall.generator
    synthetic = generator.sample(
        config["synthetic"]["n"],
        balance=config["synthetic"]["balance"],
        random_state=config["seed"],
    )
    workers = config["parallel"]["n_jobs"]

    def timed_run(parallel: dict) -> tuple[float, int, dict]:
        settings = {**config, "parallel": {**config["parallel"], **parallel}}
        done = [0]
        start = time.perf_counter()
        reports = evaluate(
            candidates_from_config(settings, generator, literature),
            synthetic,
            real,
            generator,
            settings,
            fold_updates,
            on_task_done=lambda r: done.__setitem__(0, done[0] + 1),
        )
        seconds = time.perf_counter() - start
        scores = {
            r.name: {k: v for k, v in r.metrics.items() if k != "fit_seconds"} for r in reports
        }
        return seconds, done[0], scores

    times: dict[str, list[float]] = {"local": [], "dask": [], "dask_tuned": []}
    cold: list[float] = []
    same = True
    for round_ in range(rounds):
        seconds, tasks, reference = timed_run({"backend": "local"})
        times["local"].append(seconds)
        for name, settings in (("dask", None), ("dask_tuned", WORKER_SETTINGS)):
            with local_cluster(workers, settings) as (address, started):
                cold.append(started)
                seconds, _, scores = timed_run({"backend": "dask", "scheduler_address": address})
            times[name].append(seconds)
            same = same and _same_scores(reference, scores)
        print(
            f"  round {round_ + 1}/{rounds}: "
            + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()),
            flush=True,
        )

    local, dask_default, dask_tuned = (statistics.median(times[k]) for k in times)
    return {
        "workers": workers,
        "synthetic_n": config["synthetic"]["n"],
        "tasks": tasks,
        "rounds": rounds,
        "local_joblib_s": local,
        "dask_localcluster_s": dask_default,
        "dask_tuned_workers_s": dask_tuned,
        "cluster_cold_start_s": statistics.median(cold),
        "local_tasks_per_s": tasks / local,
        "dask_tasks_per_s": tasks / dask_tuned,
        "dask_over_local_throughput": local / dask_tuned,
        "dask_default_workers_over_local": local / dask_default,
        "metrics_identical": same,
    }


def _same_scores(a: dict, b: dict, rel: float = 1e-9) -> bool:
    """Equal up to summation order (workers may add in another order)."""
    import math

    return a.keys() == b.keys() and all(
        a[name].keys() == b[name].keys()
        and all(
            math.isclose(a[name][k], b[name][k], rel_tol=rel, abs_tol=1e-12)
            or (math.isnan(a[name][k]) and math.isnan(b[name][k]))
            for k in a[name]
        )
        for name in a
    )


def main() -> None:
    from _report import context, print_figures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating timed rounds (medians are printed)"
    )
    parser.add_argument(
        "--set", action="append", default=[], help="config override, as for tumorclf train"
    )
    args = parser.parse_args()
    info = context()
    print(info["date"], info["machine"])
    print_figures("distributed", measure(args.set, args.rounds), TARGETS)


if __name__ == "__main__":
    main()
