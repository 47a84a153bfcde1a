"""Cross-validation of every candidate and reference, run as independent tasks.

Two evaluations, kept apart by construction:

* **real grouped CV** (the evidence, and what selects the champion): folds
  over the real cases grouped by source (:mod:`tumorclf.training.real_cv`).
  In each fold the priors are updated on the training cases alone, and each
  candidate learns what its kind says (:mod:`tumorclf.training.candidates`):
  synthetic fill-in drawn from that fold's updated priors, with the training
  cases too where ``fill_in.real_rows`` says so
  (:func:`~tumorclf.training.fill_in.fill_in_rows`), or the training cases
  alone; its grid is tuned by an inner CV on that training side. The prior
  update itself takes the fold's update as it is. The held-out cases are
  scored read as entered and, where a model has that reading, as published
  (its ``reading`` parameter set: :func:`~tumorclf.model.readings.in_reading`).
  No synthetic row is ever scored, and no scored case is in its model's
  training data or in its priors' update.
* **synthetic CV** (a diagnostic): repeated stratified k-fold over a sample
  from the priors updated on every real case; each outer training fold tunes
  the grid by an inner stratified CV; the oracle is scored on the very same
  outer test folds, giving each fold's ``oracle_ratio``.

The final model's hyperparameters are chosen by an inner CV over the rows
its final fit learns from (:func:`final_training_set`). Tasks are seeded
from (seed, candidate, fold) alone, so results do not depend on which worker
runs them or in which order they finish.
"""

from __future__ import annotations

import contextlib
import copy
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, RepeatedStratifiedKFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from tumorclf import stages
from tumorclf.features import CaseEncoder
from tumorclf.model.readings import in_reading
from tumorclf.training.candidates import ORACLE, Candidate, has_readings
from tumorclf.training.fill_in import fill_in_rows
from tumorclf.training.intervals import source_bootstrap
from tumorclf.training.metrics import (
    calibrated_ece_reference,
    classification_metrics,
    expected_calibration_error,
    log_loss,
    summarise,
)
from tumorclf.training.real_cv import (
    ALL_CASES,
    PriorUpdate,
    grouped_splits,
    groups_of,
    update_priors,
    update_tasks,
)


@dataclass
class FoldResult:
    """What one task produced: the scored rows and their probabilities, or the error."""

    candidate: str
    kind: str  # "synthetic", "tune", "real", "final"
    fold: int
    test_index: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    train_index: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    proba: np.ndarray | None = None  # as entered (a discriminative model's one reading)
    best_params: dict[str, Any] = field(default_factory=dict)
    fit_seconds: float = 0.0
    n_synthetic_train: int = 0
    model: Any = None
    error: str | None = None
    proba_published: np.ndarray | None = None  # as published, where the model has that reading
    training_prior: dict[str, float] | None = (
        None  # the class prior a final model's probabilities are under
    )

    def proba_in(self, reading: str) -> np.ndarray | None:
        """The scored rows' probabilities with the cases read ``reading``."""
        if reading == "as_published" and self.proba_published is not None:
            return self.proba_published
        return self.proba


@dataclass
class EvaluationData:
    """What the tasks read: the synthetic sample and its outer folds, the rows a final model learns
    from, the real cases, and the prior update of each real fold and of all of them."""

    X_syn: pd.DataFrame
    y_syn: np.ndarray
    outer: list[tuple[np.ndarray, np.ndarray]]
    X_final: pd.DataFrame
    y_final: np.ndarray
    X_real: pd.DataFrame
    y_real: np.ndarray
    fold_updates: Sequence[Any]
    overall: Any = None

    def shared(self) -> list[Any]:
        """The large objects many tasks take, sent to a cluster once."""
        return [
            self.X_syn,
            self.y_syn,
            self.X_final,
            self.y_final,
            self.X_real,
            self.y_real,
            *(u.generator for u in self.fold_updates),
        ]


@contextlib.contextmanager
def execution(parallel: Mapping[str, Any], scatter: Sequence[Any] = ()) -> Iterator[int]:
    """Where the tasks run: joblib processes here, or an existing Dask cluster; yields n_jobs.

    The dask backend joins the scheduler at ``parallel.scheduler_address`` and
    never starts a cluster of its own. The objects in ``scatter`` (the data
    frames every task shares) go to the workers once; tasks then carry
    references to them instead of copies.
    """
    if parallel.get("backend", "local") != "dask":
        yield parallel["n_jobs"]
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise RuntimeError(
            "parallel.backend dask needs dask.distributed: pip install 'tumorclf[dask]'"
        ) from None

    client = Client(parallel["scheduler_address"], timeout="30s", set_as_default=True)
    try:
        with parallel_config(backend="dask", scatter=list(scatter) or None):
            yield -1
    finally:
        client.close()


