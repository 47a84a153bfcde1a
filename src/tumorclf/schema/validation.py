"""Turn user cases (dict, list of dicts, DataFrame) into validated, coded cases.

The work is column-wise: each distinct raw value of a column is parsed once,
so a large frame costs little more than its number of distinct spellings.
Every problem of the batch is collected before one
:class:`~tumorclf.schema.errors.CaseValidationError` is raised.

Two outputs share one parse:

* :func:`validate` gives the canonical :class:`pandas.DataFrame` users see;
* :func:`to_arrays` gives :class:`CaseArrays`, the compact integer coding that
  the encoder and the generator work on, without building a frame.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from tumorclf.schema.errors import CaseValidationError, NotCasesError, Problem
from tumorclf.schema.labels import parse_label
from tumorclf.schema.parsing import FIELD_PARSERS, InvalidValue, is_missing, parse_level_range
from tumorclf.schema.vocabulary import (
    BOOLEAN_FIELDS,
    CATEGORICAL_FIELDS,
    FIELDS,
    LABEL,
    LEVEL_FIELDS,
    LEVEL_INDEX,
    LEVEL_SHORTHAND,
    LEVELS,
    PASSTHROUGH,
    allowed_values,
)

if TYPE_CHECKING:  # pandas loads only when a frame is involved: one dict stays light
    import pandas as pd

Cases = "Mapping[str, Any] | Sequence[Mapping[str, Any]] | pd.DataFrame"


def _is_frame(value: Any) -> bool:
    """A DataFrame, told apart without importing pandas (none can exist before it is imported)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


#: The fields held as integer codes in :class:`CaseArrays` (all but age).
CODED_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f != "age")
CODE_COLUMN = {name: j for j, name in enumerate(CODED_FIELDS)}

#: The values each coded field's codes stand for, in code order.
CODE_VALUES: dict[str, tuple[Any, ...]] = {
    **CATEGORICAL_FIELDS,
    **dict.fromkeys(LEVEL_FIELDS, LEVELS),
    **dict.fromkeys(BOOLEAN_FIELDS, (False, True)),
}
_CODE_OF = {f: {v: i for i, v in enumerate(values)} for f, values in CODE_VALUES.items()}

#: Small batches are parsed value by value; larger ones through pandas.factorize.
_FACTORIZE_FROM = 64


@dataclass(frozen=True)
class CaseArrays:
    """Validated cases as arrays: ``age`` (float, NaN = missing) and ``codes``.

    ``codes[:, CODE_COLUMN[f]]`` holds the index of field ``f``'s value in
    ``CODE_VALUES[f]`` (False/True as 0/1), and -1 where it was not reported.
    """

    age: np.ndarray
    codes: np.ndarray
    index: Sequence[Hashable] | None = None
    labels: np.ndarray | None = None
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.age)

    def column(self, name: str) -> np.ndarray:
        """The codes of one coded field."""
        return self.codes[:, CODE_COLUMN[name]]


def normalise_column_name(name: Any) -> str:
    return "_".join(str(name).strip().lower().split())


def _columns_of(
    cases: Cases,
) -> tuple[dict[str, list[Any] | np.ndarray], list[Hashable], list[Problem]]:
    """Split the input into raw columns, row labels and structural problems."""
    problems: list[Problem] = []
    if _is_frame(cases):
        raw = (
            {c: cases[c].to_numpy(dtype=object) for c in cases.columns}
            if cases.columns.is_unique
            else {}
        )
        if not cases.columns.is_unique:
            dupes = cases.columns[cases.columns.duplicated()].unique()
            problems += [
                Problem(None, str(c), c, "appears more than once", "each column once")
                for c in dupes
            ]
        index = list(cases.index)
    else:
        rows = [cases] if isinstance(cases, Mapping) else cases
        if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
            raise NotCasesError(cases)
        rows = list(rows)
        index = list(range(len(rows)))
        keys: dict[Any, None] = {}
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                problems.append(
                    Problem(i, "<case>", row, "is not a mapping of field to value", "a dict")
                )
                continue
            keys.update(dict.fromkeys(row))
        raw = {k: [row.get(k) if isinstance(row, Mapping) else None for row in rows] for k in keys}

    columns: dict[str, list[Any] | np.ndarray] = {}
    for name, values in raw.items():
        key = normalise_column_name(name)
        if key in columns:
            problems.append(Problem(None, key, name, "appears more than once", "each column once"))
        columns[key] = values
    return columns, index, problems


