"""Consecutive series: how each tumour looks in patients nobody chose for their imaging.

``data/series_counts.csv`` holds, for each class, field and value, k of n patients of a series,
with its source (PMID, DOI or address), a quote of at most 25 words, a cohort (centre and years:
one cohort published twice is one cohort) and the series' kind. A series that merges values
("intradural" for both intradural compartments) or states a finding without its pattern
("enhancing") enters as what it says, as a set of values. Ages keep each series' own bands; the
level enters by its region. A pooled review of case reports is kept for reference and never counted
as consecutive: it inherits the case reports' selection.

>>> from tumorclf.model.series import load_series
>>> rows = load_series()
>>> sorted({row.kind for row in rows})  # doctest: +NORMALIZE_WHITESPACE
['consecutive_imaging', 'consecutive_surgical', 'pooled_case_reports', 'registry']
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tumorclf.schema.vocabulary import BOOLEAN_FIELDS, CATEGORICAL_FIELDS, REGIONS

#: The kinds of series, and those that count as consecutive.
KINDS: tuple[str, ...] = (
    "consecutive_surgical",
    "consecutive_imaging",
    "registry",
    "pooled_case_reports",
)
CONSECUTIVE: frozenset[str] = frozenset(KINDS[:3])
COLUMNS: tuple[str, ...] = (
    "class",
    "field",
    "value",
    "k",
    "n",
    "source",
    "quote",
    "cohort",
    "kind",
    "notes",
)
#: Fields a series may count besides the schema's: the level's region, and an age band "lo-hi".
LEVEL_REGION = "level_region"
AGE = "age"
QUOTE_WORDS = 25
_SOURCE = re.compile(r"^(?:PMID:\d{6,9}|PMC\d+|DOI:10\.\d{4,9}/\S+|https?://\S+)$")
_AGE_BAND = re.compile(r"^(\d{1,3})-(\d{1,3})$")


class SeriesError(ValueError):
    """Rows of a series file that cannot be used; the message names each row, column and value."""


@dataclass(frozen=True)
class SeriesCount:
    """k of n patients of one series who have one of ``values`` of ``field``."""

    cls: str
    field: str
    values: tuple[str, ...]
    k: int
    n: int
    source: str
    quote: str
    cohort: str
    kind: str
    notes: str = ""

    @property
    def consecutive(self) -> bool:
        return self.kind in CONSECUTIVE


def allowed_values(field: str) -> tuple[str, ...] | None:
    """The values a series may give for ``field`` (None: an age band, checked by its form)."""
    if field == AGE:
        return None
    if field == LEVEL_REGION:
        return REGIONS
    if field in BOOLEAN_FIELDS:
        return ("false", "true")
    if field in CATEGORICAL_FIELDS:
        return CATEGORICAL_FIELDS[field]
    raise KeyError(field)


def _problems(line: int, row: dict[str, str], classes: Iterable[str]) -> list[str]:
    out = []

    def bad(column: str, why: str) -> None:
        out.append(f"row {line}, column {column!r}: {row.get(column)!r} {why}")

    if row["class"] not in classes:
        bad("class", f"is not a class; allowed: {', '.join(classes)}")
    field = row["field"]
    try:
        allowed = allowed_values(field)
    except KeyError:
        bad("field", f"is not a field; allowed: {AGE}, {LEVEL_REGION} or a schema field")
        allowed = ()
    for value in row["value"].split("|"):
        if allowed is None:
            band = _AGE_BAND.match(value)
            if band is None or not int(band.group(1)) <= int(band.group(2)) <= 100:
                bad("value", "is not an age band 'lo-hi' (years, 0-100)")
        elif allowed and value not in allowed:
            bad("value", f"is not a value of {field}; allowed: {', '.join(allowed)}")
    try:
        k, n = int(row["k"]), int(row["n"])
        if not 0 <= k <= n or n == 0:
            bad("k", f"is not a count between 0 and n = {n}")
    except ValueError:
        bad("k", "and n must be whole numbers")
    if not _SOURCE.match(row["source"]):
        bad("source", "is not a PMID:, PMC, DOI: or web address")
    if not 1 <= len(row["quote"].split()) <= QUOTE_WORDS:
        bad("quote", f"must have 1 to {QUOTE_WORDS} words")
    if not row["cohort"].strip():
        bad("cohort", "is empty: name the centre and years")
    if row["kind"] not in KINDS:
        bad("kind", f"is not a kind of series; allowed: {', '.join(KINDS)}")
    return out


def load_series(
    path: str | Path | None = None, classes: Iterable[str] | None = None
) -> list[SeriesCount]:
    """The rows of a series-counts file, checked (``classes``: the priors file's, by default).

    Raises
    ------
    SeriesError
        Naming every row, column and value that cannot be used, and what is allowed.
    """
    from tumorclf.paths import default_series_path

    path = Path(path) if path is not None else default_series_path()
    if classes is None:
        from tumorclf.model.priors import load_priors
        from tumorclf.paths import default_priors_path

        classes = load_priors(default_priors_path()).classes
    classes = tuple(classes)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise SeriesError(
                f"{path}: the columns must be {', '.join(COLUMNS)}; got {reader.fieldnames}"
            )
        rows = list(reader)
    problems = [p for i, row in enumerate(rows, start=2) for p in _problems(i, row, classes)]
    if problems:
        raise SeriesError(f"{len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems[:20]))
    return [
        SeriesCount(
            row["class"],
            row["field"],
            tuple(row["value"].split("|")),
            int(row["k"]),
            int(row["n"]),
            row["source"],
            row["quote"],
            row["cohort"],
            row["kind"],
            row["notes"],
        )
        for row in rows
    ]


def as_records(rows: Iterable[SeriesCount]) -> list[dict[str, Any]]:
    """The rows as dictionaries, the values joined by "|" (for a table)."""
    return [
        {
            "class": r.cls,
            "field": r.field,
            "value": "|".join(r.values),
            "k": r.k,
            "n": r.n,
            "cohort": r.cohort,
            "kind": r.kind,
            "source": r.source,
        }
        for r in rows
    ]


__all__ = [
    "AGE",
    "COLUMNS",
    "CONSECUTIVE",
    "KINDS",
    "LEVEL_REGION",
    "SeriesCount",
    "SeriesError",
    "allowed_values",
    "as_records",
    "load_series",
]
