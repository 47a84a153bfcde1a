"""A served model for the page's tests: a champion-like model with sets and alert, under uvicorn in
a thread."""

from __future__ import annotations

import threading

import pytest

from ..conftest import calibrated_classifier, consecutive_champion


@pytest.fixture(scope="session")
def classifier(generator):
    """The default train's kind of champion (the consecutive finding model, with what stands
    behind its rates) with calibrated sets and alert (calibrated here on synthetic cases)."""
    return calibrated_classifier(generator, fitted=consecutive_champion(generator))


@pytest.fixture(scope="module")
def server(classifier):
    """The app under uvicorn on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    from tumorclf.serve import create_app
    from tumorclf.tracking.ui import free_port

    port = free_port()
    instance = uvicorn.Server(
        uvicorn.Config(
            create_app(classifier),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
    )
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    ready = threading.Event()
    while not ready.wait(0.05):  # uvicorn sets `started` once it listens; a dead thread would never
        if instance.started:
            ready.set()
        elif not thread.is_alive():
            pytest.fail("the server thread stopped before listening")
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join()