def _parse_unique(
    values: Sequence[Any] | np.ndarray, parser: Any
) -> tuple[np.ndarray, list[Any], list[Any]]:
    """Parse each distinct value once.

    Returns ``inverse`` (position of each row's value in ``uniques``, -1 when
    missing), ``uniques`` (raw distinct values) and ``parsed`` (their canonical
    forms, or an :class:`InvalidValue`).
    """
    n = len(values)
    if n >= _FACTORIZE_FROM:
        import pandas as pd

        inverse, uniques_arr = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        uniques = list(uniques_arr)
    else:
        inverse = np.empty(n, dtype=np.intp)
        uniques = []
        seen: dict[tuple[type, Any], int] = {}
        for i, value in enumerate(values):
            if is_missing(value):
                inverse[i] = -1
                continue
            try:
                key = (type(value), value)
                position = seen.setdefault(key, len(uniques))
            except TypeError:  # unhashable (a list, a dict): its own entry
                position = len(uniques)
            if position == len(uniques):
                uniques.append(value)
            inverse[i] = position
    parsed: list[Any] = []
    for value in uniques:
        try:
            parsed.append(parser(value))
        except InvalidValue as bad:
            parsed.append(bad)
    return inverse, uniques, parsed


def _collect(
    field_name: str,
    inverse: np.ndarray,
    uniques: list[Any],
    parsed: list[Any],
    index: list[Hashable],
) -> list[Problem]:
    problems = []
    for u, result in enumerate(parsed):
        if isinstance(result, InvalidValue):
            for row in np.flatnonzero(inverse == u):
                problems.append(
                    Problem(
                        index[row],
                        field_name,
                        uniques[u],
                        result.reason,
                        allowed_values(field_name),
                    )
                )
    return problems


def _codes_for(field_name: str, inverse: np.ndarray, parsed: list[Any]) -> np.ndarray:
    code_of = _CODE_OF[field_name]
    table = np.array(
        [-1 if v is None or isinstance(v, InvalidValue) else code_of[v] for v in parsed] + [-1],
        dtype=np.int8,
    )
    return table[inverse]  # inverse == -1 picks the trailing -1


def _parse_labels(
    values: Sequence[Any], index: list[Hashable], classes: Sequence[str] | None
) -> tuple[np.ndarray, list[Problem]]:
    allowed = ", ".join(classes) if classes is not None else "a class name"
    labels = np.empty(len(values), dtype=object)
    problems = []
    for i, value in enumerate(values):
        try:
            labels[i] = parse_label(value, classes)
        except InvalidValue as bad:
            labels[i] = None
            problems.append(Problem(index[i], LABEL, value, bad.reason, allowed))
    return labels, problems


def _level_problems(
    row: Hashable, top: int, bottom: int, short_top: int, short_bottom: int
) -> tuple[int, int, list[Problem]]:
    """Reconcile explicit levels with the ``level`` shorthand and check top above bottom."""
    problems = []
    if short_top >= 0:
        for name, explicit, short in (
            ("level_top", top, short_top),
            ("level_bottom", bottom, short_bottom),
        ):
            if explicit >= 0 and explicit != short:
                problems.append(
                    Problem(
                        row,
                        name,
                        LEVELS[explicit],
                        f"contradicts level {LEVELS[short_top]}-{LEVELS[short_bottom]}",
                        "the same level in both columns, or only one of them",
                    )
                )
        if problems:
            return top, bottom, problems
        top = top if top >= 0 else short_top
        bottom = bottom if bottom >= 0 else short_bottom
    if top >= 0 and bottom >= 0 and top > bottom:
        problems.append(
            Problem(
                row,
                "level_bottom",
                LEVELS[bottom],
                f"is above level_top {LEVELS[top]}",
                f"a level at or below {LEVELS[top]}",
            )
        )
    return top, bottom, problems


_NO_CALCIFICATION = _CODE_OF["calcification"]["none"]


def _site_problems(row: Hashable, calcification: int, site: int) -> list[Problem]:
    if calcification == _NO_CALCIFICATION and site >= 0:
        return [
            Problem(
                row,
                "calcification_site",
                CATEGORICAL_FIELDS["calcification_site"][site],
                "is given but calcification is 'none'",
                "no site when calcification is none",
            )
        ]
    return []


