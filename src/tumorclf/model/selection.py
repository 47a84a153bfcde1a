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

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from scipy import optimize

from tumorclf.model.inference import log_likelihood
from tumorclf.model.structure import FindingModel, ReportingModel
from tumorclf.schema import CaseArrays

#: The largest tilt fitted: just short of every value equally likely.
MAX_TILT = 0.95


def tilted_rows(table: np.ndarray, power: float) -> np.ndarray:
    """Each row of ``table`` (its last axis) raised to ``power`` and normalised; zeros stay zero."""
    raised = np.where(table > 0, np.power(np.clip(table, 1e-300, None), power), 0.0)
    total = raised.sum(axis=-1, keepdims=True)
    return np.divide(raised, total, out=np.zeros_like(raised), where=total > 0)


def _powered(findings: FindingModel, power: Callable[[str], np.ndarray]) -> FindingModel:
    """Each class's row of each table raised to its power ``power(name)[c]`` and normalised
    (a power of 1 leaves the row as it is)."""

    def raise_rows(name: str, table: np.ndarray) -> np.ndarray:
        out = table.copy()
        for c, p in enumerate(power(name)):
            if p != 1.0:
                out[c] = tilted_rows(table[c], p)
        return out

    return replace(
        findings,
        age=raise_rows("age", findings.age),
        level=raise_rows("level", findings.level),
        fields={name: raise_rows(name, table) for name, table in findings.fields.items()},
        parents=dict(findings.parents),
    )


def tilt(
    findings: FindingModel,
    tilts: np.ndarray,
    field_tilts: dict[str, np.ndarray] | None = None,
    pinned: dict[str, np.ndarray] | None = None,
) -> FindingModel:
    """The published finding model: each class's tables flattened by its tilt ``(C,)``, plus a
    field's own departure ``field_tilts[name]`` ``(C,)`` where given ("age" and "level" too).

    With ``pinned`` (a ``(C,)`` mask per table), only the tables a consecutive series pins are
    tilted: a row learnt from the published cases is already their world."""
    field_tilts = field_tilts or {}
    base = np.asarray(tilts, dtype=float)

    def power(name: str) -> np.ndarray:
        out = 1.0 - np.clip(base + field_tilts.get(name, 0.0), 0.0, MAX_TILT)
        return out if pinned is None or name not in pinned else np.where(pinned[name], out, 1.0)

    return _powered(findings, power)


def untilt(
    findings: FindingModel, tilts: np.ndarray, learnt: dict[str, np.ndarray]
) -> FindingModel:
    """The population behind the rows learnt from published cases: where ``learnt[name]`` marks
    a class's table (a ``(C,)`` mask per table), its row is sharpened by the class's tilt, the
    inverse of :func:`tilt` (``p ** (1 / (1 - lambda_c))``), so that the class's published cases
    read as the same selection of its population in every table, not only in those a series
    pins."""
    sharpen = 1.0 / (1.0 - np.clip(np.asarray(tilts, dtype=float), 0.0, MAX_TILT))
    none = np.zeros(len(sharpen), dtype=bool)
    return _powered(findings, lambda name: np.where(learnt.get(name, none), sharpen, 1.0))


#: How far a field's own tilt may depart from its class's: a Normal penalty of this scale.
FIELD_SPREAD = 0.25


def class_cases(arrays: CaseArrays, labels: np.ndarray, c: int) -> CaseArrays | None:
    """The cases of class ``c`` (None: there are none)."""
    own = np.flatnonzero(labels == c)
    return CaseArrays(age=arrays.age[own], codes=arrays.codes[own]) if len(own) else None


def one_class(findings: FindingModel, c: int) -> FindingModel:
    """The finding model of class ``c`` alone (its tables keep a class axis of length 1)."""
    keep = slice(c, c + 1)
    return FindingModel(
        (findings.classes[c],),
        findings.age[keep],
        findings.level[keep],
        {name: table[keep] for name, table in findings.fields.items()},
        dict(findings.parents),
        findings.by_region,
    )


def one_class_reporting(reporting: ReportingModel, c: int) -> ReportingModel:
    """The reporting model as class ``c``'s cases see it."""
    if reporting.by_class is None:
        return reporting
    own = {name: rates[:, c : c + 1] for name, rates in reporting.by_class.items()}
    return replace(reporting, by_class=own)


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
    pinned: dict[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each class's tilt (those in ``fitted``; the others stay at ``start`` or 0), and, with
    ``per_field``, each field's departure from it (shrunk toward 0 by a Normal penalty of scale
    :data:`FIELD_SPREAD`), by coordinate ascent on the likelihood of the class's published cases
    read as published under ``reporting``. With ``pinned``, only the tables a series pins are
    tilted (see :func:`tilt`), and only their departures fitted.

    Each class is fitted on its own model and cases, and a field's departure retilts that field's
    table alone: the search costs a few hundred likelihoods of one class's cases.
    """
    n_classes = len(findings.classes)
    tilts = np.zeros(n_classes) if start is None else np.array(start, dtype=float)
    names = findings.table_names
    departures = {
        name: np.array((start_fields or {}).get(name, np.zeros(n_classes)), dtype=float)
        for name in names
    }
    for c in np.flatnonzero(fitted):
        cases = class_cases(arrays, labels, c)
        if cases is None:
            continue
        own, seen = one_class(findings, c), one_class_reporting(reporting, c)
        mask = None if pinned is None else {n: m[c : c + 1] for n, m in pinned.items()}
        tilted_names = [n for n in names if mask is None or n not in mask or mask[n][0]]

        def log_lik(model: FindingModel, cases: CaseArrays = cases, seen=seen) -> float:
            return float(log_likelihood(model, cases, "as_published", seen).sum())

        def penalty(c: int = c) -> float:
            return sum(departures[n][c] ** 2 for n in names) / (2 * FIELD_SPREAD**2)

        for _ in range(passes if per_field else 1):

            def class_term(t: float, c: int = c, own: FindingModel = own, mask=mask) -> float:
                tilts[c] = t
                model = tilt(own, tilts[c : c + 1], _column(departures, c), mask)
                return -(log_lik(model) - penalty())

            tilts[c] = optimize.minimize_scalar(
                class_term, bounds=(0.0, MAX_TILT), method="bounded", options={"xatol": 1e-3}
            ).x
            if not per_field:
                break
            current = tilt(own, tilts[c : c + 1], _column(departures, c), mask)
            for name in tilted_names:
                raw = own.table(name)

                def field_term(d: float, name=name, raw=raw, c=c, current=current) -> float:
                    departures[name][c] = d
                    power = 1.0 - np.clip(tilts[c] + d, 0.0, MAX_TILT)
                    model = current.with_table(name, tilted_rows(raw, power))
                    return -(log_lik(model) - penalty())

                departures[name][c] = optimize.minimize_scalar(
                    field_term,
                    bounds=(-tilts[c], MAX_TILT - tilts[c]),
                    method="bounded",
                    options={"xatol": 1e-2},
                ).x
                power = 1.0 - np.clip(tilts[c] + departures[name][c], 0.0, MAX_TILT)
                current = current.with_table(name, tilted_rows(raw, power))
    return tilts, departures


def _column(departures: dict[str, np.ndarray], c: int) -> dict[str, np.ndarray]:
    return {name: values[c : c + 1] for name, values in departures.items()}


__all__ = [
    "FIELD_SPREAD",
    "MAX_TILT",
    "class_cases",
    "fit_tilts",
    "one_class",
    "one_class_reporting",
    "tilt",
    "tilted_rows",
    "untilt",
]
