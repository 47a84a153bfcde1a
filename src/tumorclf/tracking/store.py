"""Where MLflow runs are kept: the artifact root, the store's lock, the UI command.

The tracking URI itself is resolved by :func:`tumorclf.paths.resolve_tracking_uri`
(the flag, ``$MLFLOW_TRACKING_URI``, the config, else an sqlite database in
``experiments/`` with artifacts in ``experiments/artifacts``). Nothing here imports mlflow.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

ARTIFACTS = "artifacts"


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


__all__ = ["artifact_root", "store_lock", "ui_command"]
