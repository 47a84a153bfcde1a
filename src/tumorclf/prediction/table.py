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
from tumorclf.prediction.wording import differential_column


def prediction_table(classifier: Classifier, frame: Any, prior: Any,
                     reading: str = "as_entered", coverage: float | None = None) -> pd.DataFrame:
    """One row per case: id (if any), p_<class> columns, diagnosis, differential, the reading used; and, where the
    model has them, its conformal ``differential_set`` (at ``coverage``, on the model's own scale) and the ``mcs_alert``
    (under ``prior``). The batch is validated and scored once."""
    from tumorclf.schema import as_case_arrays

    arrays = as_case_arrays(frame)
    scored = classifier.score(arrays, prior, reading, coverage)
    columns: dict[str, Any] = {}
    if "id" in arrays.extras:
        columns["id"] = arrays.extras["id"]
    for j, c in enumerate(classifier.classes_):
        columns[f"p_{c}"] = scored.proba[:, j]
    columns["diagnosis"] = np.asarray(classifier.classes_, dtype=object)[scored.proba.argmax(axis=1)]
    columns["differential"] = differential_column(scored.proba, list(classifier.classes_))
    columns["reading"] = reading
    if scored.sets is not None:
        columns["differential_set"] = ["; ".join(kept) for kept in scored.sets]
    if scored.alerts is not None:
        columns["mcs_alert"] = scored.alerts
    return pd.DataFrame(columns, index=pd.RangeIndex(len(arrays)))


#: Rows read, validated and predicted at a time when predictions go to a file.
CHUNK_ROWS = 100_000


def write_prediction_csv(classifier: Classifier, cases: Any, output: Any, prior: Any,
                         chunk_rows: int = CHUNK_ROWS, reading: str = "as_entered",
                         coverage: float | None = None) -> int:
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
                table = prediction_table(classifier, block, prior, reading, coverage)
            except CaseValidationError as error:
                problems += error.problems
                row_label = error.row_label
                continue
            table.to_csv(handle, header=written == 0, index=False, float_format="%.6f")
            written += len(table)
        if problems:
            raise CaseValidationError(problems, row_label=row_label)
    return written


__all__ = ["CHUNK_ROWS", "prediction_table", "write_prediction_csv"]
