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
from sklearn.utils.validation import _check_feature_names_in

from tumorclf.schema import CODE_COLUMN, CODE_VALUES, FIELDS, LEVELS, CaseArrays, to_arrays
from tumorclf.schema.validation import arrays_from_frame
from tumorclf.schema.vocabulary import BOOLEAN_FIELDS, LEVEL_FIELDS, LEVEL_INDEX, REGIONS

#: Fields encoded one-hot, each with a trailing "unknown" column.
ONE_HOT_FIELDS: tuple[str, ...] = tuple(
    f for f in FIELDS if f != "age" and f not in LEVEL_FIELDS
)

#: Named spans of levels a tumour may touch, as (first, last) level, inclusive.
LANDMARKS: dict[str, tuple[str, str]] = {
    "cervical": ("C1", "C7"),
    "thoracic": ("T1", "T12"),
    "lumbar": ("L1", "L5"),
    "sacral": ("S1", "S5"),
    "thoracolumbar_junction": ("T12", "L1"),
    "conus_level": ("L1", "L2"),
}
assert set(REGIONS.values()) <= set(LANDMARKS)

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


def _one_hot_names() -> list[str]:
    names = []
    for field in ONE_HOT_FIELDS:
        names += [f"{field}={_value_label(field, v)}" for v in CODE_VALUES[field]]
        names.append(f"{field}=unknown")
    return names


FEATURE_NAMES: tuple[str, ...] = ("age_years", "age_unknown", *LEVEL_FEATURES, *_one_hot_names())


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


def encode_arrays(arrays: CaseArrays) -> np.ndarray:
    """The feature matrix of coded cases, shape ``(n_cases, len(FEATURE_NAMES))``."""
    n = len(arrays)
    out = np.zeros((n, len(FEATURE_NAMES)))
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
    return out


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

    The encoder learns nothing from data; ``fit`` only checks its input.

    Examples
    --------
    >>> from tumorclf.features import CaseEncoder
    >>> enc = CaseEncoder()
    >>> X = enc.fit_transform([{"age": 19, "level": "T12-L2", "calcification": "punctate"}])
    >>> X.shape
    (1, 58)
    >>> float(dict(zip(enc.get_feature_names_out(), X[0]))["touches_conus_level"])
    1.0
    """

    def fit(self, X: Any, y: Any = None) -> CaseEncoder:
        self._as_arrays(X)
        self.n_features_in_ = len(FIELDS)
        self.feature_names_in_ = np.asarray(FIELDS, dtype=object)
        return self

    def transform(self, X: Any) -> np.ndarray:
        return encode_arrays(self._as_arrays(X))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Readable feature names, e.g. ``age_years``, ``touches_conus_level``, ``dural_tail=no``."""
        if input_features is not None:
            _check_feature_names_in(self, input_features)
        return np.asarray(FEATURE_NAMES, dtype=object)

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.dict = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags

    @staticmethod
    def _as_arrays(X: Any) -> CaseArrays:
        if isinstance(X, CaseArrays):
            return X
        if hasattr(X, "columns"):
            return arrays_from_frame(X.drop(columns=["diagnosis"], errors="ignore"))
        return to_arrays(X)
