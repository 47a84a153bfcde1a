"""The finding model of consecutive patients: the literature's structure, the series' rates.

The priors file gives the structure (a child given its parent's value, the level as a joint of
top and bottom, and the dependences the real cases may teach) and a number for every cell; the
pooled series (:mod:`tumorclf.model.meta`) say how often each value occurs in consecutive
patients. :func:`consecutive_findings` keeps the structure and moves each class's marginal rates
to the series' where a series counts them: a root field's row is the pooled one; a child's rows
given its parent (or a field's rows given the level's region) are reweighted (iterative
proportional fitting) until their marginal is the pooled one; the level joint is reweighted by
the region of its top level; the age by the series' bands. Where no consecutive series counts a
class's field the literature's row stays, and :func:`provenance` says so.

>>> from tumorclf.model.consecutive import marginal
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tumorclf.model.meta import AGE, LEVEL_REGION, PooledRates, SeriesModel
from tumorclf.model.structure import (
    REGION_OF_LEVEL,
    TABLE_FIELDS,
    FindingModel,
    children_of,
)
from tumorclf.schema.vocabulary import REGIONS

#: The series' name of a table that is not a field.
SERIES_KEY = {"age": AGE, "level": LEVEL_REGION}


def counted(series: SeriesModel, cls: str, table: str) -> PooledRates | None:
    """The pooled rates of a class's table (a field, "age" or "level"), None where no
    consecutive series counts it."""
    pooled = series.rates.get((cls, SERIES_KEY.get(table, table)))
    return None if pooled is None or pooled.assumption else pooled


#: Iterations of proportional fitting for a child's rows.
_IPF_ROUNDS = 50


def marginal(findings: FindingModel, c: int, name: str) -> np.ndarray:
    """p(value | class) of a field, its parent (or the level's region) summed out, ``(K,)``."""
    table = findings.fields[name][c]
    if name in findings.by_region:
        regions = np.bincount(
            REGION_OF_LEVEL, weights=findings.level_joint()[c].sum(axis=1), minlength=len(REGIONS)
        )
        return regions @ table
    parent = findings.parents.get(name)
    if parent is None:
        return table
    weights = marginal(findings, c, parent)
    out = weights @ table
    return out / out.sum() if out.sum() > 0 else out


def _fit_child(rows: np.ndarray, parent: np.ndarray, target: np.ndarray) -> np.ndarray:
    """A child's rows given its parent ``(Kp, K)`` reweighted per value until their marginal
    under ``parent`` is ``target`` (rows that must stay empty stay empty)."""
    live = rows.sum(axis=1) > 0
    out = rows.copy()
    weights = np.ones(rows.shape[1])
    for _ in range(_IPF_ROUNDS):
        scaled = rows * weights
        totals = scaled.sum(axis=1, keepdims=True)
        out = np.divide(scaled, totals, out=np.zeros_like(scaled), where=totals > 0)
        current = (parent[live] @ out[live]) / max(parent[live].sum(), 1e-12)
        ratio = np.divide(target, current, out=np.ones_like(target), where=current > 0)
        if np.allclose(ratio, 1.0, atol=1e-6):
            break
        weights = weights * ratio
    return out


def consecutive_findings(literature: FindingModel, series: SeriesModel) -> FindingModel:
    """The literature's finding model with each class's rates moved to the pooled series' where
    a consecutive series counts them."""
    fields = {name: table.copy() for name, table in literature.fields.items()}
    age = literature.age.copy()
    level = literature.level.copy()
    n_levels = int(np.sqrt(level.shape[1]))
    for c, cls in enumerate(literature.classes):
        if (pooled := counted(series, cls, "age")) is not None:
            age[c] = pooled.mean
        if (pooled := counted(series, cls, "level")) is not None:
            joint = level[c].reshape(n_levels, n_levels)
            region_of_top = np.bincount(
                REGION_OF_LEVEL, weights=joint.sum(axis=1), minlength=len(REGIONS)
            )
            scale = np.divide(
                pooled.mean, region_of_top, out=np.zeros(len(REGIONS)), where=region_of_top > 0
            )
            joint = joint * scale[REGION_OF_LEVEL][:, None]
            level[c] = (joint / joint.sum()).ravel()
    parents = literature.parents
    parents_first = [n for n in TABLE_FIELDS if n not in parents]
    for name in (*parents_first, *(n for n in TABLE_FIELDS if n in parents)):
        for c, cls in enumerate(literature.classes):
            if (pooled := counted(series, cls, name)) is None:
                continue
            if name in parents:
                parent_marginal = _marginal_of(fields, literature, c, parents[name])
                fields[name][c] = _fit_child(fields[name][c], parent_marginal, pooled.mean)
            elif name in literature.by_region:
                regions = np.bincount(
                    REGION_OF_LEVEL, weights=level[c].reshape(n_levels, n_levels).sum(axis=1),
                    minlength=len(REGIONS),
                )  # fmt: skip
                fields[name][c] = _fit_child(fields[name][c], regions, pooled.mean)
            else:
                fields[name][c] = pooled.mean
    return FindingModel(
        classes=literature.classes,
        age=age,
        level=level,
        fields=fields,
        parents=dict(literature.parents),
        by_region=literature.by_region,
    )


def _marginal_of(fields: dict, literature: FindingModel, c: int, name: str) -> np.ndarray:
    return marginal(replace(literature, fields=fields), c, name)


def provenance(series: SeriesModel, cls: str, name: str) -> str:
    """Where a class's rates of a field come from: "series", "published cases" (MCS's pooled
    reviews only) or "assumption"."""
    return "series" if counted(series, cls, name) is not None else "assumption"


def evidence_summary(
    series: SeriesModel, classes: tuple[str, ...], tables: tuple[str, ...]
) -> dict[str, dict]:
    """What stands behind each class's rates of each table, keyed "class|table" (a table: a
    field, "age" or "level"), in plain types a saved model carries: ``kind`` ("series" or
    "published cases"), and for a series the number of series and patients, the largest series'
    source and size, and each value's 95% interval of the pooled rate (where series count it
    alone; ``None`` elsewhere)."""
    out: dict[str, dict] = {}
    for cls in classes:
        for name in tables:
            pooled = counted(series, cls, name)
            if pooled is None:
                out[f"{cls}|{name}"] = {"kind": "published cases"}
                continue
            sizes = {}
            for o in pooled.observations:
                for row in o.rows:
                    sizes[row.source] = max(sizes.get(row.source, 0), row.n)
            largest = max(sizes, key=sizes.get) if sizes else ""
            intervals = []
            if name not in ("age", "level"):
                for value in range(len(pooled.mean)):
                    _, low, high = pooled.rate_interval(frozenset({value}))
                    intervals.append(
                        None if not (np.isfinite(low) and np.isfinite(high)) else (low, high)
                    )
            out[f"{cls}|{name}"] = {
                "kind": "series",
                "n_series": int(pooled.n_series),
                "n_patients": int(pooled.n_patients),
                "largest": largest,
                "largest_n": int(sizes.get(largest, 0)),
                "intervals": intervals,
            }
    return out


__all__ = [
    "SERIES_KEY",
    "children_of",
    "consecutive_findings",
    "counted",
    "evidence_summary",
    "marginal",
    "provenance",
]
