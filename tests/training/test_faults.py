"""Faults a real `tumorclf train` process meets: interrupted at any moment, or run twice at once.

Each test drives the command line in subprocesses against a temporary store
and models folder. After every interruption the previous champion must be
byte-identical and loadable, ``models/`` must hold only complete runs, and
the interrupted train's MLflow runs must not look finished.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tumorclf.persistence.artifacts import load_model, sha256_of

from ..conftest import as_from_a_terminal
from .conftest import PLUMBING, PLUMBING_CANDIDATES


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A config of few parts (the test is about what survives an interruption, not about models)."""
    root = tmp_path_factory.mktemp("faults")
    config = {"candidates": PLUMBING_CANDIDATES}
    for assignment in PLUMBING:
        key, value = assignment.split("=", 1)
        section, name = key.split(".")
        config.setdefault(section, {})[name] = yaml.safe_load(value)
    (root / "tiny.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root


def start_train(
    root: Path, store: str = "store", label: str = "x", **env_extra: str
) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **env_extra}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tumorclf",
            "train",
            "--config",
            str(root / "tiny.yaml"),
            "--set",
            f"seed={abs(hash(label)) % 1000}",
            "--tracking-uri",
            f"sqlite:///{root / store / 'mlflow.db'}",
            "--models-dir",
            str(root / store / "models"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
        preexec_fn=as_from_a_terminal,
    )


def assert_models_folder_whole(models: Path) -> None:
    """Only champion.json and complete runs/<id>/ folders; nothing temporary or partial."""
    entries = {p.name for p in models.iterdir()}
    assert entries <= {"champion.json", "runs"}, entries
    for run in (models / "runs").iterdir():
        assert sorted(p.name for p in run.iterdir()) == [
            "manifest.json",
            "model.pkl",
            "model.skops",
        ], run
        manifest = json.loads((run / "manifest.json").read_text())
        assert sha256_of(run / "model.skops") == manifest["sha256"]
    pointer = json.loads((models / "champion.json").read_text())
    assert (models / pointer["model_path"]).exists()


def runs_of_process(root: Path, pid: int, store: str = "store"):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(f"sqlite:///{root / store / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("tumorclf")
    runs = client.search_runs([experiment.experiment_id], max_results=1000)
    parents = {r.info.run_id for r in runs if r.data.tags.get("tumorclf.pid") == str(pid)}
    return [
        r
        for r in runs
        if r.info.run_id in parents or r.data.tags.get("mlflow.parentRunId") in parents
    ]


@pytest.fixture(scope="module")
def baseline(workspace):
    process = start_train(workspace, label="baseline")
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output
    return (workspace / "store" / "models" / "champion.json").read_bytes()


def wait_for_marker(marker: Path, process: subprocess.Popen, limit: float = 600) -> str:
    """Wait for the train to announce it reached the stage (or to end, which fails the test)."""
    deadline = time.monotonic() + limit
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(
                f"the train ended before reaching its stage:\n{process.communicate()[0][-1500:]}"
            )
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the train did not reach its stage within {limit:.0f} s")
        time.sleep(0.05)
    return marker.read_text(encoding="utf-8")


#: (signal, stage): every stage of a train, struck while the train waits there (tumorclf.stages).
#: SIGINT and SIGTERM are held during the commit, so only SIGKILL can strike there.
MOMENTS = [
    (signal.SIGINT, "updating_priors"),
    (signal.SIGTERM, "sampling"),
    (signal.SIGINT, "cv_task"),
    (signal.SIGKILL, "cv_task"),
    (signal.SIGTERM, "recording"),
    (signal.SIGINT, "writing_artifact"),
    (signal.SIGKILL, "writing_artifact"),
    (signal.SIGKILL, "commit"),
]


@pytest.mark.parametrize(
    ("sig", "stage"), MOMENTS, ids=[f"{s.name}-{stage}" for s, stage in MOMENTS]
)
def test_an_interruption_at_any_stage_loses_nothing(workspace, baseline, sig, stage):
    from tumorclf.stages import STAGES

    assert stage in STAGES
    models = workspace / "store" / "models"
    champion_before = (models / "champion.json").read_bytes()
    marker = workspace / f"reached-{sig.name}-{stage}"
    process = start_train(
        workspace,
        label=f"{sig.name}-{stage}",
        TUMORCLF_PAUSE_AT=stage,
        TUMORCLF_STAGE_MARKER=str(marker),
    )
    assert wait_for_marker(marker, process).split() == [stage, str(process.pid)]
    process.send_signal(sig)
    try:
        output, _ = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()  # never leave it running into the next test
        output, _ = process.communicate()
        pytest.fail(
            f"the train did not stop within 300 s of {sig.name} at {stage}:\n{output[-1500:]}"
        )
    assert_models_folder_whole(models)
    assert (models / "champion.json").read_bytes() == champion_before, (sig, stage, output[-500:])
    load_model(models)
    runs = runs_of_process(workspace, process.pid)
    if sig == signal.SIGKILL:
        from tumorclf.tracking.runs import Tracker

        Tracker(
            f"sqlite:///{workspace / 'store' / 'mlflow.db'}", "tumorclf"
        )  # the next start marks them
        runs = runs_of_process(workspace, process.pid)
    else:
        assert process.returncode == 130, (process.returncode, output[-800:])
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    for run in parents:  # the train's own record is never left looking finished
        assert run.info.status in {"KILLED", "FAILED"}, (sig, stage, run.info.status)
    assert not [r for r in runs if r.info.status in {"RUNNING", "SCHEDULED"}]
    assert len(parents) == (
        0 if stage in ("updating_priors", "sampling") else 1
    )  # nothing recorded before


def test_two_trains_at_once_both_finish_as_distinct_runs(workspace):
    store = "concurrent"
    first, second = start_train(workspace, store, "a"), start_train(workspace, store, "b")
    models = workspace / store / "models"
    seen = []
    while first.poll() is None or second.poll() is None:
        pointer = models / "champion.json"
        if pointer.exists():
            manifest = json.loads(pointer.read_text())  # never half-written: always parses
            model = models / manifest["model_path"]
            assert model.exists() and sha256_of(model) == manifest["sha256"]
            seen.append(manifest["mlflow"]["parent_run_id"])
        time.sleep(0.05)
    outputs = [p.communicate()[0] for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    runs = [runs_of_process(workspace, p.pid, store) for p in (first, second)]
    parents = [[r for r in group if "mlflow.parentRunId" not in r.data.tags] for group in runs]
    assert [len(p) for p in parents] == [1, 1]
    assert parents[0][0].info.run_id != parents[1][0].info.run_id
    assert all(r.info.status == "FINISHED" for group in runs for r in group)
    assert len(list((models / "runs").iterdir())) == 2
    assert_models_folder_whole(models)
    assert seen, "the champion pointer never appeared"