def _cross_check(
    codes: np.ndarray, shorthand: tuple[np.ndarray, np.ndarray] | None, index: list[Hashable]
) -> list[Problem]:
    """Cross-field checks over a batch; only rows that could fail are looked at one by one."""
    top_col, bottom_col = CODE_COLUMN["level_top"], CODE_COLUMN["level_bottom"]
    calc_col, site_col = CODE_COLUMN["calcification"], CODE_COLUMN["calcification_site"]
    short_top, short_bottom = shorthand if shorthand is not None else (None, None)
    suspect = (codes[:, top_col] > codes[:, bottom_col]) | (
        (codes[:, calc_col] == _NO_CALCIFICATION) & (codes[:, site_col] >= 0)
    )
    if short_top is not None:
        suspect |= short_top >= 0
    problems: list[Problem] = []
    for i in np.flatnonzero(suspect):
        row = codes[i]
        st, sb = (int(short_top[i]), int(short_bottom[i])) if short_top is not None else (-1, -1)
        row[top_col], row[bottom_col], found = _level_problems(
            index[i], int(row[top_col]), int(row[bottom_col]), st, sb
        )
        problems += found + _site_problems(index[i], int(row[calc_col]), int(row[site_col]))
    return problems


KNOWN_COLUMNS = (*FIELDS, LEVEL_SHORTHAND, LABEL, *PASSTHROUGH)
_PARSE_CACHE: dict[str, dict[tuple[type, Any], Any]] = {}
_PARSE_CACHE_LIMIT = 4096


def _unknown_column(name: str) -> Problem:
    return Problem(None, name, name, "is not a field of the case schema", ", ".join(KNOWN_COLUMNS))


def _parse_cached(name: str, value: Any) -> Any:
    """Parse one value, remembering the answer for hashable values (a few hundred spellings)."""
    cache = _PARSE_CACHE.setdefault(name, {})
    try:
        key = (type(value), value)
        return cache[key]
    except KeyError:
        pass
    except TypeError:  # unhashable: parse without caching
        key = None
    parser = parse_level_range if name == LEVEL_SHORTHAND else FIELD_PARSERS[name]
    try:
        result = parser(value)
    except InvalidValue as bad:
        result = bad
    if key is not None and not (isinstance(value, float) and value != value):
        if len(cache) >= _PARSE_CACHE_LIMIT:
            cache.clear()
        cache[key] = result
    return result


def _rows_to_arrays(rows: Sequence[Any], classes: Sequence[str] | None) -> CaseArrays:
    """The small-batch path: one pass over a few dicts, no pandas, same checks and messages."""
    n = len(rows)
    index: list[Hashable] = list(range(n))
    age = np.full(n, np.nan)
    codes = np.full((n, len(CODED_FIELDS)), -1, dtype=np.int8)
    labels = (
        np.empty(n, dtype=object)
        if any(isinstance(r, Mapping) and LABEL in r for r in rows)
        else None
    )
    extras: dict[str, np.ndarray] = {}
    problems: list[Problem] = []
    unknown: dict[str, None] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            problems.append(
                Problem(i, "<case>", row, "is not a mapping of field to value", "a dict")
            )
            continue
        short_top = short_bottom = -1
        seen: set[str] = set()
        for key, value in row.items():
            name = normalise_column_name(key)
            if name in seen:
                problems.append(
                    Problem(None, name, key, "appears more than once", "each column once")
                )
                continue
            seen.add(name)
            if name == LABEL:
                try:
                    labels[i] = parse_label(value, classes)
                except InvalidValue as bad:
                    allowed = ", ".join(classes) if classes is not None else "a class name"
                    problems.append(Problem(i, LABEL, value, bad.reason, allowed))
                continue
            if name in PASSTHROUGH:
                extras.setdefault(name, np.full(n, None, dtype=object))[i] = value
                continue
            if name not in FIELD_PARSERS and name != LEVEL_SHORTHAND:
                unknown[name] = None
                continue
            result = _parse_cached(name, value)
            if isinstance(result, InvalidValue):
                problems.append(Problem(i, name, value, result.reason, allowed_values(name)))
            elif result is None:
                continue
            elif name == "age":
                age[i] = result
            elif name == LEVEL_SHORTHAND:
                short_top, short_bottom = LEVEL_INDEX[result[0]], LEVEL_INDEX[result[1]]
            else:
                codes[i, CODE_COLUMN[name]] = _CODE_OF[name][result]
        code_row = codes[i]
        top, bottom, found = _level_problems(
            i, int(code_row[_TOP]), int(code_row[_BOTTOM]), short_top, short_bottom
        )
        code_row[_TOP], code_row[_BOTTOM] = top, bottom
        problems += found + _site_problems(i, int(code_row[_CALC]), int(code_row[_SITE]))
    problems += [_unknown_column(name) for name in unknown]
    if problems:
        raise CaseValidationError(_in_order(problems, index))
    return CaseArrays(age=age, codes=codes, index=index, labels=labels, extras=extras)


