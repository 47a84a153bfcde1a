"""tumorclf ui: loopback, one worker, a clear error when the port is taken."""

from __future__ import annotations

import socket
import sys

import pytest

from tumorclf.tracking.ui import free_port, serve, ui_argv


def test_ui_runs_mlflow_on_loopback_with_one_worker():
    argv = ui_argv("sqlite:///x.db", "127.0.0.1", 5123)
    assert argv[:4] == [sys.executable, "-m", "mlflow", "ui"]
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert argv[argv.index("--workers") + 1] == "1"
    assert argv[argv.index("--backend-store-uri") + 1] == "sqlite:///x.db"


def test_a_taken_port_is_a_clear_error():
    port = free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        with pytest.raises(OSError, match=f"port {port} on 127.0.0.1 is already in use"):
            serve("sqlite:///unused.db", "127.0.0.1", port)
