"""The scikit-learn estimator of the Bayesian model: the literature priors updated by real cases.

:class:`UpdatedPriorsClassifier` fits by identifying the finding and
reporting models from labelled published cases (:func:`tumorclf.model.em.update_models`,
starting from :mod:`tumorclf.model.literature`); its ``predict_proba`` is the
updated model's posterior (:func:`tumorclf.model.inference.posterior`) in its
``reading``, an ordinary parameter (``set_params(reading="as_published")``,
routed by Pipelines and grid searches like any other). It is "the fitted
oracle", and a candidate like any other; the synthetic generator draws
fill-in from its fitted models (:meth:`tumorclf.synthetic.CaseGenerator.from_model`).
:func:`update_search` chooses the update's settings by cross-validation over
real cases grouped by source, so that no paper's patients sit on both sides
of a fold and no setting is picked by hand; :func:`fit_to_real_cases` does
that on a file of real cases, as ``tumorclf train`` does.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from tumorclf.class_prior import resolve_prior
from tumorclf.model.em import update_models
from tumorclf.model.inference import posterior
from tumorclf.model.literature import findings_from_priors, reporting_from_priors
from tumorclf.model.priors import Priors
from tumorclf.model.readings import READINGS, check_reading
from tumorclf.model.structure import DEPENDENCE_SETTINGS, parse_dependence
from tumorclf.schema import CaseArrays, as_case_arrays

#: The grid searched when none is configured. The finding model is the consecutive patients'
#: (chosen on held-out series, ``benchmarks/bench_series.py``); the literature's strength acts
#: only on the rows no series counts (MCS; a field no series states), the floor on every row's
#: uniform share; no likelihood temperature (it would flatten every likelihood ratio the series
#: show). Whether each class's papers may report in their own way (``class_reporting``) is
#: chosen by grouped inner CV read as published.
DEFAULT_GRID: dict[str, list[Any]] = {
    "population": ["consecutive"],
    "strength": [16.0],
    "reporting_strength": [10.0],
    "styles": [1],
    "class_reporting": [0.0, 20.0],
    "floor": [0.03],
    "temperature": [1.0],
    "dependence": ["erosion_by_compartment"],
}
#: The update's own settings, as :func:`tumorclf.model.em.update_models` takes them
#: (with ``dependence``).
UPDATE_SETTINGS = (
    "population",
    "strength",
    "reporting_strength",
    "styles",
    "class_reporting",
    "floor",
    "age_bandwidth",
    "dependence",
)


class UpdatedPriorsClassifier(ClassifierMixin, BaseEstimator):
    """The literature's finding and reporting models updated by the training cases;
    predicts their posterior.

    Takes case frames, or the ``"codes"`` matrix of
    :class:`~tumorclf.features.CaseEncoder` (so it can end a Pipeline like any
    other candidate). Fitting keeps only the updated tables, plain arrays:
    predicting needs neither the priors file nor the generator.

    Parameters
    ----------
    priors : Priors, str or Path, optional
        The literature priors, or the path of a priors file (default: the
        project's ``configs/priors.yaml``).
    strength : float, default=8.0
        Pseudo-cases the literature's values are worth in every finding row.
    reporting_strength : float, default=10.0
        Pseudo-cases a style's starting reporting rate is worth.
    styles : {1, 2}, default=1
        Latent publication styles of the reporting model.
    class_reporting : float, default=0.0
        0: reporting shared across classes; above 0, each class's rates may
        depart from the shared ones, which are worth that many pseudo-cases.
    floor : float, default=0.01
        Weight of a uniform distribution mixed into every finding row.
    temperature : float, default=1.0
        Scales the log likelihood at prediction (1: the exact posterior).
    age_bandwidth : float, default=4.0
        Years; the kernel real ages are counted through.
    dependence : str, default="none"
        A dependence between findings beyond the priors file's structure
        (:data:`~tumorclf.model.structure.DEPENDENCES`), learnt from the cases.
    population : {"published", "consecutive"}, default="published"
        What the finding model describes. "published": the published cases are taken as the
        population (the model EM fits to them). "consecutive": the consecutive series pin each
        class's rates (:mod:`tumorclf.model.consecutive`), and the published cases teach only
        how papers select (a per-class tilt toward the unusual, :mod:`tumorclf.model.selection`)
        and report; a class no consecutive series counts (MCS) takes its published cases as its
        population. Read as entered, a case is read by the consecutive model; read as
        published, by the selected one with the reporting model.
    prior : str or dict, default="uniform"
        The class prior of :meth:`predict_proba`.
    reading : {"as_entered", "as_published"}, default="as_entered"
        How :meth:`predict_proba` reads a case: stated fields only, or as a
        published row whose silences the reporting model explains
        (:mod:`tumorclf.model.readings`). It acts at prediction only: a
        fitted model answers in either after ``set_params(reading=...)``.

    Attributes
    ----------
    findings_ : FindingModel
        How each class looks (in consecutive patients, with ``population="consecutive"``).
    published_findings_ : FindingModel
        How each class's published cases look: ``findings_`` under publication selection (the
        same model when ``population="published"``).
    tilts_ : ndarray of shape (n_classes,)
        Each class's publication selection (0: none), in the priors' class order.
    reporting_ : ReportingModel
        How papers report, identified jointly.
    classes_ : ndarray of str
        Sorted class names (columns of :meth:`predict_proba`).
    training_prior_ : dict
        The class prior its probabilities are under (``prior``), for prior shift.
    readings_ : tuple of str
        The readings its ``reading`` parameter may take: both.
    em_iterations_, em_converged_, n_cases_ : int, bool, int
        How the fit went (:meth:`update_record`).
    """

    _parameter_constraints: ClassVar[dict] = {
        "priors": [Priors, str, Path, None],
        "strength": [Interval(Real, 0, None, closed="neither")],
        "reporting_strength": [Interval(Real, 0, None, closed="neither")],
        "styles": [Interval(Integral, 1, 2, closed="both")],
        "class_reporting": [Interval(Real, 0, None, closed="left")],
        "floor": [Interval(Real, 0, 1, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "age_bandwidth": [Interval(Real, 0, None, closed="left")],
        "dependence": [StrOptions(set(DEPENDENCE_SETTINGS))],
        "population": [StrOptions({"published", "consecutive"})],
        "prior": [str, dict],
        "reading": [StrOptions(set(READINGS))],
    }

    def __init__(
        self,
        priors: Priors | str | Path | None = None,
        strength: float = 8.0,
        reporting_strength: float = 10.0,
        styles: int = 1,
        class_reporting: float = 0.0,
        floor: float = 0.01,
        temperature: float = 1.0,
        age_bandwidth: float = 4.0,
        dependence: str = "none",
        population: str = "published",
        prior: Any = "uniform",
        reading: str = "as_entered",
    ) -> None:
        self.priors = priors
        self.strength = strength
        self.reporting_strength = reporting_strength
        self.styles = styles
        self.class_reporting = class_reporting
        self.floor = floor
        self.temperature = temperature
        self.age_bandwidth = age_bandwidth
        self.dependence = dependence
        self.population = population
        self.prior = prior
        self.reading = reading

    def resolved_priors(self) -> Priors:
        """The literature priors this model starts from
        (``priors`` read, once per version of its file)."""
        if isinstance(self.priors, Priors):
            return self.priors
        from tumorclf.paths import default_priors_path

        path = Path(self.priors if self.priors is not None else default_priors_path()).resolve()
        stat = path.stat()
        return _load_priors_once(str(path), stat.st_mtime_ns, stat.st_size)

    def fit(self, X: Any, y: Sequence[str]) -> UpdatedPriorsClassifier:
        """Identify the finding and reporting models from labelled published cases by EM.

        Raises
        ------
        ValueError
            For a diagnosis that is not a class of the priors, or a bad setting.
        """
        self._validate_params()
        priors = self.resolved_priors()
        arrays, labels = _arrays(X), np.asarray(y, dtype=object).astype(str)
        unknown = sorted(set(labels) - set(priors.classes))
        if unknown:
            raise ValueError(
                f"Unknown diagnoses {unknown}; the classes are {list(priors.classes)}."
            )
        settings = {k: getattr(self, k) for k in UPDATE_SETTINGS}
        key = _fit_key(priors, arrays, labels, settings)
        fitted = _FITS.get(key)
        if fitted is None:  # a grid over the temperature refits the same update: fit it once
            index = np.array([priors.classes.index(v) for v in labels], dtype=np.intp)
            em_settings = {
                k: v for k, v in settings.items() if k not in ("dependence", "population")
            }
            if self.population == "consecutive":
                fitted = _fit_consecutive(priors, arrays, index, self.dependence, em_settings)
            else:
                findings, reporting, trace = update_models(
                    findings_from_priors(priors, parse_dependence(self.dependence)),
                    reporting_from_priors(priors),
                    arrays,
                    index,
                    **em_settings,
                )
                fitted = (findings, reporting, trace, findings, np.zeros(len(priors.classes)))
            _FITS[key] = fitted
            while len(_FITS) > _FITS_KEPT:
                _FITS.pop(next(iter(_FITS)))
        self.findings_, self.reporting_, trace, self.published_findings_, self.tilts_ = fitted
        self.em_iterations_ = int(trace.iterations)
        self.em_converged_ = bool(trace.converged)
        self.n_cases_ = len(arrays)
        self.class_weights_ = resolve_prior(self.prior, priors.classes, clinical=priors.prevalence)
        self._order = np.argsort(priors.classes)
        self.classes_ = np.asarray(priors.classes, dtype=object)[self._order]
        self.training_prior_ = {
            str(c): float(w) for c, w in zip(priors.classes, self.class_weights_, strict=True)
        }
        self.readings_ = READINGS
        return self

    def update_record(self) -> dict[str, Any]:
        """How the models were fitted: the settings, the cases and the EM's course."""
        check_is_fitted(self, "findings_")
        return {
            "n_cases": self.n_cases_,
            **{k: getattr(self, k) for k in UPDATE_SETTINGS},
            "em_iterations": self.em_iterations_,
            "em_converged": self.em_converged_,
            "tilts": {
                str(c): round(float(t), 4)
                for c, t in zip(self.findings_.classes, self.tilts_, strict=True)
            },
        }

    def evidence(self) -> dict[str, dict]:
        """What stands behind each class's rates of each table, keyed "class|table"
        (:func:`tumorclf.model.consecutive.evidence_summary`): the consecutive series (how many,
        how many patients, the largest, each value's interval) or "published cases". Computed on
        first call and kept as ``evidence_``, so a saved model carries it."""
        check_is_fitted(self, "findings_")
        if getattr(self, "evidence_", None) is None:
            from tumorclf.model.consecutive import evidence_summary

            tables = self.findings_.table_names
            classes = tuple(self.findings_.classes)
            if self.population == "consecutive":
                self.evidence_ = evidence_summary(
                    _series_model(self.resolved_priors()), classes, tables
                )
            else:
                self.evidence_ = {f"{c}|{t}": {"kind": "published cases"} for c in classes
                                  for t in tables}  # fmt: skip
        return self.evidence_

    def predict_proba(self, X: Any) -> np.ndarray:
        """The updated model's posterior with the cases read as ``reading`` says,
        columns in :attr:`classes_` order."""
        check_is_fitted(self, "findings_")
        reading = check_reading(self.reading)
        proba = posterior(
            self.findings_ if reading == "as_entered" else self.published_findings_,
            _arrays(X),
            self.class_weights_,
            reading=reading,
            reporting=self.reporting_,
            temperature=self.temperature,
        )
        return proba[:, self._order]

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