_TOP, _BOTTOM = CODE_COLUMN["level_top"], CODE_COLUMN["level_bottom"]
_CALC, _SITE = CODE_COLUMN["calcification"], CODE_COLUMN["calcification_site"]


def to_arrays(cases: Cases, *, classes: Sequence[str] | None = None) -> CaseArrays:
    """Validate cases and return them coded as :class:`CaseArrays`.

    Raises
    ------
    CaseValidationError
        Listing every problem of the batch: row, field, value, what is allowed.
    """
    if isinstance(cases, Mapping):
        return _rows_to_arrays([cases], classes)
    if isinstance(cases, list | tuple) and len(cases) < _FACTORIZE_FROM:
        return _rows_to_arrays(cases, classes)
    columns, index, problems = _columns_of(cases)
    n = len(index)
    problems += [_unknown_column(name) for name in columns if name not in KNOWN_COLUMNS]

    age = np.full(n, np.nan)
    codes = np.full((n, len(CODED_FIELDS)), -1, dtype=np.int8)
    for name in FIELDS:
        if name not in columns:
            continue
        inverse, uniques, parsed = _parse_unique(columns[name], FIELD_PARSERS[name])
        problems += _collect(name, inverse, uniques, parsed, index)
        if name == "age":
            table = np.array(
                [np.nan if v is None or isinstance(v, InvalidValue) else v for v in parsed]
                + [np.nan]
            )
            age = table[inverse]
        else:
            codes[:, CODE_COLUMN[name]] = _codes_for(name, inverse, parsed)

    shorthand = None
    if LEVEL_SHORTHAND in columns:
        inverse, uniques, parsed = _parse_unique(columns[LEVEL_SHORTHAND], parse_level_range)
        problems += _collect(LEVEL_SHORTHAND, inverse, uniques, parsed, index)
        pairs = [
            (-1, -1)
            if p is None or isinstance(p, InvalidValue)
            else (LEVEL_INDEX[p[0]], LEVEL_INDEX[p[1]])
            for p in parsed
        ] + [(-1, -1)]
        table = np.array(pairs, dtype=np.int8)
        shorthand = (table[inverse, 0], table[inverse, 1])
    problems += _cross_check(codes, shorthand, index)

    labels = None
    if LABEL in columns:
        labels, label_problems = _parse_labels(columns[LABEL], index, classes)
        problems += label_problems

    if problems:
        label = "line" if _is_frame(cases) and cases.index.name == "line" else "row"
        raise CaseValidationError(_in_order(problems, index), row_label=label)
    extras = {
        name: np.asarray(columns[name], dtype=object) for name in PASSTHROUGH if name in columns
    }
    return CaseArrays(age=age, codes=codes, index=index, labels=labels, extras=extras)


_FIELD_ORDER = {name: i for i, name in enumerate(KNOWN_COLUMNS)}


def _in_order(problems: list[Problem], index: list[Hashable]) -> list[Problem]:
    """Column problems first, then by row, then by the schema's field order."""
    position = {row: i for i, row in enumerate(index)}
    return sorted(
        problems,
        key=lambda p: (
            -1 if p.row is None else position.get(p.row, len(index)),
            _FIELD_ORDER.get(p.field, len(_FIELD_ORDER)),
        ),
    )


@functools.cache
def canonical_dtypes() -> dict[str, Any]:
    """The dtype of every field column in a validated frame."""
    import pandas as pd

    dtypes: dict[str, Any] = {"age": np.dtype("float64")}
    for name in CODED_FIELDS:
        if name in BOOLEAN_FIELDS:
            dtypes[name] = pd.BooleanDtype()
        else:
            dtypes[name] = pd.CategoricalDtype(
                list(CODE_VALUES[name]), ordered=name in LEVEL_FIELDS
            )
    return dtypes


