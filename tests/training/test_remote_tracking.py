"""A train through a shared MLflow tracking server on PostgreSQL records what the sqlite default
does.

The setup starts PostgreSQL (Debian's package; installed with apt-get where
missing and allowed) on a loopback port in a temporary folder, then
``mlflow server`` over it with its artifact proxy, and stops both after.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tumorclf.tracking.ui import free_port, stop, wait_until_listening

from .conftest import plumbing_config


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "postgresql"],
        ):
            subprocess.run(command, capture_output=True, env=env, timeout=900, check=False)
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(*command: str) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, *command], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def postgres():
    pytest.importorskip("psycopg2", reason="psycopg2 is needed for MLflow's PostgreSQL store")
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL is not installed and cannot be installed here (needs root and apt-get)"
        )
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: PostgreSQL refuses to run as root")
    folder = Path(tempfile.mkdtemp(prefix="tumorclf-pg-", dir="/tmp"))
    folder.chmod(0o777)
    data = folder / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    try:
        result = _as_postgres(
            str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"
        )
        assert result.returncode == 0, result.stderr
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        result = _as_postgres(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(folder / "postgres.log"),
            "start",
        )
        assert result.returncode == 0, result.stderr + (folder / "postgres.log").read_text()
        result = _as_postgres(
            str(bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "mlflow",
        )
        assert result.returncode == 0, result.stderr
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/mlflow"
    finally:
        _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def server(postgres, tmp_path_factory):
    artifacts = tmp_path_factory.mktemp("server-artifacts")
    port = free_port()
    log = tmp_path_factory.mktemp("server-log") / "server.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlflow",
                "server",
                "--backend-store-uri",
                postgres,
                "--serve-artifacts",
                "--artifacts-destination",
                str(artifacts),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        if not wait_until_listening(process, "127.0.0.1", port, timeout=120):
            pytest.fail(f"mlflow server did not start:\n{log.read_text(encoding='utf-8')[-3000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture(scope="module")
def trained(server, tmp_path_factory):
    from tumorclf.training.run import train

    return train(
        plumbing_config(),
        tracking_uri=server,
        models_dir=tmp_path_factory.mktemp("models"),
        label="remote",
    )


def test_a_train_through_the_server_records_runs_artifacts_and_alias(server, trained):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(server)
    parent = client.get_run(trained.parent_run_id)
    assert parent.info.status == "FINISHED" and parent.data.tags["champion"] == trained.champion
    children = client.search_runs(
        [trained.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{trained.parent_run_id}'",
    )
    assert {r.data.tags["candidate"] for r in children} == {"naive_bayes", "literature_priors"}
    for run in children:
        files = {a.path for a in client.list_artifacts(run.info.run_id)}
        assert {
            "real_confusion_matrix.png",
            "real_reliability.png",
            "real_per_class_report.csv",
        } <= files
    assert {a.path for a in client.list_artifacts(trained.parent_run_id)} >= {
        "comparison.csv",
        "config.yaml",
    }
    version = client.get_model_version_by_alias("tumorclf", "champion")
    assert str(version.version) == trained.registered_version


def test_the_champion_loads_through_the_server(server, trained, monkeypatch):
    import tumorclf

    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    classifier = tumorclf.load("models:/tumorclf@champion")
    assert classifier.manifest.candidate == trained.champion
    proba = classifier.predict_proba({"age": 19, "level": "T12-L2", "calcification": "punctate"})
    assert abs(float(proba.to_numpy().sum()) - 1) < 1e-9