#: Rounds of the consecutive fit: the reporting model's EM, then each class's selection (a third
#: round, or a second pass over the fields, moves held-out log loss by under 0.003).
CONSECUTIVE_ROUNDS = 2


def _fit_consecutive(
    priors: Priors,
    arrays: CaseArrays,
    labels: np.ndarray,
    dependence: str,
    em_settings: Mapping[str, Any],
) -> tuple[Any, Any, Any, Any, np.ndarray]:
    """The consecutive finding model, the reporting model and each class's selection, fitted in
    turn. The series pin the rows they count (a dependent table its marginal: the published cases
    teach how it depends on its parent). The reporting model, and the rows no series counts
    (every row of MCS; a class's field no series states), come from EM on the published cases
    read through the selected model: for those rows the published cases are the population, with
    the literature's row as their prior. Each class's tilt, on the pinned rows alone, from its
    published cases; then the population behind a learnt row of a selected class is that row
    with the class's selection undone (:func:`tumorclf.model.selection.untilt`)."""
    from tumorclf.model.consecutive import consecutive_findings
    from tumorclf.model.selection import fit_tilts, tilt, untilt

    series = _series_model(priors)
    start = consecutive_findings(findings_from_priors(priors, parse_dependence(dependence)), series)
    pinned = pinned_tables(series, start)
    counted = np.any(np.stack(list(pinned.values())), axis=0)
    # A dependent table's shape (a child given its parent, a field given the region) is learnt
    # from the published cases, then its marginal moved back to the series'.
    dependent = (*start.parents, *start.by_region)
    fixed = {name: mask & (name not in dependent) for name, mask in pinned.items()}
    tilts, departures = np.zeros(len(priors.classes)), {}
    base, reporting, trace = start, None, None
    for _ in range(CONSECUTIVE_ROUNDS):
        # Every row tilted by its class's selection: a learnt row's prior is the literature's row
        # as the published cases would show it, so that undoing the selection gives it back where
        # the cases say little.
        found, reporting, trace = update_models(
            tilt(start, tilts, departures), reporting_from_priors(priors), arrays,
            labels, fixed=fixed, **em_settings,
        )  # fmt: skip
        base = consecutive_findings(_rows_of(start, found, fixed), series)
        tilts, departures = fit_tilts(
            base, reporting, arrays, labels, counted, start=tilts, start_fields=departures,
            pinned=pinned, passes=1,
        )  # fmt: skip
    published = tilt(base, tilts, departures, pinned)
    learnt = {name: ~mask for name, mask in pinned.items()}
    # (a pinned child's marginal moved back to the series' under its parent's new marginal)
    population = consecutive_findings(untilt(base, tilts, learnt), series)
    return population, reporting, trace, published, tilts


