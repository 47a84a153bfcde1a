"""Encode validated cases as a numeric matrix for scikit-learn estimators.

:class:`CaseEncoder` is a stateless transformer. Every field has an explicit
unknown state (``sex=unknown``, ``age_unknown``...), so a field left out of a
case report is information the model can use, never an error. The encoding
works on the schema's integer codes with table look-ups: a handful of numpy
operations per call whatever the batch size, no per-call DataFrame building.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import _check_feature_names_in

from tumorclf.schema import CODE_COLUMN, CODE_VALUES, FIELDS, LEVELS, CaseArrays, as_case_arrays
from tumorclf.schema.vocabulary import (
    BOOLEAN_FIELDS,
    FIELDS_ADDED_IN_1_1,
    LEVEL_FIELDS,
    LEVEL_INDEX,
    LEVEL_REGIONS,
    REGIONS,
)

#: Fields encoded one-hot, each with a trailing "unknown" column.
ONE_HOT_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f != "age" and f not in LEVEL_FIELDS)


def _region_span(region: str) -> tuple[str, str]:
    members = [name for name in LEVELS if LEVEL_REGIONS[name] == region]
    return members[0], members[-1]


#: Named spans of levels a tumour may touch, as (first, last) level, inclusive: the spine's regions,
#: the thoracolumbar junction and the conus level.
LANDMARKS: dict[str, tuple[str, str]] = {
    **{region: _region_span(region) for region in REGIONS},
    "thoracolumbar_junction": ("T12", "L1"),
    "conus_level": ("L1", "L2"),
}

LEVEL_FEATURES: tuple[str, ...] = (
    "level_top_index",
    "level_bottom_index",
    "level_centre_index",
    "level_span_segments",
    "level_unknown",
    *(f"touches_{name}" for name in LANDMARKS),
)
_LEVEL_MISSING_INDEX = -1.0


def _value_label(field: str, value: Any) -> str:
    if field in BOOLEAN_FIELDS:
        return "yes" if value else "no"
    return str(value)


def _labels(field: str) -> list[str]:
    return [*(_value_label(field, v) for v in CODE_VALUES[field]), "unknown"]


def _one_hot_names() -> list[str]:
    return [f"{field}={label}" for field in ONE_HOT_FIELDS for label in _labels(field)]


FEATURE_NAMES: tuple[str, ...] = ("age_years", "age_unknown", *LEVEL_FEATURES, *_one_hot_names())

#: Pairs of fields whose joint value is one-hot encoded in ``encoding="full"``:
#: each finding with the one it depends on (see the priors' structure).
PAIRS: tuple[tuple[str, str], ...] = (
    ("compartment", "dumbbell"),
    ("calcification", "calcification_site"),
    ("calcification", "enhancement"),
    ("dural_attachment", "dural_tail"),
)
AGE_BANDS: tuple[str, ...] = (*(f"{d}-{d + 9}" for d in range(0, 80, 10)), "80+")
MAX_SPAN_BAND = 6


def _full_extra_names() -> list[str]:
    names = ["age_years_squared_over_100", *(f"age_band={b}" for b in (*AGE_BANDS, "unknown"))]
    names += [f"level_top={level}" for level in (*LEVELS, "unknown")]
    names += [
        f"level_span={s}"
        for s in (*map(str, range(1, MAX_SPAN_BAND)), f"{MAX_SPAN_BAND}+", "unknown")
    ]
    for a, b in PAIRS:
        names += [f"{a}={la}&{b}={lb}" for la in _labels(a) for lb in _labels(b)]
    return names


FULL_FEATURE_NAMES: tuple[str, ...] = (*FEATURE_NAMES, *_full_extra_names())

#: ``encoding="categories"``: one integer-coded column per group of findings
#: that the priors model jointly; (name, fields, number of categories).
CATEGORY_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sex", ("sex",)),
    ("compartment&dumbbell", ("compartment", "dumbbell")),
    ("calcification&site&enhancement", ("calcification", "calcification_site", "enhancement")),
    ("dural_attachment&dural_tail", ("dural_attachment", "dural_tail")),
    ("t2_signal", ("t2_signal",)),
    ("cystic_change", ("cystic_change",)),
    ("flow_voids", ("flow_voids",)),
    ("bone_erosion", ("bone_erosion",)),
    *((name, (name,)) for name in FIELDS_ADDED_IN_1_1),
)
AGE_CATEGORY_YEARS = 5
CATEGORY_NAMES: tuple[str, ...] = (
    "age_5y_band",
    "level_top",
    "level_span",
    *(name for name, _ in CATEGORY_GROUPS),
)
CATEGORY_COUNTS: tuple[int, ...] = (
    100 // AGE_CATEGORY_YEARS + 2,  # bands of 0-100 (100 in the last), and unknown
    len(LEVELS) + 1,
    MAX_SPAN_BAND + 1,
    *(int(np.prod([len(CODE_VALUES[f]) + 1 for f in fields])) for _, fields in CATEGORY_GROUPS),
)
#: ``encoding="codes"``: the age in years (NaN = unreported) and each field's schema code
#: (-1 = unreported), for models that read the schema's own codes (the updated priors).
CODE_NAMES: tuple[str, ...] = ("age", *(f for f in FIELDS if f != "age"))
ENCODINGS = ("compact", "full", "categories", "codes")


def _level_table() -> np.ndarray:
    """Level features for every (top, bottom) code pair, codes shifted by one (0 = unknown)."""
    n = len(LEVELS) + 1
    table = np.zeros((n * n, len(LEVEL_FEATURES)))
    for top in range(-1, len(LEVELS)):
        for bottom in range(-1, len(LEVELS)):
            row = table[(top + 1) * n + bottom + 1]
            if top < 0 and bottom < 0:
                row[:4] = _LEVEL_MISSING_INDEX, _LEVEL_MISSING_INDEX, _LEVEL_MISSING_INDEX, 0
                row[4] = 1.0
                continue
            # One end unreported: take the tumour as one segment at the other end.
            t = top if top >= 0 else bottom
            b = bottom if bottom >= 0 else top
            lo, hi = min(t, b), max(t, b)
            row[:4] = t, b, (t + b) / 2, hi - lo + 1
            for j, (first, last) in enumerate(LANDMARKS.values()):
                row[5 + j] = float(lo <= LEVEL_INDEX[last] and hi >= LEVEL_INDEX[first])
    return table


_LEVEL_TABLE = _level_table()
_ONE_HOT_COLUMNS = np.array([CODE_COLUMN[f] for f in ONE_HOT_FIELDS])
_ONE_HOT_WIDTH = np.array([len(CODE_VALUES[f]) + 1 for f in ONE_HOT_FIELDS])
_ONE_HOT_OFFSET = 2 + len(LEVEL_FEATURES) + np.concatenate(([0], np.cumsum(_ONE_HOT_WIDTH)[:-1]))


def _full_extras(arrays: CaseArrays, out: np.ndarray) -> None:
    """Fill the ``encoding="full"`` columns: age bands, level one-hots and finding pairs."""
    n = len(arrays)
    rows = np.arange(n)
    age = arrays.age
    unknown = np.isnan(age)
    out[:, 0] = np.where(unknown, 0.0, age) ** 2 / 100
    band = np.where(
        unknown, len(AGE_BANDS), np.minimum(np.nan_to_num(age) // 10, len(AGE_BANDS) - 1)
    )
    offset = 1
    out[rows, offset + band.astype(np.intp)] = 1.0
    offset += len(AGE_BANDS) + 1
    top, span = _level_top_and_span(arrays)
    out[rows, offset + top] = 1.0
    offset += len(LEVELS) + 1
    out[rows, offset + span] = 1.0
    offset += MAX_SPAN_BAND + 1
    for pair in PAIRS:
        out[rows, offset + _joint_code(arrays, pair)] = 1.0
        offset += int(np.prod([len(CODE_VALUES[f]) + 1 for f in pair]))


def _level_top_and_span(arrays: CaseArrays) -> tuple[np.ndarray, np.ndarray]:
    """Top level code and span band (0-based, last = 6+), each with len = unknown."""
    top = arrays.codes[:, CODE_COLUMN["level_top"]].astype(np.intp)
    bottom = arrays.codes[:, CODE_COLUMN["level_bottom"]].astype(np.intp)
    known = (top >= 0) | (bottom >= 0)
    first = np.where(top >= 0, top, bottom)
    span = np.abs(np.where(bottom >= 0, bottom, top) - first) + 1
    return (
        np.where(known, first, len(LEVELS)),
        np.where(known, np.minimum(span, MAX_SPAN_BAND) - 1, MAX_SPAN_BAND),
    )


def _joint_code(arrays: CaseArrays, fields: tuple[str, ...]) -> np.ndarray:
    """One integer per combination of the fields' values (unknown included)."""
    joint = np.zeros(len(arrays), dtype=np.intp)
    for field in fields:
        k = len(CODE_VALUES[field]) + 1
        codes = arrays.codes[:, CODE_COLUMN[field]].astype(np.intp)
        joint = joint * k + np.where(codes < 0, k - 1, codes)
    return joint


