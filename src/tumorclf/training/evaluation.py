"""Cross-validation of every candidate and reference, run as independent tasks.

Two evaluations, kept apart by construction:

* **synthetic CV**: repeated stratified k-fold over a synthetic sample; each
  outer training fold tunes the candidate's grid by an inner stratified CV
  (nested, so the outer score is honest); the oracle is scored on the very
  same outer test folds, giving each fold's ``oracle_ratio``;
* **real leave-one-out**: each real case is scored by a model fitted on the
  other real cases plus synthetic fill-in drawn inside ``fit``
  (:class:`~tumorclf.training.fill_in.WithSyntheticFillIn`); no synthetic row
  is ever scored, and the scored case is never in its model's training data.

Hyperparameters for the real-case models and the final model are chosen by
an inner CV over the whole synthetic sample, which holds no real case.
Tasks are seeded from (seed, candidate, fold) alone, so results do not depend
on which worker runs them or in which order they finish.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, RepeatedStratifiedKFold, StratifiedKFold

from tumorclf.training.candidates import build_pipeline, param_grid
from tumorclf.training.fill_in import WithSyntheticFillIn
from tumorclf.training.metrics import classification_metrics, log_loss, summarise
from tumorclf.training.references import OracleClassifier, SeedRuleClassifier

ORACLE, SEED_RULE = "bayes_oracle", "seed_rule"


@dataclass
class FoldResult:
    """What one task produced: the scored rows and their probabilities, or the error."""

    candidate: str
    kind: str  # "synthetic", "tune", "real", "final"
    fold: int
    test_index: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    train_index: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    proba: np.ndarray | None = None
    best_params: dict[str, Any] = field(default_factory=dict)
    fit_seconds: float = 0.0
    n_synthetic_train: int = 0
    model: Any = None
    error: str | None = None


@dataclass
class Candidate:
    """A model to evaluate: how to build it, its grid, and whether it may be champion."""

    name: str
    build: Callable[[int], Any]
    grid: dict[str, list[Any]]
    reference: bool = False


@contextlib.contextmanager
def execution(parallel: Mapping[str, Any]) -> Iterator[int]:
    """Where the tasks run: joblib processes here, or an existing Dask cluster; yields n_jobs.

    The dask backend joins the scheduler at ``parallel.scheduler_address`` and
    never starts a cluster of its own.
    """
    if parallel.get("backend", "local") != "dask":
        yield parallel["n_jobs"]
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise RuntimeError("parallel.backend dask needs dask.distributed: pip install 'tumorclf[dask]'") from None
    from joblib import parallel_config

    client = Client(parallel["scheduler_address"], timeout="30s", set_as_default=True)
    try:
        with parallel_config(backend="dask"):
            yield -1
    finally:
        client.close()


def task_seed(seed: int, *keys: int) -> int:
    return int(np.random.SeedSequence([seed, *keys]).generate_state(1)[0] % (2**31 - 1))


def aligned_proba(model: Any, X: Any, classes: Sequence[str]) -> np.ndarray:
    """predict_proba with columns in ``classes`` order (0 for a class the model never saw)."""
    raw = model.predict_proba(X)
    out = np.zeros((raw.shape[0], len(classes)))
    position = {c: i for i, c in enumerate(classes)}
    for j, c in enumerate(model.classes_):
        out[:, position[str(c)]] = raw[:, j]
    return out


def _tuned(estimator: Any, grid: dict[str, list[Any]], inner_folds: int, seed: int) -> Any:
    points = int(np.prod([len(v) for v in grid.values()])) if grid else 1
    if points <= 1:
        return clone(estimator).set_params(**{k: v[0] for k, v in grid.items()})
    return GridSearchCV(
        estimator, grid, scoring="neg_log_loss", n_jobs=1, refit=True,
        cv=StratifiedKFold(inner_folds, shuffle=True, random_state=seed),
    )


def _best_params(fitted: Any) -> dict[str, Any]:
    return dict(fitted.best_params_) if isinstance(fitted, GridSearchCV) else {}


def _guard(task: Callable[[], FoldResult], candidate: str, kind: str, fold: int) -> FoldResult:
    try:
        return task()
    except Exception:  # a failing candidate must not stop the others
        return FoldResult(candidate, kind, fold, error=traceback.format_exc(limit=6))


def synthetic_fold(candidate: Candidate, data: pd.DataFrame, y: np.ndarray, train: np.ndarray,
                   test: np.ndarray, fold: int, classes: Sequence[str], inner_folds: int, seed: int) -> FoldResult:
    def run() -> FoldResult:
        s = task_seed(seed, fold)
        start = time.perf_counter()
        model = _tuned(candidate.build(s), candidate.grid, inner_folds, s).fit(data.iloc[train], y[train])
        fit_seconds = time.perf_counter() - start
        return FoldResult(candidate.name, "synthetic", fold, test, train,
                          aligned_proba(model, data.iloc[test], classes), _best_params(model), fit_seconds)
    return _guard(run, candidate.name, "synthetic", fold)


def tune_on_all(candidate: Candidate, data: pd.DataFrame, y: np.ndarray, inner_folds: int, seed: int) -> FoldResult:
    def run() -> FoldResult:
        start = time.perf_counter()
        model = _tuned(candidate.build(seed), candidate.grid, inner_folds, seed).fit(data, y)
        return FoldResult(candidate.name, "tune", -1, best_params=_best_params(model),
                          fit_seconds=time.perf_counter() - start)
    return _guard(run, candidate.name, "tune", -1)


def real_fold(candidate: Candidate, params: Mapping[str, Any], real: pd.DataFrame, y_real: np.ndarray,
              train: np.ndarray, test: np.ndarray, fold: int, classes: Sequence[str], generator: Any,
              fill_in: Mapping[str, Any], seed: int) -> FoldResult:
    def run() -> FoldResult:
        s = task_seed(seed, fold)
        model = WithSyntheticFillIn(
            candidate.build(s).set_params(**params), generator,
            n_synthetic=fill_in["n"], balance=fill_in["balance"], random_state=s,
        )
        start = time.perf_counter()
        model.fit(real.iloc[train], y_real[train])
        return FoldResult(candidate.name, "real", fold, test, train,
                          aligned_proba(model, real.iloc[test], classes), dict(params),
                          time.perf_counter() - start, n_synthetic_train=model.n_synthetic_)
    return _guard(run, candidate.name, "real", fold)


def final_fit(candidate: Candidate, params: Mapping[str, Any], data: pd.DataFrame, y: np.ndarray,
              seed: int) -> FoldResult:
    def run() -> FoldResult:
        start = time.perf_counter()
        model = candidate.build(seed).set_params(**params).fit(data, y)
        return FoldResult(candidate.name, "final", -1, best_params=dict(params),
                          fit_seconds=time.perf_counter() - start, model=model)
    return _guard(run, candidate.name, "final", -1)


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

    @property
    def failed(self) -> bool:
        return self.error is not None


def candidates_from_config(config: Mapping[str, Any], generator: Any) -> list[Candidate]:
    out = [
        Candidate(name, lambda s, spec=spec: build_pipeline(spec, s), param_grid(spec))
        for name, spec in config["candidates"].items()
    ]
    if config["references"].get("seed_rule"):
        out.append(Candidate(SEED_RULE, lambda s: SeedRuleClassifier(), {}, reference=True))
    if config["references"].get("bayes_oracle"):
        out.append(Candidate(ORACLE, lambda s: OracleClassifier(generator), {}, reference=True))
    return out


def evaluate(
    candidates: Sequence[Candidate],
    synthetic: pd.DataFrame,
    real: pd.DataFrame,
    generator: Any,
    config: Mapping[str, Any],
    on_task_done: Callable[[FoldResult], None] = lambda result: None,
) -> list[CandidateReport]:
    """Run every evaluation task and gather one report per candidate.

    ``synthetic`` and ``real`` are validated frames with a ``diagnosis``.
    """
    classes = sorted(str(c) for c in generator.classes_)
    seed = config["seed"]
    y_syn = synthetic["diagnosis"].astype(str).to_numpy(dtype=object)
    y_real = real["diagnosis"].astype(str).to_numpy(dtype=object)
    X_syn = synthetic.drop(columns=["diagnosis", "source"], errors="ignore")
    X_real = real.drop(columns=["diagnosis"], errors="ignore")
    cv = config["cv"]
    splitter = RepeatedStratifiedKFold(n_splits=cv["folds"], n_repeats=cv["repeats"], random_state=seed)
    outer = list(splitter.split(X_syn, y_syn))
    def run(tasks: list) -> list[FoldResult]:
        results = []
        with execution(config["parallel"]) as n_jobs:
            for result in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks):
                on_task_done(result)
                results.append(result)
        return results

    phase_one = []
    for c_index, candidate in enumerate(candidates):
        c_seed = task_seed(seed, c_index)
        for fold, (train, test) in enumerate(outer):
            phase_one.append(delayed(synthetic_fold)(candidate, X_syn, y_syn, train, test, fold, classes,
                                                     cv["inner_folds"], c_seed))
        phase_one.append(delayed(tune_on_all)(candidate, X_syn, y_syn, cv["inner_folds"], c_seed))
    first = run(phase_one)

    tuned = {r.candidate: r for r in first if r.kind == "tune"}
    full_data = pd.concat([synthetic, real.drop(columns=["id"], errors="ignore")], ignore_index=True)
    y_full = full_data.pop("diagnosis").astype(str).to_numpy(dtype=object)
    full_data = full_data.drop(columns=["source"], errors="ignore")
    phase_two = []
    for c_index, candidate in enumerate(candidates):
        if tuned[candidate.name].error:
            continue
        params = tuned[candidate.name].best_params
        c_seed = task_seed(seed, c_index, 1)
        for fold in range(len(real)):
            train = np.setdiff1d(np.arange(len(real)), [fold])
            phase_two.append(delayed(real_fold)(candidate, params, X_real, y_real, train, np.array([fold]),
                                                fold, classes, generator, config["fill_in"], c_seed))
        if not candidate.reference:
            phase_two.append(delayed(final_fit)(candidate, params, full_data, y_full, c_seed))
    second = run(phase_two)

    by_candidate: dict[str, list[FoldResult]] = {c.name: [] for c in candidates}
    for result in first + second:
        by_candidate[result.candidate].append(result)
    oracle_losses = _oracle_fold_losses(by_candidate.get(ORACLE, []), y_syn, classes)
    return [
        _report(candidate, by_candidate[candidate.name], y_syn, y_real, classes, oracle_losses)
        for candidate in candidates
    ]


def _labels(y: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    return np.searchsorted(np.asarray(classes), y)


def _oracle_fold_losses(results: list[FoldResult], y: np.ndarray, classes: Sequence[str]) -> dict[int, float]:
    return {
        r.fold: log_loss(_labels(y[r.test_index], classes), r.proba)
        for r in results if r.kind == "synthetic" and r.error is None
    }


def _report(candidate: Candidate, results: list[FoldResult], y_syn: np.ndarray, y_real: np.ndarray,
            classes: Sequence[str], oracle_losses: dict[int, float]) -> CandidateReport:
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
            fold_metrics = classification_metrics(_labels(y_syn[r.test_index], classes), r.proba, classes)
            if r.fold in oracle_losses:
                fold_metrics["oracle_ratio"] = fold_metrics["log_loss"] / oracle_losses[r.fold]
            per_fold.append(fold_metrics)
        metrics.update({f"cv_{k}": v for k, v in summarise(per_fold).items()})
    if real:
        index = np.concatenate([r.test_index for r in real])
        proba = np.vstack([r.proba for r in real])
        pooled = classification_metrics(_labels(y_real[index], classes), proba, classes)
        metrics.update({f"real_{k}": v for k, v in pooled.items()})
        per_case = [log_loss(_labels(y_real[r.test_index], classes), r.proba) for r in real]
        metrics["real_log_loss_sd"] = float(np.std(per_case, ddof=1)) if len(per_case) > 1 else 0.0
        metrics["real_cases"] = float(len(real))
    fit_seconds = float(sum(r.fit_seconds for r in results))
    metrics["fit_seconds"] = fit_seconds
    return CandidateReport(
        name=candidate.name, reference=candidate.reference, folds=results, metrics=metrics,
        best_params=tune.best_params if tune else {}, model=final.model if final else None,
        error=errors[0] if errors else None, fit_seconds=fit_seconds,
    )
