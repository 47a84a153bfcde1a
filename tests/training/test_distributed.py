"""Cross-validation on a Dask cluster gives what the local backend gives."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tumorclf.paths import project_file
from tumorclf.training.config import ConfigError, load_config

from .conftest import evaluation_inputs, run_evaluation, tiny_config


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    environ = dict(os.environ)  # the nannies write Dask's worker variables here and leave them
    with distributed.LocalCluster(
        n_workers=3, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local
    os.environ.clear()
    os.environ.update(environ)


def _scores(report):
    return {k: v for k, v in report.metrics.items() if k != "fit_seconds"}


def test_the_same_seed_gives_the_same_metrics_on_dask_as_locally(cluster):
    local = tiny_config()
    inputs = evaluation_inputs(local)
    on_dask = tiny_config()
    on_dask["parallel"] = {
        "backend": "dask",
        "n_jobs": 1,
        "scheduler_address": cluster.scheduler_address,
    }
    here = run_evaluation(local, inputs)
    there = run_evaluation(on_dask, inputs)
    assert [u.best_params for u in evaluation_inputs(on_dask)[-1]] == [
        u.best_params for u in inputs[-1]
    ]
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

    for parallel in (
        {"backend": "local", "n_jobs": 2},
        {"backend": "dask", "n_jobs": 1, "scheduler_address": cluster.scheduler_address},
    ):
        assert (
            run_tasks([delayed(_active_backend)() for _ in range(3)], parallel)
            == ["SequentialBackend"] * 3
        )


def test_the_cluster_runs_one_task_per_fold_and_nothing_nested(cluster):
    from dask.distributed import Client, get_task_stream

    from tumorclf.training.evaluation import FoldResult

    config = tiny_config()
    config["parallel"] = {
        "backend": "dask",
        "n_jobs": 1,
        "scheduler_address": cluster.scheduler_address,
    }
    inputs = evaluation_inputs(config)
    done: list[FoldResult] = []
    with Client(cluster.scheduler_address) as client, get_task_stream(client) as stream:
        run_evaluation(config, inputs, on_task_done=done.append)
    ran = [str(task["key"]) for task in stream.data]
    assert not [key for key in ran if "OnItsOwn" not in key]  # no grid-search fit of its own
    calls = [
        re.search(r"_(\d+)_calls-", key) for key in ran
    ]  # joblib may send a few tasks as one batch
    assert sum(int(found.group(1)) for found in calls if found) == len(done)


def test_the_dask_backend_needs_a_scheduler_address():
    with pytest.raises(ConfigError, match="joins an existing scheduler"):
        load_config(overrides=["parallel.backend=dask"])
    with pytest.raises(ConfigError, match="parallel.backend"):
        load_config(overrides=["parallel.backend=spark"])


def _leaves(mapping, prefix=()):
    for key, value in mapping.items():
        if isinstance(value, dict):
            yield from _leaves(value, (*prefix, key))
        else:
            yield (*prefix, key)


def test_the_project_worker_settings_name_only_settings_dask_has():
    """A misspelt Dask setting is ignored without a word: each must exist in distributed's
    defaults."""
    import dask.config
    import distributed
    import yaml

    ours = dask.config.collect(paths=[str(project_file("configs/dask"))], env={})
    defaults = yaml.safe_load((Path(distributed.__file__).parent / "distributed.yaml").read_text())
    for path in _leaves(ours):
        node = defaults
        for key in path:
            assert isinstance(node, dict) and key in node, ".".join(path)
            node = node[key]
    assert ours["distributed"]["nanny"]["pre-spawn-environ"] == {"MALLOC_TRIM_THRESHOLD_": None}


def test_workers_started_with_the_project_settings_get_them(tmp_path):
    """As `DASK_CONFIG=configs/dask dask worker ...` starts them."""
    import subprocess
    import sys

    script = (
        "import os, dask.config\n"
        "from distributed import LocalCluster, Client\n"
        "def view():\n"
        "    return dask.config.get('distributed.admin.tick.interval'), "
        "os.environ.get('MALLOC_TRIM_THRESHOLD_')\n"
        "if __name__ == '__main__':\n"
        "    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=':0') as c, "
        "Client(c) as cl:\n"
        "        print(list(cl.run(view).values()))\n"
    )
    (tmp_path / "start.py").write_text(script)
    env = {**os.environ, "DASK_CONFIG": str(project_file("configs/dask"))}
    env.pop("MALLOC_TRIM_THRESHOLD_", None)
    result = subprocess.run(
        [sys.executable, str(tmp_path / "start.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[('1s', None)]"