def _group_radix() -> tuple[np.ndarray, np.ndarray]:
    """Per coded field its unknown code; and weights turning shifted codes into group codes."""
    from tumorclf.schema import CODED_FIELDS

    unknown = np.array([len(CODE_VALUES[f]) for f in CODED_FIELDS], dtype=np.int64)
    radix = np.zeros((len(CODED_FIELDS), len(CATEGORY_GROUPS)), dtype=np.int64)
    for g, (_, fields) in enumerate(CATEGORY_GROUPS):
        weight = 1
        for field in reversed(fields):
            radix[CODE_COLUMN[field], g] = weight
            weight *= len(CODE_VALUES[field]) + 1
    return unknown, radix.astype(np.float64)


_UNKNOWN_CODE, _GROUP_RADIX = _group_radix()


def encode_categories(arrays: CaseArrays) -> np.ndarray:
    """Integer categories per finding group (:data:`CATEGORY_NAMES`), for categorical models."""
    out = np.empty((len(arrays), len(CATEGORY_NAMES)))
    age = arrays.age
    unknown_age = np.isnan(age)
    out[:, 0] = np.where(
        unknown_age, CATEGORY_COUNTS[0] - 1, np.where(unknown_age, 0, age) // AGE_CATEGORY_YEARS
    )
    out[:, 1], out[:, 2] = _level_top_and_span(arrays)
    codes = arrays.codes
    # Small integers, exact in float64, where the product runs on BLAS.
    out[:, 3:] = np.where(codes < 0, _UNKNOWN_CODE, codes).astype(np.float64) @ _GROUP_RADIX
    return out


