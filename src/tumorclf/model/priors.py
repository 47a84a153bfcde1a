"""Read and check the literature priors file (``configs/priors.yaml``).

The file gives, per class, a prevalence and the conditional distribution of
every schema field, each with citation keys that must resolve in its
``sources:`` list. :func:`load_priors` checks all of it (names, ranges,
normalisation, citations) and reports every problem with its line, then
compiles the figures into probability tables (:class:`Priors`).

The structure is :mod:`tumorclf.model.structure`'s; the file gives its numbers:

* ``age``: a mixture of normals per class, truncated to 0-100 and binned to whole years;
* ``level``: the top level (region probabilities x relative weights within a
  region) and the span in segments; the bottom level follows, clipped at S5;
* a table per field, a child's given its parent where the file says so;
* ``missingness``: per field, the chance it is not reported, the same for
  every class (missing at random), so the posterior can marginalise it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import ndtr

from tumorclf.model.structure import AGES, PARENTS, STRUCTURAL_NONE, TABLE_FIELDS, values_of
from tumorclf.schema import BOOLEAN_FIELDS, LEVELS
from tumorclf.schema.vocabulary import AGE_RANGE, LEVEL_REGIONS, REGIONS
from tumorclf.yaml_source import KeyPath, Locator, YamlFileError, load_yaml

#: Tolerance on the sum of a probability distribution read from the file.
SUM_TOLERANCE = 1e-3

#: Fields of the ``missingness`` section; ``level`` covers both level columns.
MISSINGNESS_FIELDS: tuple[str, ...] = ("age", "level", *TABLE_FIELDS)


@dataclass(frozen=True)
class Priors:
    """Compiled priors: per-class probability tables over code values.

    ``tables[f]`` has shape ``(C, K)`` for an independent field and
    ``(C, K_parent, K)`` for a field with a parent in :data:`PARENTS`.
    """

    classes: tuple[str, ...]
    display_names: dict[str, str]
    prevalence: np.ndarray
    age_pmf: np.ndarray
    level_joint: np.ndarray
    tables: dict[str, np.ndarray]
    missing: dict[str, float]
    sources: dict[str, dict[str, Any]]
    citations: dict[str, list[str]]
    path: str
    sha256: str
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def __deepcopy__(self, memo: dict[int, Any]) -> Priors:
        """Compiled priors are never changed: a copy is the same object (``sklearn.base.clone``
        copies every parameter of every grid point it fits, and this one holds the whole file)."""
        return self


class _Checker:
    """Collects problems, each with its place in the file."""

    def __init__(self, locator: Locator, source_keys: set[str]) -> None:
        self.locator = locator
        self.source_keys = source_keys
        self.problems: list[str] = []
        self.citations: dict[str, list[str]] = {}

    def fail(self, path: KeyPath, message: str) -> None:
        self.problems.append(f"{self.locator.where(path)}: {message}")

    def mapping(self, value: Any, path: KeyPath) -> Mapping[Any, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a mapping, got {type(value).__name__}")
            return None
        return value

    def keys(
        self,
        value: Mapping[Any, Any],
        path: KeyPath,
        required: set[str],
        optional: set[str] = frozenset(),
    ) -> None:
        for key in value:
            if key not in required | optional:
                allowed = ", ".join(sorted(required | optional))
                self.fail((*path, key), f"unknown key {key!r}; allowed: {allowed}")
        for key in sorted(required - set(value)):
            self.fail(path, f"missing key {key!r}")

    def cite(self, entry: Mapping[str, Any], path: KeyPath) -> None:
        keys = entry.get("cite")
        if not isinstance(keys, list) or not keys:
            self.fail((*path, "cite"), "every figure needs a non-empty 'cite' list of source keys")
            return
        for i, key in enumerate(keys):
            if key not in self.source_keys:
                self.fail((*path, "cite", i), f"source key {key!r} is not in 'sources'")
        self.citations[".".join(str(p) for p in path)] = [str(k) for k in keys]

    def probability(self, value: Any, path: KeyPath, *, open_interval: bool = True) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"expected a probability, got {value!r}")
            return float("nan")
        if open_interval and not 0 < value < 1 or not open_interval and not 0 < value <= 1:
            bound = "between 0 and 1 (exclusive)" if open_interval else "in (0, 1]"
            hint = "; use a small value for 'rare'" if value == 0 else ""
            self.fail(path, f"probability {value!r} must be {bound}{hint}")
        return float(value)

    def distribution(self, value: Any, path: KeyPath, support: tuple[Any, ...]) -> np.ndarray:
        """A categorical distribution over ``support``: all present, positive, summing to 1."""
        probs = np.full(len(support), np.nan)
        table = self.mapping(value, path)
        if table is None:
            return probs
        lookup = {str(v): i for i, v in enumerate(support)}
        for key, p in table.items():
            if str(key) not in lookup:
                self.fail(
                    (*path, key), f"unknown value {key!r}; allowed: {', '.join(map(str, support))}"
                )
                continue
            probs[lookup[str(key)]] = self.probability(p, (*path, key), open_interval=False)
        missing = [
            str(v)
            for v, p in zip(support, probs, strict=True)
            if np.isnan(p) and str(v) not in map(str, table)
        ]
        if missing:
            self.fail(path, f"no probability for {', '.join(missing)}")
        elif not np.isnan(probs).any() and abs(probs.sum() - 1) > SUM_TOLERANCE:
            self.fail(
                path, f"probabilities sum to {probs.sum():.4g}, not 1 (tolerance {SUM_TOLERANCE:g})"
            )
        return probs / probs.sum() if not np.isnan(probs).any() else probs


def _check_sources(data: Mapping[str, Any], checker: _Checker) -> dict[str, dict[str, Any]]:
    sources = checker.mapping(data.get("sources"), ("sources",)) or {}
    out = {}
    for key, entry in sources.items():
        if not isinstance(entry, Mapping) or not ({"citation", "assumption"} & set(entry)):
            checker.fail(
                ("sources", key),
                "each source needs a 'citation' (literature) or an 'assumption' "
                "(our choice, explained)",
            )
            continue
        out[str(key)] = dict(entry)
    return out


def _age_pmf(spec: Any, path: KeyPath, checker: _Checker) -> np.ndarray:
    entry = checker.mapping(spec, path)
    pmf = np.full(len(AGES), np.nan)
    if entry is None:
        return pmf
    checker.keys(entry, path, {"components", "cite"})
    checker.cite(entry, path)
    components = entry.get("components")
    if not isinstance(components, list) or not components:
        checker.fail((*path, "components"), "expected a non-empty list of {weight, mean, sd}")
        return pmf
    weights, total = [], np.zeros(len(AGES))
    for i, comp in enumerate(components):
        cpath = (*path, "components", i)
        comp = checker.mapping(comp, cpath)
        if comp is None:
            continue
        checker.keys(comp, cpath, {"weight", "mean", "sd"})
        weight = checker.probability(comp.get("weight"), (*cpath, "weight"), open_interval=False)
        mean, sd = comp.get("mean"), comp.get("sd")
        if not isinstance(mean, int | float) or not AGE_RANGE[0] <= mean <= AGE_RANGE[1]:
            checker.fail((*cpath, "mean"), f"mean age {mean!r} must be a number within 0-100")
            continue
        if not isinstance(sd, int | float) or not sd > 0:
            checker.fail((*cpath, "sd"), f"sd {sd!r} must be a positive number")
            continue
        weights.append(weight)
        # Whole years: P(a - 0.5 <= age < a + 0.5), truncated to 0-100 below.
        total += weight * (ndtr((AGES + 0.5 - mean) / sd) - ndtr((AGES - 0.5 - mean) / sd))
    if weights and not np.isnan(weights).any() and abs(sum(weights) - 1) > SUM_TOLERANCE:
        checker.fail((*path, "components"), f"component weights sum to {sum(weights):.4g}, not 1")
    if total.sum() > 0:
        pmf = total / total.sum()
    return pmf


def _level_joint(spec: Any, path: KeyPath, checker: _Checker) -> np.ndarray:
    """p(level_top, level_bottom) from region, within-region weights and span."""
    joint = np.full((len(LEVELS), len(LEVELS)), np.nan)
    entry = checker.mapping(spec, path)
    if entry is None:
        return joint
    checker.keys(entry, path, {"region", "span"}, {"within_region"})
    region_entry = checker.mapping(entry.get("region"), (*path, "region")) or {}
    checker.cite(region_entry, (*path, "region"))
    region_p = checker.distribution(region_entry.get("p"), (*path, "region", "p"), REGIONS)

    weights = np.ones(len(LEVELS))
    within = entry.get("within_region")
    if within is not None:
        within = checker.mapping(within, (*path, "within_region")) or {}
        checker.cite(within, (*path, "within_region"))
        for region, levels in within.items():
            rpath = (*path, "within_region", region)
            if region == "cite":
                continue
            if region not in REGIONS:
                checker.fail(rpath, f"unknown region {region!r}; allowed: {', '.join(REGIONS)}")
                continue
            for level, weight in (checker.mapping(levels, rpath) or {}).items():
                if level not in LEVELS or LEVEL_REGIONS[str(level)] != region:
                    checker.fail(
                        (*rpath, level), f"{level!r} is not a level of the {region} region"
                    )
                elif isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
                    checker.fail(
                        (*rpath, level), f"relative weight {weight!r} must be a positive number"
                    )
                else:
                    weights[LEVELS.index(level)] = weight
    top = np.zeros(len(LEVELS))
    for r, region in enumerate(REGIONS):
        members = [i for i, name in enumerate(LEVELS) if LEVEL_REGIONS[name] == region]
        top[members] = region_p[r] * weights[members] / weights[members].sum()

    span_entry = checker.mapping(entry.get("span"), (*path, "span")) or {}
    checker.cite(span_entry, (*path, "span"))
    span_map = span_entry.get("p")
    longest = (
        max((k for k in span_map if isinstance(k, int)), default=1)
        if isinstance(span_map, Mapping)
        else 1
    )
    span_p = checker.distribution(span_map, (*path, "span", "p"), tuple(range(1, longest + 1)))
    if np.isnan(top).any() or np.isnan(span_p).any():
        return joint
    return _joint_from_top_and_span(top, span_p)


def _joint_from_top_and_span(top: np.ndarray, span_p: np.ndarray) -> np.ndarray:
    """p(top, bottom): spans below the longest listed are exact; the longest
    means "that many segments or more", spread evenly over the bottoms still
    possible; a span that runs past S5 ends at S5."""
    n, last, longest = len(top), len(top) - 1, len(span_p)
    joint = np.zeros((n, n))
    for t in range(n):
        for s, p in enumerate(span_p[:-1], start=1):
            joint[t, min(t + s - 1, last)] += top[t] * p
        first_tail = t + longest - 1
        if first_tail >= last:
            joint[t, last] += top[t] * span_p[-1]
        else:
            joint[t, first_tail:] += top[t] * span_p[-1] / (last - first_tail + 1)
    return joint


def _distribution_entry(name: str, spec: Any, path: KeyPath, checker: _Checker) -> np.ndarray:
    """A field's table: (K,) if independent, (K_parent, K) if given its parent."""
    support = values_of(name)
    is_boolean = name in BOOLEAN_FIELDS
    value_key = "p_true" if is_boolean else "p"
    entry = checker.mapping(spec, path)
    if entry is None:
        return np.full(len(support), np.nan)
    checker.keys(entry, path, {value_key, "cite"}, {"given"} if name in PARENTS else set())
    checker.cite(entry, path)

    def one(value: Any, vpath: KeyPath) -> np.ndarray:
        if is_boolean:
            p = checker.probability(value, vpath)
            return np.array([1 - p, p])
        return checker.distribution(value, vpath, support)

    given = entry.get("given")
    parent = PARENTS.get(name)
    if given is None:
        if name in STRUCTURAL_NONE:
            checker.fail(path, f"'{name}' must be 'given: {parent}'")
        row = one(entry.get(value_key), (*path, value_key))
        return row if parent is None else np.tile(row, (len(values_of(parent)), 1))
    if given != parent:
        checker.fail((*path, "given"), f"'{name}' can only be given {parent!r}, not {given!r}")
        return np.full(len(support), np.nan)
    parent_values = values_of(parent)
    rows = checker.mapping(entry.get(value_key), (*path, value_key)) or {}
    lookup = {str(v).lower(): v for v in parent_values}
    table = np.full((len(parent_values), len(support)), np.nan)
    default = rows.get("default")
    for key, value in rows.items():
        if key == "default":
            continue
        pv = lookup.get(str(key).lower())
        if pv is None or STRUCTURAL_NONE.get(name) == pv:
            allowed = [str(v) for v in parent_values if STRUCTURAL_NONE.get(name) != v]
            checker.fail(
                (*path, value_key, key),
                f"unknown {parent} value {key!r}; allowed: {', '.join(allowed)}, default",
            )
            continue
        table[parent_values.index(pv)] = one(value, (*path, value_key, key))
    for i, pv in enumerate(parent_values):
        if STRUCTURAL_NONE.get(name) == pv:
            table[i] = 0.0
        elif np.isnan(table[i]).all():
            if default is None:
                checker.fail((*path, value_key), f"no entry for {parent}={pv!r} and no 'default'")
            else:
                table[i] = one(default, (*path, value_key, "default"))
    return table


