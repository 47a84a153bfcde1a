"""Write files so that a reader sees the old file or the whole new one, never a part.

Temporary files can be kept out of the destination folder (``temp_dir``), so
that even a SIGKILL leaves nothing half-written where results live. Their
names carry the writer's process id, so :func:`sweep_stale` can tell the
leftovers of dead processes from the work of live ones.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from tumorclf.process import pid_alive


@contextlib.contextmanager
def atomic_write(
    path: str | Path,
    mode: str = "w",
    encoding: str | None = "utf-8",
    temp_dir: str | Path | None = None,
) -> Iterator[IO]:
    """Open a temporary file; on success fsync it and rename it over ``path``.

    ``temp_dir`` (default: beside ``path``) must be on the same file system.
    If the block raises, ``path`` is untouched and the temporary file removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(temp_dir) if temp_dir is not None else path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def staging_dir(destination: str | Path) -> Path:
    """A hidden sibling of ``destination`` for work in progress (same file system)."""
    destination = Path(destination).resolve()
    return destination.parent / f".{destination.name}-staging"


def owner_pid(name: str) -> int | None:
    """The process id in a staged name (``run-<pid>-...`` or ``.file.<pid>.xxx.tmp``), if any."""
    for part in name.replace("-", ".").split("."):
        if part.isdigit():
            return int(part)
    return None


def sweep_stale(folder: str | Path) -> list[Path]:
    """Remove entries of ``folder`` left by processes that no longer run; return them."""
    folder = Path(folder)
    removed = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        pid = owner_pid(entry.name)
        if pid is None or pid_alive(pid):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        removed.append(entry)
    return removed


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is done (a commit that must not be cut in half)."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
