"""Predictions as people read them: an output table for CSVs, a printed case for a terminal."""

from __future__ import annotations

from typing import Any

import pandas as pd

from tumorclf.prediction import Classifier, Prediction, class_words


def differential_text(probabilities: pd.Series, threshold: float = 0.01, min_classes: int = 3) -> str:
    ranked = probabilities.sort_values(ascending=False)
    kept = [(c, p) for k, (c, p) in enumerate(ranked.items()) if k < min_classes or p >= threshold]
    return "; ".join(f"{c} {p:.3f}" for c, p in kept)


def prediction_table(classifier: Classifier, frame: pd.DataFrame, prior: Any) -> pd.DataFrame:
    """One row per case: id (if any), p_<class> columns, diagnosis, differential."""
    proba = classifier.predict_proba(frame, prior=prior)
    out = pd.DataFrame(index=range(len(proba)))
    if proba.index.name == "id":
        out["id"] = proba.index.to_numpy()
    for c in classifier.classes_:
        out[f"p_{c}"] = proba[c].to_numpy()
    out["diagnosis"] = proba.idxmax(axis=1).to_numpy()
    out["differential"] = [differential_text(row) for _, row in proba.iterrows()]
    return out


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
    missing = 14 - len(extraction.case)
    console.print(f"Not stated in the report: {missing} of 14 fields (a report's silences count as the published "
                  "reports taught the model).")
    print_prediction(prediction)


def print_prediction(prediction: Prediction) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Differential (prior: {prediction.prior})")
    table.add_column("class")
    table.add_column("probability", justify="right")
    for name, p in prediction.differential:
        style = "bold green" if name == prediction.diagnosis else ""
        table.add_row(f"[{style}]{class_words(name)}[/]" if style else class_words(name), f"{p:.1%}")
    console.print(table)
    if prediction.explanation:
        console.print("Findings that moved it most:")
        for line in prediction.explanation:
            console.print(f"  - {line}")