def pinned_tables(series: Any, findings: Any) -> dict[str, np.ndarray]:
    """Which classes' rows of each table (every field, "age", "level") a consecutive series
    counts, ``(C,)`` per table."""
    from tumorclf.model.consecutive import counted

    return {
        name: np.array([counted(series, cls, name) is not None for cls in findings.classes])
        for name in findings.table_names
    }


def _rows_of(kept: Any, taken: Any, pinned: Mapping[str, np.ndarray]) -> Any:
    """A finding model with the ``pinned`` rows of each table from ``kept``, the rest from
    ``taken``."""
    from tumorclf.model.structure import FindingModel

    def pick(name: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(pinned[name].reshape(-1, *([1] * (a.ndim - 1))), a, b)

    return FindingModel(
        kept.classes,
        pick("age", kept.age, taken.age),
        pick("level", kept.level, taken.level),
        {name: pick(name, table, taken.fields[name]) for name, table in kept.fields.items()},
        dict(kept.parents),
        kept.by_region,
    )


def _series_model(priors: Priors) -> Any:
    """The pooled consecutive series, fitted once per version of the priors and series files."""
    from tumorclf.model.meta import fit_series
    from tumorclf.model.series import load_series
    from tumorclf.paths import default_series_path

    path = default_series_path()
    stat = path.stat()
    key = (priors.sha256, str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _SERIES:
        _SERIES.clear()
        _SERIES[key] = fit_series(load_series(path, classes=priors.classes), priors)
    return _SERIES[key]


_SERIES: dict[tuple, Any] = {}


#: Updates already fitted in this process, by data and settings
#: (not temperature, which acts at prediction).
_FITS: dict[tuple, tuple[Any, Any, Any]] = {}
_FITS_KEPT = 32


def _fit_key(
    priors: Priors, arrays: CaseArrays, labels: np.ndarray, settings: Mapping[str, Any]
) -> tuple:
    digest = hashlib.sha256()
    for part in (
        arrays.age.tobytes(),
        np.ascontiguousarray(arrays.codes).tobytes(),
        "\0".join(labels).encode(),
    ):
        digest.update(part)
    return (
        priors.sha256,
        digest.hexdigest(),
        tuple(sorted((k, str(v)) for k, v in settings.items())),
    )


@functools.lru_cache(maxsize=4)
def _load_priors_once(path: str, mtime_ns: int, size: int) -> Priors:
    """A priors file read once per version of it: a grid search fits hundreds of times."""
    from tumorclf.model.priors import load_priors

    return load_priors(path)


def _arrays(X: Any) -> CaseArrays:
    """Cases in any accepted form, or CaseEncoder's ``"codes"`` matrix, as CaseArrays.

    Raises
    ------
    ValueError
        For a numeric matrix that is not a ``"codes"`` matrix (another encoding's output).
    """
    if not isinstance(X, np.ndarray):
        return as_case_arrays(X)
    from tumorclf.features import CODE_NAMES
    from tumorclf.schema import CODE_VALUES

    width = len(CODE_NAMES)
    if X.ndim != 2 or X.shape[1] != width:
        raise ValueError(
            f"UpdatedPriorsClassifier reads CaseEncoder(encoding='codes') output, {width} columns "
            f"({', '.join(CODE_NAMES)}); got an array of shape {X.shape}."
        )
    codes = X[:, 1:]
    highest = np.array([len(CODE_VALUES[name]) - 1 for name in CODE_NAMES[1:]])
    bad = ~np.isfinite(codes) | (codes < -1) | (codes > highest) | (codes != np.round(codes))
    if bad.any():
        row, column = map(int, np.argwhere(bad)[0])
        raise ValueError(
            f"Row {row}, column {CODE_NAMES[column + 1]!r}: {float(codes[row, column])!r} "
            f"is not a code of that field (-1 to {highest[column]}); is this the 'codes' encoding?"
        )
    return CaseArrays(age=X[:, 0].astype(float), codes=codes.astype(np.int8))


def groups_of(real: Any) -> np.ndarray:
    """One group per source (a paper's patients together);
    a case without a source is a group of its own."""
    if "source" not in real:
        return np.array([f"case {i}" for i in range(len(real))], dtype=object)
    sources = real["source"].astype(object).to_numpy()
    return np.array(
        [s if isinstance(s, str) and s.strip() else f"case {i}" for i, s in enumerate(sources)],
        dtype=object,
    )


def update_search(
    priors: Priors,
    grid: Mapping[str, Sequence[float]] | None = None,
    *,
    folds: int = 4,
    random_state: int | None = 0,
    reading: str = "as_entered",
) -> Any:
    """A :class:`~sklearn.model_selection.GridSearchCV` over the update's settings, scored by log
    loss on grouped folds in ``reading``.

    Fit it with ``fit(X, y, groups=sources)``; ``best_estimator_`` is then the
    model refitted on every case with the chosen settings.
    """
    # Imported here: a loaded model predicts without model selection's modules.
    from sklearn.metrics import log_loss, make_scorer
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

    classes = sorted(priors.classes)
    scorer = make_scorer(
        log_loss, greater_is_better=False, response_method="predict_proba", labels=classes
    )
    return GridSearchCV(
        UpdatedPriorsClassifier(priors, reading=check_reading(reading)),
        {k: list(v) for k, v in (grid or DEFAULT_GRID).items()},
        scoring=scorer,
        cv=StratifiedGroupKFold(folds, shuffle=True, random_state=random_state),
        refit=True,
        n_jobs=1,
        error_score="raise",
    )


def fit_to_real_cases(
    real_cases: Any = "default",
    *,
    priors: Priors | str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
    random_state: int = 0,
) -> UpdatedPriorsClassifier:
    """The literature priors updated by labelled real cases.

    Parameters
    ----------
    real_cases : "default", str, Path or DataFrame
        The cases (``"default"``: the project's ``data/real_cases.csv``),
        each with its ``diagnosis``.
    priors : Priors, str or Path, optional
        The literature priors (default: the project's ``configs/priors.yaml``).
    settings : dict, optional
        The estimator's settings (``strength``, ``styles``, ``temperature``...). By default
        they are chosen by cross-validation over the cases grouped by source, as
        ``tumorclf train`` does, over :data:`DEFAULT_GRID`.
    random_state : int
        Seeds the folds of that cross-validation.

    Raises
    ------
    tumorclf.yaml_source.YamlFileError
        If the priors file has problems; each is named with its line and key path.
    tumorclf.schema.CaseValidationError
        If a real case is invalid.
    """
    from tumorclf.case_io import read_cases_csv
    from tumorclf.paths import default_real_cases_path
    from tumorclf.schema import validate

    literature = UpdatedPriorsClassifier(priors).resolved_priors()
    if isinstance(real_cases, str | Path):
        real_cases = read_cases_csv(
            default_real_cases_path() if real_cases == "default" else real_cases
        )
    real = validate(real_cases, classes=literature.classes).reset_index(drop=True)
    labels = real["diagnosis"].astype(str).to_numpy(dtype=object)
    if settings is None:
        search = update_search(literature, random_state=random_state)
        return search.fit(real, labels, groups=groups_of(real)).best_estimator_
    return UpdatedPriorsClassifier(literature, **settings).fit(real, labels)


__all__ = [
    "DEFAULT_GRID",
    "UPDATE_SETTINGS",
    "UpdatedPriorsClassifier",
    "fit_to_real_cases",
    "groups_of",
    "update_search",
]
