"""Fully reported textbook vignettes: a benchmark of how a complete report is read.

``data/vignettes.csv`` holds cases of every class with every field stated,
each built from cited reference descriptions of the class's imaging (see
``data/README.md``). Real published rows are mostly abstracts: their CV
cannot show how a model reads a radiologist's complete report, where every
finding is stated for its own reasons. The vignettes can. They are scored
as entered under a uniform class prior, and never used to fit, tune or
choose anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tumorclf.model.readings import in_reading
from tumorclf.prediction.probabilities import prior_weights, shift_prior
from tumorclf.schema import FIELDS, LABEL, validate
from tumorclf.training.metrics import vignette_metrics

#: Columns of the vignettes file besides the schema's: how typical the case is, its sources, the
#: basis of each value.
VIGNETTE_COLUMNS = ("variant",)


def load_vignettes(path: str | Path, classes: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The vignettes as a validated frame (schema fields, ``diagnosis``, ``id``) and their
    ``variant`` column.

    Raises
    ------
    tumorclf.schema.CaseValidationError
        If a vignette is not a valid case.
    """
    from tumorclf.case_io import read_cases_csv

    raw = read_cases_csv(path)
    kept = raw[[c for c in raw.columns if c in (*FIELDS, LABEL, "id")]]
    return validate(kept, classes=classes).reset_index(drop=True), raw[
        ["id", *VIGNETTE_COLUMNS]
    ].reset_index(drop=True)


def uniform_shift(
    proba: np.ndarray, training_prior: Mapping[str, float] | None, classes: Sequence[str]
) -> np.ndarray:
    """Probabilities under a uniform class prior, from those under ``training_prior`` (Bayes'
    rule)."""
    if not training_prior:
        return proba
    training = np.array([training_prior.get(c) or 0.0 for c in classes])
    return shift_prior(proba, prior_weights(np.full(len(classes), 1.0 / len(classes)), training))


def score_vignettes(
    model: Any,
    vignettes: pd.DataFrame,
    classes: Sequence[str],
    training_prior: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, dict[str, float]]:
    """A fitted model's probabilities on the vignettes (read as entered, uniform prior) and their
    figures.

    ``classes`` is the sorted class order of the model's columns; ``training_prior``
    the class prior its probabilities are under, if not uniform.
    """
    X = vignettes.drop(columns=[LABEL, "id"], errors="ignore")
    raw = in_reading(model, "as_entered").predict_proba(X)
    proba = np.zeros((len(X), len(classes)))
    position = {c: i for i, c in enumerate(classes)}
    for j, c in enumerate(model.classes_):
        proba[:, position[str(c)]] = raw[:, j]
    proba = uniform_shift(proba, training_prior, classes)
    y = np.searchsorted(np.asarray(classes), vignettes[LABEL].astype(str).to_numpy())
    return proba, vignette_metrics(y, proba, classes)


def add_vignette_figures(
    reports: Sequence[Any],
    vignettes: pd.DataFrame,
    classes: Sequence[str],
    generator: Any,
    literature: Any,
    real: pd.DataFrame,
) -> None:
    """Score every candidate's final model and every reference on the vignettes (as entered, uniform
    prior): each report gets ``vignette_proba`` and ``vignette_*`` metrics.

    The references are fitted as they are scored on real cases: the literature
    and the updated priors' exact posteriors, and the seed rule on every real case.
    """
    from tumorclf.training.candidates import LITERATURE, ORACLE, SEED_RULE
    from tumorclf.training.references import OracleClassifier, SeedRuleClassifier

    y_real = real["diagnosis"].astype(str).to_numpy(dtype=object)
    X_real = real.drop(columns=["diagnosis"])
    reference_models = {
        ORACLE: OracleClassifier(generator, prior="uniform"),
        LITERATURE: OracleClassifier(literature, prior="uniform"),
        SEED_RULE: SeedRuleClassifier(),
    }
    for report in reports:
        if report.failed:
            continue
        if report.reference:
            model = reference_models.get(report.name)
            if model is None:
                continue
            model.fit(X_real, y_real)
            prior = _class_shares(y_real) if report.name == SEED_RULE else None
        else:
            if report.model is None:
                continue
            model, prior = report.model, report.training_prior
        proba, figures = score_vignettes(model, vignettes, classes, prior)
        report.vignette_proba = proba
        report.metrics.update({f"vignette_{k}": v for k, v in figures.items()})


def _class_shares(labels: np.ndarray) -> dict[str, float]:
    values, counts = np.unique(np.asarray(labels, dtype=str), return_counts=True)
    return {str(v): float(k / counts.sum()) for v, k in zip(values, counts, strict=True)}


__all__ = [
    "VIGNETTE_COLUMNS",
    "add_vignette_figures",
    "load_vignettes",
    "score_vignettes",
    "uniform_shift",
]