def task_seed(seed: int, *keys: int) -> int:
    return int(np.random.SeedSequence([seed, *keys]).generate_state(1)[0] % (2**31 - 1))


def aligned_proba(
    model: Any, X: Any, classes: Sequence[str], reading: str | None = None
) -> np.ndarray:
    """predict_proba (the cases read ``reading`` where the model takes one) with columns in
    ``classes`` order (0 for a class the model never saw)."""
    if reading is not None:
        model = in_reading(model, reading)
    raw = model.predict_proba(X)
    out = np.zeros((raw.shape[0], len(classes)))
    position = {c: i for i, c in enumerate(classes)}
    for j, c in enumerate(model.classes_):
        out[:, position[str(c)]] = raw[:, j]
    return out


def fit_tuned(
    estimator: Any, grid: dict[str, list[Any]], X: Any, y: Any, inner_folds: int, seed: int
) -> tuple[Any, dict[str, Any]]:
    """The estimator fitted on ``X, y`` with its grid tuned by an inner stratified CV (refitted on
    every row at the best point), and that point; a grid of one point is fitted as it is."""
    points = int(np.prod([len(v) for v in grid.values()])) if grid else 1
    if points <= 1:
        return clone(estimator).set_params(**{k: v[0] for k, v in grid.items()}).fit(X, y), {}
    search = GridSearchCV(
        estimator,
        grid,
        scoring="neg_log_loss",
        n_jobs=1,
        refit=True,
        cv=StratifiedKFold(inner_folds, shuffle=True, random_state=seed),
    ).fit(X, y)
    return search.best_estimator_, dict(search.best_params_)


def _guard(task: Callable[[], FoldResult], candidate: str, kind: str, fold: int) -> FoldResult:
    stages.reached("cv_task")
    try:
        return task()
    except Exception:  # a failing candidate must not stop the others
        return FoldResult(candidate, kind, fold, error=traceback.format_exc(limit=6))


def synthetic_fold(
    candidate: Candidate,
    data: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    fold: int,
    classes: Sequence[str],
    inner_folds: int,
    seed: int,
) -> FoldResult:
    def run() -> FoldResult:
        s = task_seed(seed, fold)
        start = time.perf_counter()
        model, best = fit_tuned(
            candidate.build(s), candidate.grid, data.iloc[train], y[train], inner_folds, s
        )
        fit_seconds = time.perf_counter() - start
        return FoldResult(
            candidate.name,
            "synthetic",
            fold,
            test,
            train,
            aligned_proba(model, data.iloc[test], classes),
            best,
            fit_seconds,
        )

    return _guard(run, candidate.name, "synthetic", fold)


def tune_on_all(
    candidate: Candidate,
    data: pd.DataFrame,
    y: np.ndarray,
    inner_folds: int,
    seed: int,
    final_seed: int | None = None,
) -> FoldResult:
    """Tune the candidate's grid on every row its final model learns from; with ``final_seed``, fit
    that final model in the same task (seeded apart from the search), so it waits for no other
    task."""

    def run() -> FoldResult:
        start = time.perf_counter()
        _, best = fit_tuned(candidate.build(seed), candidate.grid, data, y, inner_folds, seed)
        if final_seed is None:
            return FoldResult(
                candidate.name,
                "tune",
                -1,
                best_params=best,
                fit_seconds=time.perf_counter() - start,
            )
        model = candidate.build(final_seed).set_params(**best).fit(data, y)
        labels, counts = np.unique(np.asarray(y, dtype=str), return_counts=True)
        shares = {str(c): float(k / counts.sum()) for c, k in zip(labels, counts, strict=True)}
        return FoldResult(
            candidate.name,
            "final",
            -1,
            best_params=best,
            fit_seconds=time.perf_counter() - start,
            model=model,
            training_prior={str(c): shares.get(str(c), 0.0) for c in model.classes_},
        )

    return _guard(run, candidate.name, "tune", -1)


