"""Real-case cross-validation: folds grouped by source, the prior update refit in each.

The real cases are split by :class:`~sklearn.model_selection.StratifiedGroupKFold`
with the ``source`` of each case as its group, so that one paper's patients
never sit on both sides of a fold. In every fold the literature priors are
updated on the training cases alone (their settings chosen by an inner
grouped CV on those cases, :func:`tumorclf.model.estimator.update_search`);
that fold's updated generator then draws the synthetic fill-in of every
candidate trained in the fold, and its posterior is the fold's "fitted
oracle". Nothing of a fold's test cases reaches its model.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from tumorclf.features import encode_arrays
from tumorclf.model.estimator import (
    DEFAULT_GRID,
    UpdatedPriorsClassifier,
    groups_of,
    update_search,
)
from tumorclf.model.priors import Priors
from tumorclf.model.readings import in_reading
from tumorclf.schema import as_case_arrays
from tumorclf.synthetic import CaseGenerator

#: Fold number of the update fitted on every real case (the champion's).
ALL_CASES = -1


class RealCasesError(ValueError):
    """The real cases cannot support the requested evaluation; the message has the numbers."""


@dataclass
class PriorUpdate:
    """The literature priors updated on one fold's training cases (or on all of them)."""

    fold: int
    generator: CaseGenerator
    best_params: dict[str, Any]
    train_index: np.ndarray
    test_index: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    proba: np.ndarray | None = (
        None  # the updated posterior of the test cases as entered, sorted class order
    )
    proba_published: np.ndarray | None = None  # the same, the test cases read as published
    seconds: float = 0.0
    estimator: UpdatedPriorsClassifier | None = (
        None  # the fitted model (settings chosen by the inner CV)
    )


def grouped_splits(
    y: np.ndarray, groups: np.ndarray, folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds over the real cases, grouped by source and seeded.

    Raises
    ------
    RealCasesError
        If a class has fewer sources than folds (a fold would miss it).
    """
    for label in np.unique(y):
        n_groups = len(set(groups[y == label]))
        if n_groups < folds:
            raise RealCasesError(
                f"Requesting {folds}-fold grouped CV but class {label!r} has real cases from only "
                f"{n_groups} source(s) ({int((y == label).sum())} cases); lower real_cv.folds."
            )
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y, groups))


def update_priors(
    priors: Priors,
    real: pd.DataFrame,
    y: np.ndarray,
    groups: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    fold: int,
    settings: Mapping[str, Any],
    seed: int,
) -> PriorUpdate:
    """Update the literature priors on ``real.iloc[train]``; score ``real.iloc[test]``."""
    start = time.perf_counter()
    inner = min(
        settings["inner_folds"],
        *(len(set(groups[train][y[train] == c])) for c in np.unique(y[train])),
    )
    grid = settings.get("grid") or DEFAULT_GRID
    codes = encode_arrays(as_case_arrays(real.iloc[train]), "codes")
    if all(len(values) == 1 for values in grid.values()):  # one setting: nothing to choose
        chosen = {k: values[0] for k, values in grid.items()}
        best = UpdatedPriorsClassifier(priors, **chosen).fit(codes, y[train])
    else:
        search = update_search(
            priors, grid, folds=max(inner, 2), random_state=seed,
            reading=settings.get("reading", "as_entered"),
        )  # fmt: skip
        # The schema's codes, validated once: the search fits and scores hundreds of times on
        # slices of them.
        search.fit(codes, y[train], groups=groups[train])
        best, chosen = search.best_estimator_, search.best_params_
    tested = real.iloc[test]
    proba = in_reading(best, "as_entered").predict_proba(tested) if len(test) else None
    published = in_reading(best, "as_published").predict_proba(tested) if len(test) else None
    chosen = {k: (v if isinstance(v, str) else float(v)) for k, v in chosen.items()}
    return PriorUpdate(
        fold,
        CaseGenerator.from_model(best),
        chosen,
        train,
        test,
        proba,
        published,
        time.perf_counter() - start,
        best,
    )


def update_tasks(
    priors: Priors,
    real: pd.DataFrame,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    settings: Mapping[str, Any],
    seed: int,
) -> list[tuple[Any, ...]]:
    """Arguments of :func:`update_priors` for every fold, and for all cases (fold -1)."""
    y = real["diagnosis"].astype(str).to_numpy(dtype=object)
    groups = groups_of(real)
    every = np.arange(len(real))
    jobs = [(priors, real, y, groups, every, np.array([], dtype=int), ALL_CASES, settings, seed)]
    jobs += [
        (priors, real, y, groups, train, test, k, settings, seed)
        for k, (train, test) in enumerate(splits)
    ]
    return jobs


__all__ = [
    "ALL_CASES",
    "PriorUpdate",
    "RealCasesError",
    "grouped_splits",
    "groups_of",
    "update_priors",
    "update_tasks",
]