def encode_arrays(arrays: CaseArrays, encoding: str = "compact") -> np.ndarray:
    """The feature matrix of coded cases, one column per name of :func:`feature_names`."""
    if encoding == "categories":
        return encode_categories(arrays)
    if encoding == "codes":
        return np.column_stack([arrays.age, arrays.codes.astype(np.float64)])
    n = len(arrays)
    out = np.zeros((n, len(feature_names(encoding))))
    age_unknown = np.isnan(arrays.age)
    out[:, 0] = np.where(age_unknown, 0.0, arrays.age)
    out[:, 1] = age_unknown
    top = arrays.codes[:, CODE_COLUMN["level_top"]].astype(np.intp) + 1
    bottom = arrays.codes[:, CODE_COLUMN["level_bottom"]].astype(np.intp) + 1
    out[:, 2 : 2 + len(LEVEL_FEATURES)] = _LEVEL_TABLE[top * (len(LEVELS) + 1) + bottom]
    codes = arrays.codes[:, _ONE_HOT_COLUMNS].astype(np.intp)
    # -1 (unknown) lands on each block's last column.
    position = _ONE_HOT_OFFSET + np.where(codes < 0, _ONE_HOT_WIDTH - 1, codes)
    out[np.arange(n)[:, None], position] = 1.0
    if encoding == "full":
        _full_extras(arrays, out[:, len(FEATURE_NAMES) :])
    return out


