"""A batch of predictions as a table: one row per case, for a CSV, the MLflow pyfunc and the CLI.

Every column comes from one scoring of the batch (:meth:`Classifier.score`):
its probabilities, the top diagnosis, the differential in words, and where
the model has them the conformal set and the MCS alert.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tumorclf.prediction.facade import Classifier
from tumorclf.prediction.wording import differential_column, names_in_order


def prediction_columns(
    classifier: Classifier,
    frame: Any,
    prior: Any,
    reading: str = "as_entered",
    coverage: float | None = None,
) -> dict[str, Any]:
    """The columns of :func:`prediction_table`, as arrays,
    from one validation and one scoring of the batch."""
    from tumorclf.schema import as_case_arrays

    arrays = as_case_arrays(frame)
    scored = classifier.score(arrays, prior, reading, coverage)
    columns: dict[str, Any] = {}
    if "id" in arrays.extras:
        columns["id"] = np.asarray(arrays.extras["id"], dtype=object)
    for j, c in enumerate(classifier.classes_):
        columns[f"p_{c}"] = scored.proba[:, j]
    columns["diagnosis"] = np.asarray(classifier.classes_, dtype=object)[
        scored.proba.argmax(axis=1)
    ]
    columns["differential"] = differential_column(scored.proba, list(classifier.classes_))
    columns["reading"] = np.full(len(arrays), reading, dtype=object)
    if (
        scored.set_members is not None
    ):  # most probable first on the model's own scale, where sets are calibrated
        columns["differential_set"] = names_in_order(
            scored.entered, scored.set_members, list(classifier.classes_)
        )
    if scored.alerts is not None:
        columns["mcs_alert"] = scored.alerts
    return columns


def prediction_table(
    classifier: Classifier,
    frame: Any,
    prior: Any,
    reading: str = "as_entered",
    coverage: float | None = None,
) -> pd.DataFrame:
    """One row per case: id (if any), p_<class> columns, diagnosis, differential, the reading used;
    and, where the model has them, its conformal ``differential_set`` (at ``coverage``, on the
    model's own scale) and the ``mcs_alert`` (under ``prior``). The batch is validated and scored
    once."""
    return pd.DataFrame(prediction_columns(classifier, frame, prior, reading, coverage))


#: Rows read, validated and predicted at a time when predictions go to a file.
CHUNK_ROWS = 100_000
#: "0.000" to "1.000" and "000" to "999": a probability's six decimals as two look-ups.
_HEAD = np.array([f"0.{i:03d}" for i in range(1000)] + ["1.000"], dtype=object)
_TAIL = np.array([f"{i:03d}" for i in range(1000)], dtype=object)


def probability_text(values: np.ndarray) -> np.ndarray:
    """Probabilities in [0, 1] as ``"%.6f"`` text, exactly, by table look-up (pandas' float_format
    runs Python's formatting once per cell, the slowest part of writing a large prediction file)."""
    scaled = np.asarray(values, dtype=float) * 1e6
    micro = np.floor(scaled + 0.5)
    halfway = (
        np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    )  # let Python's own rounding decide these few
    if halfway.any():
        micro[halfway] = [
            round(float(f"{v:.6f}") * 1e6) for v in np.asarray(values, dtype=float)[halfway]
        ]
    micro = np.clip(micro, 0, 1_000_000).astype(np.intp)
    return _HEAD[micro // 1000] + _TAIL[micro % 1000]


def write_prediction_csv(
    classifier: Classifier,
    cases: Any,
    output: Any,
    prior: Any,
    chunk_rows: int = CHUNK_ROWS,
    reading: str = "as_entered",
    coverage: float | None = None,
) -> int:
    """Predict a cases CSV into ``output`` block by block; return the number of rows written.

    Memory stays that of one block whatever the file's size. Every block is
    validated; if any row is bad, nothing is written (the output appears
    atomically or not at all) and one error names every problem of the file.
    """
    from tumorclf.case_io import iter_cases_csv
    from tumorclf.persistence.atomic import atomic_write
    from tumorclf.schema import CaseValidationError, validate

    problems: list[Any] = []
    row_label = "line"
    written = 0
    with atomic_write(output) as handle:
        for block in iter_cases_csv(cases, chunk_rows):
            try:
                if problems:  # the file will not be written: only find the rest of its problems
                    validate(block, classes=None)
                    continue
                columns = prediction_columns(classifier, block, prior, reading, coverage)
            except CaseValidationError as error:
                problems += error.problems
                row_label = error.row_label
                continue
            table = pd.DataFrame(
                _as_text(columns), dtype=object
            )  # text already: no per-cell formatting
            table.to_csv(handle, header=written == 0, index=False)
            written += len(table)
        if problems:
            raise CaseValidationError(problems, row_label=row_label)
    return written


def _as_text(columns: dict[str, Any]) -> dict[str, np.ndarray]:
    """The columns as the file spells them: probabilities to six decimals,
    the alert True or False."""
    text = {}
    for name, values in columns.items():
        if name.startswith("p_"):
            values = probability_text(values)
        elif values.dtype == bool:
            values = np.where(values, "True", "False").astype(object)
        text[name] = values
    return text


__all__ = [
    "CHUNK_ROWS",
    "prediction_columns",
    "prediction_table",
    "probability_text",
    "write_prediction_csv",
]
