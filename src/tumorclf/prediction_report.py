"""Predictions as people read them: an output table for CSVs, a printed case for a terminal."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tumorclf.prediction import Classifier, Prediction, class_words, reading_words, set_lines


def differential_text(probabilities: pd.Series, threshold: float = 0.01, min_classes: int = 3) -> str:
    """One case's differential: 'mcs 0.812; schwannoma 0.103; ...' (see :func:`differential_column`)."""
    return str(differential_column(probabilities.to_numpy()[None, :], list(probabilities.index),
                                   threshold, min_classes)[0])


def differential_column(proba: np.ndarray, classes: list[str], threshold: float = 0.01,
                        min_classes: int = 3) -> np.ndarray:
    """Every row's differential as text, built with array operations (no per-row Python).

    Classes in falling probability, down to ``threshold`` but never fewer than
    ``min_classes``; ties keep the column order.
    """
    order = np.argsort(-proba, axis=1, kind="stable")
    ranked = np.take_along_axis(proba, order, axis=1)
    # Every "name 0.123" a cell can hold, looked up by class and thousandths.
    scaled = ranked * 1000
    thousandths = np.floor(scaled + 0.5)
    halfway = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6  # let Python's own rounding decide these few
    thousandths[halfway] = [round(float(f"{p:.3f}") * 1000) for p in ranked[halfway]]
    thousandths = np.clip(thousandths, 0, 1000).astype(np.intp)
    labels = np.array([[f"{name} {t / 1000:.3f}" for t in range(1001)] for name in classes], dtype=object)
    out = labels[order[:, 0], thousandths[:, 0]].copy()
    for k in range(1, proba.shape[1]):
        keep = (ranked[:, k] >= threshold) | (k < min_classes)
        if not keep.any():
            break
        rows = np.flatnonzero(keep)
        out[rows] = out[rows] + "; " + labels[order[rows, k], thousandths[rows, k]]
    return out


def prediction_table(classifier: Classifier, frame: pd.DataFrame, prior: Any,
                     reading: str = "as_entered", coverage: float | None = None) -> pd.DataFrame:
    """One row per case: id (if any), p_<class> columns, diagnosis, differential, the reading used; and, where the
    model has them, its conformal ``differential_set`` (at ``coverage``, on the model's own scale) and the ``mcs_alert``
    (under ``prior``)."""
    proba = classifier.predict_proba(frame, prior=prior, reading=reading)
    out = pd.DataFrame(index=range(len(proba)))
    if proba.index.name == "id":
        out["id"] = proba.index.to_numpy()
    for c in classifier.classes_:
        out[f"p_{c}"] = proba[c].to_numpy()
    out["diagnosis"] = proba.idxmax(axis=1).to_numpy()
    out["differential"] = differential_column(proba.to_numpy(), list(proba.columns))
    out["reading"] = reading
    if classifier.coverage_ is not None and "as_entered" in classifier.readings_:
        out["differential_set"] = ["; ".join(kept) for kept in classifier.predict_set(frame, coverage)]
    if classifier.mcs_alert_ is not None and "mcs" in classifier.classes_ and "as_entered" in classifier.readings_:
        out["mcs_alert"] = classifier.mcs_alerts(frame, prior)
    return out


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


def print_report_prediction(prediction: Prediction) -> None:
    """What was read from the report (value, words), then the differential: one screen."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    extraction = prediction.extraction
    table = Table(title="Read from the report: check each value against its words", title_justify="left")
    table.add_column("field")
    table.add_column("value")
    table.add_column("the report's words")
    for name, value in extraction.case.items():
        shown = {True: "yes", False: "no"}[value] if isinstance(value, bool) else str(value)
        table.add_row(name, shown, f"\"{escape(extraction.spans[name].text)}\"")
    console = Console()
    console.print(table)
    uncertain = [m for m in extraction.set_aside if m.status.value == "uncertain"]
    if uncertain:
        console.print("Not counted (uncertain): " + "; ".join(f'"{escape(m.span.text)}"' for m in uncertain))
    from tumorclf.extract import ORDER

    missing = len(ORDER) - len(extraction.case)
    console.print(f"Not stated in the report: {missing} of {len(ORDER)} fields ({reading_words(prediction.reading)}).")
    print_prediction(prediction)


def print_prediction(prediction: Prediction) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"Case {reading_words(prediction.reading)}; prior: {prediction.prior}.")
    table = Table(title="Differential")
    table.add_column("class")
    table.add_column("probability", justify="right")
    for name, p in prediction.differential:
        style = "bold green" if name == prediction.diagnosis else ""
        table.add_row(f"[{style}]{class_words(name)}[/]" if style else class_words(name), f"{p:.1%}")
    console.print(table)
    from rich.markup import escape

    for line in set_lines(prediction):
        style = "bold red" if prediction.alert is not None and prediction.alert.raised and line.startswith("MCS") else ""
        console.print(f"[{style}]{escape(line)}[/]" if style else escape(line))
    if prediction.explanation:
        console.print("Findings that moved it most:")
        for line in prediction.explanation:
            console.print(f"  - {line}")
