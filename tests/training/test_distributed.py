"""Cross-validation on a Dask cluster gives what the local backend gives."""

from __future__ import annotations

import re

import pytest

from tumorclf.training.config import ConfigError, load_config

from .conftest import evaluation_inputs, run_evaluation, tiny_config


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as local:
        yield local


def _scores(report):
    return {k: v for k, v in report.metrics.items() if k != "fit_seconds"}


def test_the_same_seed_gives_the_same_metrics_on_dask_as_locally(cluster):
    local = tiny_config()
    inputs = evaluation_inputs(local)
    on_dask = tiny_config()
    on_dask["parallel"] = {"backend": "dask", "n_jobs": 1, "scheduler_address": cluster.scheduler_address}
    here = run_evaluation(local, inputs)
    there = run_evaluation(on_dask, inputs)
    assert [u.best_params for u in evaluation_inputs(on_dask)[-1]] == [u.best_params for u in inputs[-1]]
    for a, b in zip(here, there, strict=True):
        assert not a.failed and not b.failed
        assert _scores(b) == pytest.approx(_scores(a), rel=1e-9)  # workers may sum in another order
        assert a.best_params == b.best_params


def _active_backend() -> str:
    from joblib.parallel import get_active_backend

    return type(get_active_backend()[0]).__name__


def test_a_task_runs_its_inner_loops_itself_on_either_backend(cluster):
    """joblib's Dask backend would send a task's grid search back to the cluster, fit by fit."""
    from joblib import delayed

    from tumorclf.training.evaluation import run_tasks

    for parallel in ({"backend": "local", "n_jobs": 2},
                     {"backend": "dask", "n_jobs": 1, "scheduler_address": cluster.scheduler_address}):
        assert run_tasks([delayed(_active_backend)() for _ in range(3)], parallel) == ["SequentialBackend"] * 3


def test_the_cluster_runs_one_task_per_fold_and_nothing_nested(cluster):
    from dask.distributed import Client, get_task_stream

    from tumorclf.training.evaluation import FoldResult

    config = tiny_config()
    config["parallel"] = {"backend": "dask", "n_jobs": 1, "scheduler_address": cluster.scheduler_address}
    inputs = evaluation_inputs(config)
    done: list[FoldResult] = []
    with Client(cluster.scheduler_address) as client, get_task_stream(client) as stream:
        from tumorclf.training.evaluation import candidates_from_config, evaluate

        synthetic, real, literature, updated, folds = inputs
        evaluate(candidates_from_config(config, updated, literature), synthetic, real, updated, config, folds,
                 on_task_done=done.append)
    ran = [str(task["key"]) for task in stream.data]
    assert not [key for key in ran if "OnItsOwn" not in key]  # no grid-search fit of its own
    calls = [re.search(r"_(\d+)_calls-", key) for key in ran]  # joblib may send a few tasks as one batch
    assert sum(int(found.group(1)) for found in calls if found) == len(done)


def test_the_dask_backend_needs_a_scheduler_address():
    with pytest.raises(ConfigError, match="joins an existing scheduler"):
        load_config(overrides=["parallel.backend=dask"])
    with pytest.raises(ConfigError, match="parallel.backend"):
        load_config(overrides=["parallel.backend=spark"])
