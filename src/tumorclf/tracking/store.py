"""Where MLflow runs are kept: the tracking URI, the artifact root, the store's lock, the UI command.

The tracking URI is resolved when a command runs, never at import: the
``--tracking-uri`` flag, else ``$MLFLOW_TRACKING_URI``, else the config's
``mlflow.tracking_uri``, else an sqlite database in ``experiments/`` with
artifacts in ``experiments/artifacts``. Nothing here imports mlflow.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from tumorclf.paths import workspace_dir

DEFAULT_DB = "mlflow.db"
ARTIFACTS = "artifacts"


def default_tracking_uri(experiments_dir: Path | None = None) -> str:
    folder = (experiments_dir or workspace_dir("experiments")).resolve()
    return f"sqlite:///{folder / DEFAULT_DB}"


def resolve_tracking_uri(flag: str | None = None, configured: str | None = None) -> str:
    """Flag, then ``$MLFLOW_TRACKING_URI``, then the config, then the sqlite default."""
    return flag or os.environ.get("MLFLOW_TRACKING_URI") or configured or default_tracking_uri()


def artifact_root(tracking_uri: str) -> str | None:
    """For the sqlite default, artifacts live beside the database; servers choose their own."""
    if tracking_uri.startswith("sqlite:///"):
        folder = Path(tracking_uri.removeprefix("sqlite:///")).parent
        return (folder / ARTIFACTS).resolve().as_uri()
    return None


def ui_command(tracking_uri: str) -> str:
    return f"mlflow ui --backend-store-uri {tracking_uri} --host 127.0.0.1 --port 5000"


@contextlib.contextmanager
def store_lock(tracking_uri: str) -> Iterator[None]:
    """Serialise the steps two trains must not race on (creating the store, registering a version).

    Only sqlite stores need it; a tracking server does its own locking.
    """
    if not tracking_uri.startswith("sqlite:///"):
        yield
        return
    import fcntl

    lock_path = Path(tracking_uri.removeprefix("sqlite:///") + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


__all__ = ["artifact_root", "default_tracking_uri", "resolve_tracking_uri", "store_lock", "ui_command"]
