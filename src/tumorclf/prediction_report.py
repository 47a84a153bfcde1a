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