def real_fold(
    candidate: Candidate,
    real: pd.DataFrame,
    y_real: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    fold: int,
    classes: Sequence[str],
    generator: Any,
    fill_in: Mapping[str, Any],
    inner_folds: int,
    seed: int,
) -> FoldResult:
    """One candidate on one real fold: tuned and fitted on the training side, scored on the test
    side."""

    def run() -> FoldResult:
        s = task_seed(seed, fold)
        start = time.perf_counter()
        settings = candidate.fill_in(fill_in)
        if settings is None:  # the training cases alone
            X, y, n_synthetic = real.iloc[train], y_real[train], 0
        else:
            X, y = fill_in_rows(
                real.iloc[train],
                y_real[train],
                generator,
                n=settings["n"],
                balance=settings["balance"],
                missingness=settings.get("missingness", "as_entered"),
                real_rows=bool(settings.get("real_rows", True)),
                random_state=s,
            )
            n_synthetic = settings["n"]
        model, best = fit_tuned(candidate.build_for_real(s), candidate.grid, X, y, inner_folds, s)
        tested = real.iloc[test]
        published = (
            aligned_proba(model, tested, classes, "as_published") if has_readings(model) else None
        )
        return FoldResult(
            candidate.name,
            "real",
            fold,
            test,
            train,
            aligned_proba(model, tested, classes, "as_entered"),
            best,
            time.perf_counter() - start,
            n_synthetic_train=n_synthetic,
            proba_published=published,
        )

    return _guard(run, candidate.name, "real", fold)


def final_training_set(
    generator: Any, real: pd.DataFrame, config: Mapping[str, Any]
) -> tuple[pd.DataFrame, np.ndarray]:
    """What a fill-in candidate's final model learns from: ``synthetic.n`` rows drawn as the fill-in
    is (balance, missingness), from the priors updated on every real case, with the real rows if
    ``real_rows``."""
    fill_in = config["fill_in"]
    frame = generator.sample(
        config["synthetic"]["n"],
        balance=fill_in["balance"],
        random_state=task_seed(config["seed"], 3),
        missingness=fill_in["missingness"],
    )
    if fill_in.get("real_rows", True):
        frame = pd.concat([frame, real.drop(columns=["id"], errors="ignore")], ignore_index=True)
    y = frame.pop("diagnosis").astype(str).to_numpy(dtype=object)
    return frame.drop(columns=["source", "quote", "remarks"], errors="ignore"), y


