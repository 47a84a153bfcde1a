"""Synthetic fill-in: the rows a model learns from inside one training fold, and only there.

:func:`fill_in_rows` draws synthetic cases from the fold's generator
(complete cases from its finding model, masked by a named missingness
process) and adds the fold's published rows where ``real_rows`` says so.
The evaluation calls it with a fold's training cases alone and scores only
that fold's held-out cases, so whatever is scored was never synthetic and
never in training (the shape of imbalanced-learn's samplers, which resample
during fit only).

A discriminative model has one reading, the one its training rows teach:
published rows teach it how papers report (a silence becomes evidence), so
a model meant to read a user's case as entered learns from synthetic rows
masked ``as_entered`` alone, the real cases reaching it through the finding
model they updated.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tumorclf.schema import LABEL


def fill_in_rows(
    cases: pd.DataFrame,
    labels: Any,
    generator: Any,
    *,
    n: int,
    balance: Any = "uniform",
    missingness: str = "as_entered",
    real_rows: bool = True,
    random_state: int | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` synthetic rows from ``generator``, then the published ``cases`` if ``real_rows``; and
    their labels.

    Parameters
    ----------
    cases : DataFrame
        The fold's training cases (schema fields; other columns are dropped).
    labels : array-like
        Their diagnoses.
    generator : CaseGenerator
        The fold's updated priors.
    n : int
        Synthetic rows to draw.
    balance : str or dict
        Class balance of the synthetic rows.
    missingness : {"as_entered", "as_published", "none"}
        How the synthetic rows' complete findings are masked
        (:data:`tumorclf.synthetic.MISSINGNESS`).
    real_rows : bool
        Whether the published rows join the synthetic ones.
    random_state : int
        Seeds the synthetic draw.

    Raises
    ------
    ValueError
        Without real rows and without synthetic ones: there would be nothing to learn from.
    """
    real = cases.drop(columns=[LABEL], errors="ignore").assign(
        **{LABEL: np.asarray(labels, dtype=object)}
    )
    synthetic = generator.sample(
        n, balance=balance, random_state=random_state, missingness=missingness
    )
    if not real_rows and not len(synthetic):
        raise ValueError(
            "A fill-in without real rows needs n > 0 synthetic ones: it would fit on nothing."
        )
    columns = [c for c in real.columns if c in synthetic.columns]
    parts = [synthetic[columns], real[columns]] if real_rows else [synthetic[columns]]
    combined = pd.concat(parts, ignore_index=True)
    return combined, combined.pop(LABEL).astype(str).to_numpy(dtype=object)


__all__ = ["fill_in_rows"]