def frame_from_arrays(arrays: CaseArrays, *, classes: Sequence[str] | None = None) -> pd.DataFrame:
    """The canonical DataFrame of coded cases: id first, then the fields, the label, metadata."""
    import pandas as pd

    dtypes = canonical_dtypes()
    data: dict[str, Any] = {}
    if "id" in arrays.extras:
        data["id"] = arrays.extras["id"]
    data["age"] = arrays.age
    for name in CODED_FIELDS:
        column = arrays.column(name)
        if name in BOOLEAN_FIELDS:
            data[name] = pd.array(column == 1, dtype="boolean")
            data[name][column < 0] = pd.NA
        else:
            data[name] = pd.Categorical.from_codes(column, dtype=dtypes[name])
    if arrays.labels is not None:
        data[LABEL] = (
            pd.Categorical(arrays.labels, categories=list(classes))
            if classes is not None
            else arrays.labels
        )
    for name in PASSTHROUGH:
        if name != "id" and name in arrays.extras:
            data[name] = arrays.extras[name]
    index = pd.Index(arrays.index) if arrays.index is not None else None
    return pd.DataFrame(data, index=index)


def is_canonical(frame: pd.DataFrame) -> bool:
    """True when a frame already has every field with its canonical dtype."""
    dtypes = frame.dtypes
    return all(
        name in dtypes.index and dtypes[name] == dtype for name, dtype in canonical_dtypes().items()
    )


def arrays_from_frame(frame: pd.DataFrame) -> CaseArrays:
    """Code a frame, reading the codes straight off a canonical one."""
    if not is_canonical(frame):
        return to_arrays(frame)
    codes = np.empty((len(frame), len(CODED_FIELDS)), dtype=np.int8)
    for name in CODED_FIELDS:
        column = frame[name]
        if name in BOOLEAN_FIELDS:
            missing = column.isna().to_numpy()
            codes[:, CODE_COLUMN[name]] = np.where(
                missing, -1, column.to_numpy(dtype=bool, na_value=False)
            )
        else:
            codes[:, CODE_COLUMN[name]] = column.cat.codes.to_numpy()
    labels = frame[LABEL].to_numpy(dtype=object) if LABEL in frame else None
    extras = {name: frame[name].to_numpy(dtype=object) for name in PASSTHROUGH if name in frame}
    return CaseArrays(
        age=frame["age"].to_numpy(dtype="float64"),
        codes=codes,
        index=frame.index,
        labels=labels,
        extras=extras,
    )


def as_case_arrays(cases: Cases | CaseArrays) -> CaseArrays:
    """Coded cases from any accepted form; an already-coded batch passes through.

    A ``diagnosis`` column is ignored: models and the oracle never read labels.
    """
    if isinstance(cases, CaseArrays):
        return cases
    if _is_frame(cases):
        return arrays_from_frame(cases.drop(columns=[LABEL], errors="ignore"))
    return to_arrays(cases)


def validate(cases: Cases, *, classes: Sequence[str] | None = None) -> pd.DataFrame:
    """Validate cases and return the canonical DataFrame.

    Parameters
    ----------
    cases : dict, list of dict, or DataFrame
        One case per mapping or row. Every field is optional; missing, empty
        or ``"N/A"`` means not reported. ``level`` ("T12-L2") may stand for
        ``level_top``/``level_bottom``; ``diagnosis`` is checked against
        ``classes`` when given; ``id`` and ``source`` pass through.
    classes : sequence of str, optional
        The allowed diagnoses.

    Returns
    -------
    DataFrame
        ``id`` (if given), every schema field with its canonical dtype, then
        ``diagnosis`` and ``source`` if given.

    Raises
    ------
    CaseValidationError
        One error naming every bad row, field and value, and what is allowed.

    Examples
    --------
    >>> from tumorclf.schema import validate
    >>> df = validate({"age": "19 y", "sex": "male", "level": "T12-L2", "compartment": "I&ED"})
    >>> df.loc[0, ["sex", "level_top", "level_bottom", "compartment"]].tolist()
    ['M', 'T12', 'L2', 'intra_extradural']
    >>> float(df.loc[0, "age"])
    19.0
    """
    return frame_from_arrays(to_arrays(cases, classes=classes), classes=classes)