@dataclass
class CandidateReport:
    """Everything measured for one candidate or reference."""

    name: str
    reference: bool
    folds: list[FoldResult]
    metrics: dict[str, float]
    best_params: dict[str, Any]
    model: Any
    error: str | None
    fit_seconds: float
    training_prior: dict[str, float] | None = (
        None  # the class prior the final model's probabilities are under
    )
    vignette_proba: np.ndarray | None = (
        None  # the vignettes, as entered, uniform prior (sorted class order)
    )

    @property
    def failed(self) -> bool:
        return self.error is not None

    def pooled(self, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every scored row of one kind of fold ("real", "synthetic"): its index, fold and
        probabilities."""
        folds = [
            f for f in self.folds if f.kind == kind and f.error is None and f.proba is not None
        ]
        if not folds:
            return np.array([], dtype=int), np.array([], dtype=int), np.empty((0, 0))
        index = np.concatenate([f.test_index for f in folds])
        fold = np.concatenate([np.full(len(f.test_index), f.fold) for f in folds])
        return index, fold, np.vstack([f.proba for f in folds])


@dataclass(frozen=True)
class OnItsOwn:
    """A task whose inner loops (grid searches, forests) run sequentially in its own process.

    joblib's Dask backend sends every nested ``Parallel``, even ``n_jobs=1``,
    back to the cluster: thousands of 10 ms round trips that made each task
    several times slower than under local joblib. A task is the unit of work.
    """

    func: Callable[..., Any]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with parallel_config(backend="sequential"):
            return self.func(*args, **kwargs)


def run_tasks(
    tasks: list,
    parallel: Mapping[str, Any],
    on_done: Callable[[Any], None] = lambda r: None,
    shared: Sequence[Any] = (),
) -> list:
    """Run delayed tasks where the config says (joblib here or a Dask cluster), in any order.

    ``shared``: the large arguments many tasks take, sent to a cluster once.
    """
    results = []
    tasks = [(OnItsOwn(func), args, kwargs) for func, args, kwargs in tasks]
    with execution(parallel, shared) as n_jobs:
        for result in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks):
            on_done(result)
            results.append(result)
    return results


def prior_updates(
    priors: Any,
    real: pd.DataFrame,
    config: Mapping[str, Any],
    on_task_done: Callable[[FoldResult], None] = lambda result: None,
) -> tuple[PriorUpdate, list[PriorUpdate]]:
    """The literature priors updated on all real cases, and on each real fold's training cases."""
    y = real["diagnosis"].astype(str).to_numpy(dtype=object)
    splits = grouped_splits(y, groups_of(real), config["real_cv"]["folds"], config["seed"])
    tasks = [
        delayed(update_priors)(*job)
        for job in update_tasks(priors, real, splits, config["prior_update"], config["seed"])
    ]
    updates = run_tasks(
        tasks, config["parallel"], lambda u: on_task_done(FoldResult("priors", "update", u.fold))
    )
    updates.sort(key=lambda u: u.fold)
    assert updates[0].fold == ALL_CASES
    return updates[0], updates[1:]


def evaluate(
    candidates: Sequence[Candidate],
    synthetic: pd.DataFrame,
    real: pd.DataFrame,
    generator: Any,
    config: Mapping[str, Any],
    fold_updates: Sequence[PriorUpdate],
    on_task_done: Callable[[FoldResult], None] = lambda result: None,
    overall: PriorUpdate | None = None,
) -> list[CandidateReport]:
    """Run every evaluation task and gather one report per candidate.

    ``synthetic`` and ``real`` are validated frames with a ``diagnosis``;
    ``fold_updates`` holds, per real fold, the priors updated on its training
    cases (:func:`tumorclf.training.real_cv.update_priors`), and ``overall``
    the update on every real case (the final model of the prior update itself).
    """
    classes = sorted(str(c) for c in generator.classes_)
    seed, cv = config["seed"], config["cv"]
    y_syn = synthetic["diagnosis"].astype(str).to_numpy(dtype=object)
    X_syn = synthetic.drop(columns=["diagnosis", "source"], errors="ignore")
    splitter = RepeatedStratifiedKFold(
        n_splits=cv["folds"], n_repeats=cv["repeats"], random_state=seed
    )
    data = EvaluationData(
        X_syn,
        y_syn,
        list(splitter.split(X_syn, y_syn)),
        *final_training_set(generator, real, config),
        real.drop(columns=["diagnosis"], errors="ignore"),
        real["diagnosis"].astype(str).to_numpy(dtype=object),
        fold_updates,
        overall,
    )

    results = run_tasks(
        [
            task
            for c_index, candidate in enumerate(candidates)
            for task in _tasks(candidate, c_index, data, classes, config)
        ],
        config["parallel"],
        on_task_done,
        data.shared(),
    )
    results += [result for candidate in candidates for result in _given(candidate, data)]
    by_candidate: dict[str, list[FoldResult]] = {c.name: [] for c in candidates}
    for result in results:
        by_candidate[result.candidate].append(result)
    oracle_losses = _oracle_fold_losses(by_candidate.get(ORACLE, []), y_syn, classes)
    return [
        _report(
            candidate,
            by_candidate[candidate.name],
            y_syn,
            data.y_real,
            classes,
            oracle_losses,
            groups_of(real),
            seed,
        )
        for candidate in candidates
    ]


def _tasks(
    candidate: Candidate,
    c_index: int,
    data: EvaluationData,
    classes: Sequence[str],
    config: Mapping[str, Any],
) -> list[Any]:
    """A candidate's tasks, as its kind says: the synthetic folds, the tuning of its grid on the
    rows its final model learns from (with that final fit where it has one), and its real folds."""
    if not candidate.scored_on_synthetic():
        return []  # the prior update itself: every fold already fitted
    inner, c_seed = config["cv"]["inner_folds"], task_seed(config["seed"], c_index)
    tasks = [
        delayed(synthetic_fold)(
            candidate, data.X_syn, data.y_syn, train, test, fold, classes, inner, c_seed
        )
        for fold, (train, test) in enumerate(data.outer)
    ]
    final_seed = task_seed(config["seed"], c_index, 2) if candidate.has_final_model() else None
    tasks.append(
        delayed(tune_on_all)(candidate, *candidate.tuning_rows(data), inner, c_seed, final_seed)
    )
    if candidate.fitted_per_real_fold():
        r_seed = task_seed(config["seed"], c_index, 1)
        tasks += [
            delayed(real_fold)(
                candidate,
                data.X_real,
                data.y_real,
                u.train_index,
                u.test_index,
                u.fold,
                classes,
                u.generator,
                config["fill_in"],
                inner,
                r_seed,
            )
            for u in data.fold_updates
        ]
    return tasks


def _given(candidate: Candidate, data: EvaluationData) -> list[FoldResult]:
    """What a candidate's real folds (and, for the prior update itself, its tuning and final model)
    are without any task: the prior updates' own."""
    if candidate.fitted_per_real_fold():
        return []
    given = [
        FoldResult(
            candidate.name,
            "real",
            u.fold,
            u.test_index,
            u.train_index,
            u.proba,
            dict(u.best_params),
            u.seconds,
            proba_published=u.proba_published,
        )
        for u in data.fold_updates
    ]
    overall = data.overall
    if candidate.reference or overall is None:
        return given
    model = copy.copy(
        overall.estimator
    )  # fitted; its priors named by path, not carried as an object
    model.priors = overall.generator.priors.path
    pipeline = Pipeline([("encode", CaseEncoder("codes")), ("model", model)])
    return [
        *given,
        FoldResult(
            candidate.name,
            "tune",
            -1,
            best_params=dict(overall.best_params),
            fit_seconds=overall.seconds,
        ),
        FoldResult(
            candidate.name,
            "final",
            -1,
            best_params=dict(overall.best_params),
            model=pipeline,
            training_prior=dict(model.training_prior_),
        ),
    ]


def _labels(y: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    return np.searchsorted(np.asarray(classes), y)


def _oracle_fold_losses(
    results: list[FoldResult], y: np.ndarray, classes: Sequence[str]
) -> dict[int, float]:
    return {
        r.fold: log_loss(_labels(y[r.test_index], classes), r.proba)
        for r in results
        if r.kind == "synthetic" and r.error is None
    }


def _report(
    candidate: Candidate,
    results: list[FoldResult],
    y_syn: np.ndarray,
    y_real: np.ndarray,
    classes: Sequence[str],
    oracle_losses: dict[int, float],
    groups_real: np.ndarray | None = None,
    seed: int = 0,
) -> CandidateReport:
    errors = [r.error for r in results if r.error]
    results.sort(key=lambda r: (r.kind, r.fold))
    synthetic = [r for r in results if r.kind == "synthetic" and r.error is None]
    real = [r for r in results if r.kind == "real" and r.error is None]
    final = next((r for r in results if r.kind == "final" and r.error is None), None)
    tune = next((r for r in results if r.kind == "tune" and r.error is None), None)
    metrics: dict[str, float] = {}
    if synthetic:
        per_fold = []
        for r in synthetic:
            fold_metrics = classification_metrics(
                _labels(y_syn[r.test_index], classes), r.proba, classes
            )
            if r.fold in oracle_losses:
                fold_metrics["oracle_ratio"] = fold_metrics["log_loss"] / oracle_losses[r.fold]
            per_fold.append(fold_metrics)
        metrics.update({f"cv_{k}": v for k, v in summarise(per_fold).items()})
    if real:
        for prefix, reading in (("real", "as_entered"), ("real_published", "as_published")):
            per_fold = [
                classification_metrics(
                    _labels(y_real[r.test_index], classes), r.proba_in(reading), classes
                )
                for r in real
            ]
            metrics.update({f"{prefix}_{k}": v for k, v in summarise(per_fold).items()})
            index = np.concatenate([r.test_index for r in real])
            pooled_y, pooled = (
                _labels(y_real[index], classes),
                np.vstack([r.proba_in(reading) for r in real]),
            )
            metrics[f"{prefix}_ece_pooled"] = expected_calibration_error(pooled_y, pooled)
            metrics[f"{prefix}_ece_pooled_reference"] = calibrated_ece_reference(
                pooled, random_state=seed
            )
            if (
                groups_real is not None
            ):  # 95% intervals: the pooled out-of-fold cases, sources resampled
                bounds = source_bootstrap(
                    pooled_y, pooled, groups_real[index], classes, random_state=seed
                )
                for name, (low, high) in bounds.items():
                    metrics[f"{prefix}_{name}_lo"], metrics[f"{prefix}_{name}_hi"] = low, high
        metrics["real_cases"] = float(sum(len(r.test_index) for r in real))
        metrics["real_folds"] = float(len(real))
    fit_seconds = float(sum(r.fit_seconds for r in results))
    metrics["fit_seconds"] = fit_seconds
    return CandidateReport(
        name=candidate.name,
        reference=candidate.reference,
        folds=results,
        metrics=metrics,
        best_params=(tune or final).best_params if tune or final else {},
        model=final.model if final else None,
        error=errors[0] if errors else None,
        fit_seconds=fit_seconds,
        training_prior=final.training_prior if final else None,
    )
