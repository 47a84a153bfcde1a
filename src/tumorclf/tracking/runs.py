"""A train's record in MLflow: one parent run, one child per candidate, the model and its alias.

Where the runs go is :mod:`tumorclf.tracking.store`. Every MLflow call goes
through :func:`timed`, so a train can report MLflow's share of its wall time.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tumorclf.paths import project_root
from tumorclf.process import pid_alive
from tumorclf.tracking.store import artifact_root, store_lock

#: Seconds spent inside MLflow calls since the last :func:`reset_timer`.
_SPENT = [0.0]
MAX_PARAM_LENGTH = 6000
#: Opens the experiment in the UI's model-training view (runs, compare), not the GenAI one.
EXPERIMENT_TAGS = {
    "mlflow.experimentKind": "custom_model_development",
    "mlflow.note.content": "tumorclf trains: one parent run per `tumorclf train`, one child per "
    "candidate.",
}


def reset_timer() -> None:
    _SPENT[0] = 0.0


def mlflow_seconds() -> float:
    return _SPENT[0]


@contextlib.contextmanager
def timed() -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        _SPENT[0] += time.perf_counter() - start


def git_commit() -> str:
    root = project_root()
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if out.returncode != 0:
        return "unknown"
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


class Tracker:
    """One training's MLflow records: a parent run and its children."""

    def __init__(self, tracking_uri: str, experiment: str) -> None:
        with timed(), store_lock(tracking_uri):
            import mlflow
            from mlflow.tracking import MlflowClient

            mlflow.set_tracking_uri(tracking_uri)
            self.mlflow = mlflow
            self.client = MlflowClient(tracking_uri)
            found = self.client.get_experiment_by_name(experiment)
            self.experiment_id = (
                found.experiment_id
                if found
                else self.client.create_experiment(
                    experiment,
                    artifact_location=artifact_root(tracking_uri),
                    tags=EXPERIMENT_TAGS,
                )
            )
        self.tracking_uri = tracking_uri
        self.parent_id: str | None = None
        self.open_runs: list[str] = []
        self.mark_dead_runs_killed()

    def mark_dead_runs_killed(self) -> list[str]:
        """Runs left RUNNING by a train on this host whose process is gone (SIGKILL, power loss)."""
        with timed():
            running = self.client.search_runs(
                [self.experiment_id],
                filter_string="attributes.status = 'RUNNING'",
                max_results=1000,
            )
        host = socket.gethostname()
        dead_parents = {
            r.info.run_id
            for r in running
            if r.data.tags.get("tumorclf.host") == host
            and r.data.tags.get("tumorclf.pid", "").isdigit()
            and not pid_alive(int(r.data.tags["tumorclf.pid"]))
        }
        killed = [
            r.info.run_id
            for r in running
            if r.info.run_id in dead_parents
            or r.data.tags.get("mlflow.parentRunId") in dead_parents
        ]
        for run_id in killed:
            with timed():
                self.client.set_tag(
                    run_id, "tumorclf.ended_by", "process gone: marked at a later start"
                )
                self.client.set_terminated(run_id, status="KILLED")
        return killed

    def start_parent(self, run_name: str, tags: Mapping[str, str], description: str) -> str:
        with timed():
            run = self.client.create_run(
                self.experiment_id,
                run_name=run_name,
                tags={
                    **tags,
                    "mlflow.note.content": description,
                    "tumorclf.host": socket.gethostname(),
                    "tumorclf.pid": str(os.getpid()),
                },
            )
        self.parent_id = run.info.run_id
        self.open_runs.append(self.parent_id)
        return self.parent_id

    def start_child(self, run_name: str, tags: Mapping[str, str]) -> str:
        with timed():
            run = self.client.create_run(
                self.experiment_id,
                run_name=run_name,
                tags={**tags, "mlflow.parentRunId": self.parent_id},
            )
        self.open_runs.append(run.info.run_id)
        return run.info.run_id

    def log(
        self,
        run_id: str,
        params: Mapping[str, Any] = {},
        metrics: Mapping[str, float] = {},
        tags: Mapping[str, str] = {},
    ) -> None:
        from mlflow.entities import Metric, Param, RunTag

        now = int(time.time() * 1000)
        with timed():
            self.client.log_batch(
                run_id,
                metrics=[Metric(k, float(v), now, 0) for k, v in metrics.items()],
                params=[Param(k, str(v)[:MAX_PARAM_LENGTH]) for k, v in params.items()],
                tags=[RunTag(k, str(v)) for k, v in tags.items()],
            )

    def log_artifacts(self, run_id: str, folder: Path, artifact_path: str | None = None) -> None:
        with timed():
            self.client.log_artifacts(run_id, str(folder), artifact_path)

    def log_dataset(self, run_id: str, frame: Any, name: str, context: str) -> None:
        with timed():
            import mlflow.data
            from mlflow.entities import DatasetInput, InputTag

            dataset = mlflow.data.from_pandas(frame, name=name, targets="diagnosis")
            self.client.log_inputs(
                run_id,
                datasets=[
                    DatasetInput(
                        dataset._to_mlflow_entity(), tags=[InputTag("mlflow.data.context", context)]
                    )
                ],
            )

    def log_model(
        self,
        run_id: str,
        model_dir: Path,
        classes: list[str],
        input_example: Any,
        registered_name: str,
        pip_requirements: list[str],
    ) -> str:
        """Log the champion's folder as a pyfunc (:mod:`tumorclf.tracking.pyfunc`), register it;
        return its version.

        ``pip_requirements`` are pinned by the caller from the training
        environment: nothing is inferred at log time.
        """
        with timed(), store_lock(self.tracking_uri):
            from tumorclf.tracking.pyfunc import log_champion

            with self.mlflow.start_run(run_id=run_id, nested=True):
                info = log_champion(
                    model_dir, classes, input_example, registered_name, pip_requirements
                )
        return str(info.registered_model_version)

    def set_alias(self, registered_name: str, version: str, alias: str = "champion") -> None:
        with timed():
            self.client.set_registered_model_alias(registered_name, alias, version)

    def finish(self, run_id: str, status: str = "FINISHED") -> None:
        with timed():
            self.client.set_terminated(run_id, status=status)
        if run_id in self.open_runs:
            self.open_runs.remove(run_id)

    def finish_open(self, status: str) -> None:
        """End every run still open (children first), e.g. FAILED or KILLED after an error."""
        for run_id in reversed(list(self.open_runs)):
            self.finish(run_id, status)
