"""Publication selection: why a published case of a common tumour looks unusual.

A case report is published because something about it is worth telling, so the published cases of a
class over-represent its atypical looks. The per-class tilt toward the surprising,

    p_pub,c(v) = p_c(v) ** (1 - lambda_c) / Z,

flattens every table of class c (each field's row, each child's row given its parent, the age and
the level joint) by one number, lambda_c in [0, 1): 0 is no selection, the published cases being
the population; near 1 every value is as likely as any other. :func:`fit_tilts` chooses each class's
lambda by maximum likelihood of its published cases read as published (the reporting model fixed),
which is what :func:`tumorclf.model.estimator.UpdatedPriorsClassifier` alternates with the
reporting model's EM when its ``population`` is "consecutive".
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from tumorclf.model.inference import log_likelihood
from tumorclf.model.structure import FindingModel, ReportingModel
from tumorclf.schema import CaseArrays

#: The largest tilt fitted: just short of every value equally likely.
MAX_TILT = 0.95


def _tilted(table: np.ndarray, power: float) -> np.ndarray:
    """Each row of ``table`` (its last axis) raised to ``power`` and normalised; zeros stay zero."""
    raised = np.where(table > 0, np.power(np.clip(table, 1e-300, None), power), 0.0)
    total = raised.sum(axis=-1, keepdims=True)
    return np.divide(raised, total, out=np.zeros_like(raised), where=total > 0)


def tilt(
    findings: FindingModel, tilts: np.ndarray, field_tilts: dict[str, np.ndarray] | None = None
) -> FindingModel:
    """The published finding model: each class's tables flattened by its tilt ``(C,)``, plus a
    field's own departure ``field_tilts[name]`` ``(C,)`` where given ("age" and "level" too)."""
    field_tilts = field_tilts or {}
    base = np.asarray(tilts, dtype=float)

    def power(name: str) -> np.ndarray:
        return 1.0 - np.clip(base + field_tilts.get(name, 0.0), 0.0, MAX_TILT)

    fields = {}
    for name, table in findings.fields.items():
        out = np.empty_like(table)
        for c, p in enumerate(power(name)):
            out[c] = _tilted(table[c], p)
        fields[name] = out
    return FindingModel(
        findings.classes,
        np.stack([_tilted(row, p) for row, p in zip(findings.age, power("age"), strict=True)]),
        np.stack([_tilted(row, p) for row, p in zip(findings.level, power("level"), strict=True)]),
        fields,
        dict(findings.parents),
        findings.by_region,
    )


#: How far a field's own tilt may depart from its class's: a Normal penalty of this scale.
FIELD_SPREAD = 0.25


def _class_cases(arrays: CaseArrays, labels: np.ndarray, c: int) -> CaseArrays | None:
    own = np.flatnonzero(labels == c)
    return CaseArrays(age=arrays.age[own], codes=arrays.codes[own]) if len(own) else None


def fit_tilts(
    findings: FindingModel,
    reporting: ReportingModel,
    arrays: CaseArrays,
    labels: np.ndarray,
    fitted: np.ndarray,
    start: np.ndarray | None = None,
    start_fields: dict[str, np.ndarray] | None = None,
    per_field: bool = True,
    passes: int = 2,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each class's tilt (those in ``fitted``; the others stay at ``start`` or 0), and, with
    ``per_field``, each field's departure from it (shrunk toward 0 by a Normal penalty of scale
    :data:`FIELD_SPREAD`), by coordinate ascent on the likelihood of the class's published cases
    read as published under ``reporting``."""
    n_classes = len(findings.classes)
    tilts = np.zeros(n_classes) if start is None else np.array(start, dtype=float)
    names = (*findings.fields, "age", "level")
    departures = {
        name: np.array((start_fields or {}).get(name, np.zeros(n_classes)), dtype=float)
        for name in names
    }

    def objective(c: int, cases: CaseArrays) -> float:
        model = tilt(findings, tilts, departures)
        value = log_likelihood(model, cases, "as_published", reporting)[:, c].sum()
        penalty = sum(departures[n][c] ** 2 for n in names) / (2 * FIELD_SPREAD**2)
        return -(float(value) - penalty)

    for c in np.flatnonzero(fitted):
        cases = _class_cases(arrays, labels, c)
        if cases is None:
            continue
        for _ in range(passes if per_field else 1):

            def class_term(t: float, c: int = c, cases: CaseArrays = cases) -> float:
                tilts[c] = t
                return objective(c, cases)

            tilts[c] = optimize.minimize_scalar(
                class_term, bounds=(0.0, MAX_TILT), method="bounded", options={"xatol": 1e-3}
            ).x
            if not per_field:
                break
            for name in names:

                def field_term(d: float, name: str = name, c: int = c, cases=cases) -> float:
                    departures[name][c] = d
                    return objective(c, cases)

                departures[name][c] = optimize.minimize_scalar(
                    field_term,
                    bounds=(-tilts[c], MAX_TILT - tilts[c]),
                    method="bounded",
                    options={"xatol": 1e-2},
                ).x
    return tilts, departures


__all__ = ["FIELD_SPREAD", "MAX_TILT", "fit_tilts", "tilt"]
