"""Choosing the champion: the selection metric, and the guard that keeps MCS ranked as the
literature does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tumorclf.training.candidates import LITERATURE
from tumorclf.training.evaluation import CandidateReport
from tumorclf.training.metrics import LOWER_IS_BETTER

#: Selection guards: which candidates may be champion before the metric chooses among them.
GUARDS = ("mcs_top3_vs_literature", "none")


def selection_column(selection: Mapping[str, Any]) -> str:
    """The metric that picks the champion: ``real_log_loss_mean`` (real cases read as entered) by
    default."""
    if selection.get("cases", "real") != "real":
        return f"cv_{selection['metric']}_mean"
    prefix = (
        "real_published" if selection.get("reading", "as_entered") == "as_published" else "real"
    )
    return f"{prefix}_{selection['metric']}_mean"


def _selection_key(report: CandidateReport, selection: Mapping[str, Any]) -> float:
    value = report.metrics.get(selection_column(selection), np.nan)
    value = np.inf if not np.isfinite(value) else value
    return value if selection["metric"] in LOWER_IS_BETTER else -value


def guarded_candidates(
    eligible: Sequence[CandidateReport],
    reports: Sequence[CandidateReport],
    selection: Mapping[str, Any],
) -> tuple[list[CandidateReport], str]:
    """The candidates the selection metric may choose among, and a sentence saying why.

    ``selection.guard: mcs_top3_vs_literature`` (default) keeps those whose
    real-case MCS top-3 sensitivity (in the selection's reading) is not below
    the literature model's: a champion may not buy a lower log loss by ranking
    MCS lower than the published figures alone do. If none qualifies, all do,
    and the sentence says so.
    """
    guard = selection.get("guard", "mcs_top3_vs_literature")
    if guard == "none" or selection.get("cases", "real") != "real":
        return list(eligible), "no guard"
    prefix = (
        "real_published" if selection.get("reading", "as_entered") == "as_published" else "real"
    )
    column = f"{prefix}_mcs_top3_sensitivity_mean"
    literature = next((r for r in reports if r.name == LITERATURE and not r.failed), None)
    floor = literature.metrics.get(column, np.nan) if literature is not None else np.nan
    if not np.isfinite(floor):
        return list(eligible), "no guard (the literature model has no MCS figure)"
    kept = [r for r in eligible if r.metrics.get(column, -np.inf) >= floor - 1e-12]
    if not kept:
        return list(
            eligible
        ), f"no candidate ranks MCS in the top 3 as often as the literature ({floor:.2f}): all kept"
    left = sorted(r.name for r in eligible if r not in kept)
    return kept, (
        f"MCS in the top 3 at least as often as the literature ({floor:.2f})"
        + (f"; left out: {', '.join(left)}" if left else "")
    )


def choose_champion(
    reports: Sequence[CandidateReport], selection: Mapping[str, Any]
) -> tuple[CandidateReport, str]:
    """The champion among the candidates that did not fail (never a reference), and the guard's
    sentence.

    Raises
    ------
    RuntimeError
        If every candidate failed.
    """
    eligible = [r for r in reports if not r.reference and not r.failed and r.model is not None]
    if not eligible:
        raise RuntimeError("every candidate failed; see the FAILED child runs for their errors")
    guarded, note = guarded_candidates(eligible, reports, selection)
    return min(guarded, key=lambda r: _selection_key(r, selection)), note


__all__ = ["GUARDS", "choose_champion", "guarded_candidates", "selection_column"]