def feature_names(encoding: str = "compact") -> tuple[str, ...]:
    """The output column names of an encoding."""
    return {
        "compact": FEATURE_NAMES,
        "full": FULL_FEATURE_NAMES,
        "categories": CATEGORY_NAMES,
        "codes": CODE_NAMES,
    }[encoding]


class CaseEncoder(TransformerMixin, BaseEstimator):
    """Turn cases into numbers: age, levels and landmarks, one-hot findings.

    Accepts what :func:`tumorclf.schema.validate` accepts (a dict, a list of
    dicts, a DataFrame, raw or canonical) and validates it on the way, raising
    :class:`~tumorclf.schema.CaseValidationError` for bad input.

    Features (see :meth:`get_feature_names_out`):

    * ``age_years`` (0 when unknown) and ``age_unknown``;
    * ``level_top_index``, ``level_bottom_index``, ``level_centre_index``
      (C1 = 0 ... S5 = 28; -1 when unknown), ``level_span_segments``,
      ``level_unknown``, and ``touches_<landmark>`` for the cervical,
      thoracic, lumbar and sacral regions, the thoracolumbar junction
      (T12-L1) and the conus level (L1-L2);
    * one-hot ``field=value`` for every other field, with ``field=unknown``.

    With ``encoding="full"`` it adds what a linear model needs to mirror the
    generator's structure: a squared age term, decade bands, one-hot top level
    and span, and one-hot pairs of each finding with the one it depends on
    (compartment & dumbbell, calcification & site, calcification &
    enhancement, dural attachment & tail).

    The encoder learns nothing from data; ``fit`` only checks its input.

    With ``encoding="categories"`` it gives one integer column per group of
    findings the priors model jointly (5-year age band, top level, span,
    compartment & dumbbell, calcification & site & enhancement, ...), for
    categorical models such as :class:`~sklearn.naive_bayes.CategoricalNB`;
    :data:`CATEGORY_COUNTS` holds each column's number of categories.

    With ``encoding="codes"`` it gives the age and each field's schema code
    (NaN and -1 where unreported), for the updated-priors model, which reads
    cases as the generator does.

    Parameters
    ----------
    encoding : {"compact", "full", "categories", "codes"}, default="compact"
        Which features to make: 90 one-hot and ordinal columns, 222 with the
        pairs, 18 integer categories, or 22 schema codes.

    Examples
    --------
    >>> from tumorclf.features import CaseEncoder
    >>> enc = CaseEncoder()
    >>> X = enc.fit_transform([{"age": 19, "level": "T12-L2", "calcification": "punctate"}])
    >>> X.shape
    (1, 90)
    >>> float(dict(zip(enc.get_feature_names_out(), X[0]))["touches_conus_level"])
    1.0
    """

    _parameter_constraints: dict = {"encoding": [StrOptions(set(ENCODINGS))]}

    def __init__(self, encoding: str = "compact") -> None:
        self.encoding = encoding

    def fit(self, X: Any, y: Any = None) -> CaseEncoder:
        self._validate_params()
        as_case_arrays(X)
        self.n_features_in_ = len(FIELDS)
        self.feature_names_in_ = np.asarray(FIELDS, dtype=object)
        return self

    def transform(self, X: Any) -> np.ndarray:
        if self.encoding not in ENCODINGS:
            self._validate_params()
        return encode_arrays(as_case_arrays(X), self.encoding)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Readable feature names, e.g. ``age_years``, ``touches_conus_level``,
        ``dural_tail=no``."""
        if input_features is not None:
            _check_feature_names_in(self, input_features)
        return np.asarray(feature_names(self.encoding), dtype=object)

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.dict = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags
