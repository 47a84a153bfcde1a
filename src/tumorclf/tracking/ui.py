"""Serve the MLflow UI over the project's store: loopback, one worker, stopped cleanly.

The UI runs as a child process group (``mlflow ui``), so stopping it (Ctrl-C,
SIGTERM, or an error here) stops every process it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

STOP_GRACE_SECONDS = 10.0


def ui_argv(tracking_uri: str, host: str, port: int, workers: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mlflow",
        "ui",
        "--backend-store-uri",
        tracking_uri,
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def port_is_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_until_listening(process: subprocess.Popen, host: str, port: int, timeout: float) -> bool:
    """True once something listens on ``host:port``; False if ``process`` exits or time runs out
    first."""
    deadline = time.monotonic() + timeout
    while not port_is_open(host, port):
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def wait_until_closed(host: str, port: int, timeout: float) -> bool:
    """True once nothing listens on ``host:port`` (a server's workers may outlive it by a
    moment)."""
    deadline = time.monotonic() + timeout
    while port_is_open(host, port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the UI's process group, then SIGKILL what is left after a grace period."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # The server's workers (uvicorn, job runners) may outlive its main process: none is left behind.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def serve(
    tracking_uri: str,
    host: str = "127.0.0.1",
    port: int = 5000,
    *,
    workers: int = 1,
    on_ready: Callable[[str], None] = print,
    ready_timeout: float = 120.0,
) -> int:
    """Run the UI until it exits or we are told to stop; return its exit code (0 when stopped)."""
    if port_is_open(host, port):
        raise OSError(f"port {port} on {host} is already in use; choose another with --port")
    process = subprocess.Popen(ui_argv(tracking_uri, host, port, workers), start_new_session=True)

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        if not wait_until_listening(process, host, port, ready_timeout):
            if process.poll() is not None:
                return process.returncode
            raise TimeoutError(f"the MLflow UI did not start within {ready_timeout:.0f} s")
        on_ready(f"http://{host}:{port}")
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop(process)
        signal.signal(signal.SIGTERM, previous)
