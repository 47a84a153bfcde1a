"""Shared fixtures: the default generator, the seed paper's case, a noisy classifier's predictions,
and the session's two tiny trains."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tumorclf import examples
from tumorclf.synthetic import CaseGenerator, load_generator

#: Chen & Lai 2022, the case the project grew from (a copy: tests may change theirs).
SEED_CASE = dict(examples.SEED_CASE)


@pytest.fixture(scope="session", autouse=True)
def _signing_key_of_this_test_session(tmp_path_factory):
    """Models the tests train are signed with a throwaway key, never the user's own."""
    previous = os.environ.get("TUMORCLF_SIGNING_KEY")
    os.environ["TUMORCLF_SIGNING_KEY"] = str(tmp_path_factory.mktemp("signing") / "signing.key")
    yield
    if previous is None:
        os.environ.pop("TUMORCLF_SIGNING_KEY", None)
    else:
        os.environ["TUMORCLF_SIGNING_KEY"] = previous


@pytest.fixture(scope="session")
def generator() -> CaseGenerator:
    return load_generator()


@pytest.fixture(scope="session")
def tiny_trains(tmp_path_factory):
    """Two tiny trains into one store and models folder, the second with another sample size (a
    retrain, as a person makes one): ``(tracking URI, root folder, [first, second])``. Shared by the
    tests that read a trained store and change nothing in it."""
    from tumorclf.training.run import train

    from .training.conftest import tiny_config

    root = tmp_path_factory.mktemp("tiny-trains")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    models = root / "models"
    first = train(tiny_config(), tracking_uri=uri, models_dir=models, label="synthetic.n=350")
    config = tiny_config()
    config["synthetic"] = {**config["synthetic"], "n": 420}
    second = train(config, tracking_uri=uri, models_dir=models, label="synthetic.n=420")
    return uri, root, [first, second]


@pytest.fixture
def seed_case() -> dict:
    return dict(SEED_CASE)


def as_from_a_terminal() -> None:
    """``preexec_fn`` for a child that a test will Ctrl-C: SIGINT back to its default.

    A shell's background jobs (CI harnesses, ``nohup ... &``) start with SIGINT
    ignored, and children inherit that; Python then never raises
    KeyboardInterrupt, so a test's Ctrl-C would go unheard.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def fit_candidate(
    generator: CaseGenerator, name: str = "naive_bayes", n: int = 8000, seed: int = 0
):
    """A default-config candidate fitted on ``n`` uniform synthetic cases masked as entered, and a
    manifest for it."""
    from tumorclf.schema import SCHEMA_VERSION
    from tumorclf.training.candidates import build_pipeline
    from tumorclf.training.config import load_config

    frame = generator.sample(n, balance="uniform", random_state=seed, missingness="as_entered")
    y = frame.pop("diagnosis").astype(str)
    model = build_pipeline(load_config()["candidates"][name], seed).fit(
        frame.drop(columns="source"), y
    )
    manifest = {
        "candidate": name,
        "display_order": list(generator.classes_),
        "schema_version": SCHEMA_VERSION,
        "training_prior": {c: 1 / len(generator.classes_) for c in generator.classes_},
        "clinical_prior": dict(
            zip(generator.classes_, map(float, generator.clinical_prior_), strict=True)
        ),
        "readings": ["as_entered"],
    }
    return model, manifest


@pytest.fixture
def broken_logistic_regression(monkeypatch):
    """The logistic regression candidate made to fail at every fit, for this test only."""
    from sklearn.linear_model import LogisticRegression

    from tumorclf.training import candidates

    class Exploding(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise RuntimeError("deliberately broken")

    _, scaling = candidates.MODEL_FACTORIES["logistic_regression"]
    monkeypatch.setitem(
        candidates.MODEL_FACTORIES,
        "logistic_regression",
        (lambda seed, **p: Exploding(**p), scaling),
    )


def calibrated_classifier(
    generator: CaseGenerator, n: int = 3000, n_calibration: int = 1500, fitted=None
):
    """A champion-like :class:`~tumorclf.prediction.Classifier`: a default-config naive Bayes (or
    ``fitted``, a (model, manifest) pair) with coverage sets and an MCS alert (which can be chosen
    again under another prior), calibrated on synthetic cases."""
    from tumorclf.prediction import Classifier
    from tumorclf.prediction.conformal import AlertCalibration, fit_alert, fit_sets

    model, manifest = fitted or fit_candidate(generator, n=n)
    plain = Classifier(model, manifest)
    cal = generator.sample(
        n_calibration, balance="uniform", random_state=5, missingness="as_entered"
    )
    y = np.array([plain.classes_.index(v) for v in cal.pop("diagnosis")])
    proba = plain.predict_proba_array(cal.drop(columns="source"))
    is_mcs = y == plain.classes_.index("mcs")
    alert = fit_alert(proba[:, plain.classes_.index("mcs")], is_mcs).to_manifest()
    calibration = AlertCalibration(tuple(plain.classes_), proba, is_mcs, 0.9).to_manifest()
    return Classifier(
        model,
        {
            **manifest,
            "coverage": fit_sets(proba, y, plain.classes_).to_manifest(),
            "mcs_alert": {**alert, "calibration": calibration},
        },
    )


def consecutive_champion(generator: CaseGenerator):
    """The default train's kind of champion, without the train: the consecutive finding model
    fitted to the shipped real cases and series, with a manifest for it."""
    from tumorclf.case_io import read_cases_csv
    from tumorclf.model.estimator import DEFAULT_GRID, UpdatedPriorsClassifier
    from tumorclf.paths import default_real_cases_path
    from tumorclf.schema import validate

    real = validate(read_cases_csv(default_real_cases_path()), classes=generator.classes_)
    settings = {k: v[0] for k, v in DEFAULT_GRID.items()}
    model = UpdatedPriorsClassifier(generator.priors, **settings).fit(
        real, real["diagnosis"].astype(str).to_numpy(dtype=object)
    )
    _, manifest = fit_candidate(generator, n=200)
    return model, {
        **manifest,
        "candidate": "updated_priors",
        "readings": ["as_entered", "as_published"],
    }


def noisy_predictions(
    n: int, n_classes: int, seed: int, signal: float = 1.0, sharpness: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Labels and a noisy classifier's probabilities for them: exchangeable draws of one process.

    ``signal`` is the true class's logit lead; ``sharpness`` multiplies every logit (above 1:
    overconfident).
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    logits = rng.normal(size=(n, n_classes))
    logits[np.arange(n), y] += signal
    proba = np.exp(sharpness * logits)
    return y, proba / proba.sum(axis=1, keepdims=True)
