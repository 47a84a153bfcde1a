"""A tiny experiment config: seconds to train, every part of the pipeline exercised."""

from __future__ import annotations

import pytest

from tumorclf.training.config import load_config

TINY = [
    "synthetic.n=350",
    "fill_in.n=140",
    "cv.folds=2",
    "cv.inner_folds=2",
    "real_cv.folds=3",
    "prior_update.inner_folds=2",
    "prior_update.grid={strength: [4.0, 16.0], reporting_strength: [10.0], styles: [1],"
    " floor: [0.01], temperature: [0.7]}",
    "parallel.n_jobs=1",
]
TINY_CANDIDATES = {
    "logistic_regression": {
        "model": "logistic_regression",
        "encoding": "compact",
        "calibration": "none",
        "params": {"max_iter": 500},
        "grid": {"C": [0.1, 1.0]},
    },
    "naive_bayes": {
        "model": "categorical_naive_bayes",
        "encoding": "categories",
        "calibration": "none",
        "params": {},
        "grid": {"alpha": [1.0]},
    },
}

#: Fewer parts for the tests about plumbing (an interrupted train, two trains at once, a remote
#: store): one candidate, one reference, a prior update of one grid point. Every stage of a train
#: is still met.
PLUMBING = [
    *TINY,
    "prior_update.grid={strength: [8.0], reporting_strength: [10.0], styles: [1], floor: [0.01],"
    " temperature: [1.0]}",
    "references.seed_rule=false",
    "references.bayes_oracle=false",
]
PLUMBING_CANDIDATES = {"naive_bayes": TINY_CANDIDATES["naive_bayes"]}


def evaluation_inputs(config):
    """What :func:`evaluate` takes besides the candidates: the synthetic sample from the priors
    updated on every real case, the real cases, the literature and updated generators, and the
    per-fold prior updates."""
    from tumorclf.case_io import read_cases_csv
    from tumorclf.model.priors import load_priors
    from tumorclf.paths import default_priors_path, default_real_cases_path
    from tumorclf.schema import validate
    from tumorclf.synthetic import CaseGenerator
    from tumorclf.training.evaluation import prior_updates

    priors = load_priors(default_priors_path())
    real = validate(read_cases_csv(default_real_cases_path()), classes=priors.classes).reset_index(
        drop=True
    )
    overall, folds = prior_updates(priors, real, config)
    synthetic = overall.generator.sample(
        config["synthetic"]["n"], balance="uniform", random_state=config["seed"]
    )
    return synthetic, real, CaseGenerator(priors), overall.generator, folds


def run_evaluation(config, inputs, **options):
    from tumorclf.training.candidates import candidates_from_config
    from tumorclf.training.evaluation import evaluate

    synthetic, real, literature, updated, folds = inputs
    return evaluate(
        candidates_from_config(config, updated, literature),
        synthetic,
        real,
        updated,
        config,
        folds,
        **options,
    )


def plumbing_config():
    """The :data:`PLUMBING` config, for tests of what surrounds the models, not of the models."""
    config = load_config(overrides=PLUMBING)
    config["candidates"] = {k: dict(v) for k, v in PLUMBING_CANDIDATES.items()}
    return config


def tiny_config(**changes):
    config = load_config(overrides=TINY)
    config["candidates"] = {k: dict(v) for k, v in TINY_CANDIDATES.items()}
    for key, value in changes.items():
        config[key] = value
    return config


@pytest.fixture
def tiny():
    return tiny_config()
