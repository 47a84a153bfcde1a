"""Cross-validation on a Dask cluster gives what the local backend gives."""

from __future__ import annotations

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


def test_the_dask_backend_needs_a_scheduler_address():
    with pytest.raises(ConfigError, match="joins an existing scheduler"):
        load_config(overrides=["parallel.backend=dask"])
    with pytest.raises(ConfigError, match="parallel.backend"):
        load_config(overrides=["parallel.backend=spark"])