def _check_class(name: str, spec: Any, checker: _Checker) -> dict[str, Any]:
    path: KeyPath = ("classes", name)
    entry = checker.mapping(spec, path) or {}
    fields = {"age", "level", *TABLE_FIELDS}
    checker.keys(entry, path, fields, {"label"})
    compiled: dict[str, Any] = {"label": str(entry.get("label", name))}
    compiled["age"] = (
        _age_pmf(entry.get("age"), (*path, "age"), checker) if "age" in entry else None
    )
    compiled["level"] = (
        _level_joint(entry.get("level"), (*path, "level"), checker) if "level" in entry else None
    )
    for f in TABLE_FIELDS:
        if f in entry:
            compiled[f] = _distribution_entry(f, entry[f], (*path, f), checker)
    return compiled


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_priors(path: str | Path) -> Priors:
    """Load, check and compile a priors file.

    Raises
    ------
    YamlFileError
        Listing every problem, each with its file, line and key path.
    """
    data, locator = load_yaml(path)
    if not isinstance(data, Mapping):
        raise YamlFileError(str(path), [f"{path}: expected a mapping at the top level"])
    source_keys = (
        {str(k) for k in data.get("sources", {}) or {}}
        if isinstance(data.get("sources"), Mapping)
        else set()
    )
    checker = _Checker(locator, source_keys)
    checker.keys(
        data, (), {"sources", "prevalence", "missingness", "classes"}, {"version", "description"}
    )
    sources = _check_sources(data, checker)

    class_specs = checker.mapping(data.get("classes"), ("classes",)) or {}
    classes = tuple(str(c) for c in class_specs)
    for c in classes:
        if not c.isidentifier() or c != c.lower():
            checker.fail(("classes", c), f"class name {c!r} must be a lower-case identifier")
    compiled = {c: _check_class(c, class_specs[c], checker) for c in classes}

    prevalence_entry = checker.mapping(data.get("prevalence"), ("prevalence",)) or {}
    checker.keys(prevalence_entry, ("prevalence",), {"p", "cite"})
    checker.cite(prevalence_entry, ("prevalence",))
    prevalence_map = checker.mapping(prevalence_entry.get("p"), ("prevalence", "p")) or {}
    for c in prevalence_map:
        if c not in compiled:
            checker.fail(
                ("prevalence", "p", c), f"unknown class {c!r}; classes are: {', '.join(classes)}"
            )
    prevalence = (
        checker.distribution(
            {c: p for c, p in prevalence_map.items() if c in compiled}, ("prevalence", "p"), classes
        )
        if classes
        else np.array([])
    )

    missing_entry = checker.mapping(data.get("missingness"), ("missingness",)) or {}
    checker.keys(missing_entry, ("missingness",), set(MISSINGNESS_FIELDS))
    missing = {}
    for f in MISSINGNESS_FIELDS:
        if f in missing_entry and (item := checker.mapping(missing_entry[f], ("missingness", f))):
            checker.keys(item, ("missingness", f), {"p", "cite"})
            checker.cite(item, ("missingness", f))
            value = item.get("p")
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
                checker.fail(("missingness", f, "p"), f"probability {value!r} must be in [0, 1)")
            else:
                missing[f] = float(value)

    if checker.problems:
        raise YamlFileError(str(path), checker.problems)
    tables = {f: np.stack([compiled[c][f] for c in classes]) for f in TABLE_FIELDS}
    return Priors(
        classes=classes,
        display_names={c: compiled[c]["label"] for c in classes},
        prevalence=prevalence,
        age_pmf=np.stack([compiled[c]["age"] for c in classes]),
        level_joint=np.stack([compiled[c]["level"] for c in classes]),
        tables=tables,
        missing=missing,
        sources=sources,
        citations=checker.citations,
        path=str(path),
        sha256=file_sha256(path),
        raw=dict(data),
    )


__all__ = ["MISSINGNESS_FIELDS", "Priors", "file_sha256", "load_priors"]
