"""A served model for the page's tests: a champion-like model with sets and alert, under uvicorn in
a thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tumorclf.prediction import Classifier

from ..conftest import fit_candidate


@pytest.fixture(scope="module")
def classifier(generator):
    """A champion-like model with calibrated sets and alert (calibrated here on synthetic cases)."""
    from tumorclf.prediction.conformal import fit_alert, fit_sets

    model, manifest = fit_candidate(generator, n=3000)
    plain = Classifier(model, manifest)
    cal = generator.sample(1500, balance="uniform", random_state=5, missingness="as_entered")
    y = np.array([plain.classes_.index(v) for v in cal.pop("diagnosis")])
    proba = plain.predict_proba_array(cal.drop(columns="source"))
    manifest = {
        **manifest,
        "coverage": fit_sets(proba, y, plain.classes_).to_manifest(),
        "mcs_alert": fit_alert(
            proba[:, plain.classes_.index("mcs")], y == plain.classes_.index("mcs")
        ).to_manifest(),
    }
    return Classifier(model, manifest)


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
