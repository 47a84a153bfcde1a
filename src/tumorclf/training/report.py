"""What ``tumorclf train`` shows a person: a progress bar, then a summary table."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tumorclf.paths import default_tracking_uri

console = Console(stderr=False)
if not console.is_terminal:  # logs and CI: do not squeeze the table into 80 columns
    console.width = 150


class _Advance:
    def __init__(self, progress: Progress, task: Any) -> None:
        self.progress, self.task = progress, task

    def task_done(self, result: Any) -> None:
        label = f"{result.candidate} {result.kind}" + (" FAILED" if result.error else "")
        self.progress.update(self.task, advance=1, description=f"[cyan]{label}")

    def stage(self, name: str) -> None:
        self.progress.update(self.task, description=f"[bold]{name}")


@contextlib.contextmanager
def progress_bar(total: int) -> Iterator[_Advance]:
    """A bar over candidates x folds (synthetic folds, tuning, real cases, final fits)."""
    with Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        yield _Advance(progress, progress.add_task("starting", total=total))


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def _pm(row: dict[str, Any], name: str, digits: int = 2) -> str:
    mean, sd = row.get(f"{name}_mean"), row.get(f"{name}_sd")
    return (
        "-"
        if mean is None or (isinstance(mean, float) and math.isnan(mean))
        else f"{_fmt(mean, digits)}±{_fmt(sd, digits)}"
    )


#: Columns of the real-case table: header, and how a row's cell is made. Read as entered first.
REAL_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("log loss", lambda r: _pm(r, "real_log_loss")),
    ("top-1", lambda r: _fmt(r.get("real_top1_acc_mean"), 2)),
    ("top-3", lambda r: _pm(r, "real_top3_acc")),
    ("MCS top-3", lambda r: _fmt(r.get("real_mcs_top3_sensitivity_mean"), 2)),
    ("MCS false+", lambda r: _fmt(r.get("real_mcs_top3_false_alarm_mean"), 2)),
    ("MCS AUC", lambda r: _fmt(r.get("real_mcs_auroc_mean"), 2)),
    (
        "ECE (ref.)",
        lambda r: (
            f"{_fmt(r.get('real_ece_pooled'), 2)} ({_fmt(r.get('real_ece_pooled_reference'), 2)})"
        ),
    ),
    ("pub. LL", lambda r: _pm(r, "real_published_log_loss")),
    ("pub. top-3", lambda r: _fmt(r.get("real_published_top3_acc_mean"), 2)),
    ("pub. MCS top-3", lambda r: _fmt(r.get("real_published_mcs_top3_sensitivity_mean"), 2)),
)
#: Columns of the second table: the vignettes, then the synthetic diagnostics.
OTHER_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("vignettes top-1", lambda r: _fmt(r.get("vignette_top1_acc"), 2)),
    ("top-3", lambda r: _fmt(r.get("vignette_top3_acc"), 2)),
    ("MCS first", lambda r: _fmt(r.get("vignette_mcs_first"), 2)),
    (
        "MCS rank mean/worst",
        lambda r: (
            f"{_fmt(r.get('vignette_mcs_mean_rank'), 1)}/"
            f"{_fmt(r.get('vignette_mcs_worst_rank'), 0)}"
        ),
    ),
    ("MCS false+", lambda r: _fmt(r.get("vignette_mcs_top3_false_alarm"), 2)),
    ("| synth. LL", lambda r: _fmt(r.get("cv_log_loss_mean"), 2)),
    ("/oracle", lambda r: _fmt(r.get("cv_oracle_ratio_mean"), 2)),
)


def _ci(row: dict[str, Any], name: str, digits: int = 2) -> str:
    low, high = row.get(f"{name}_lo"), row.get(f"{name}_hi")
    if low is None or high is None or (isinstance(low, float) and math.isnan(low)):
        return "-"
    return f"{_fmt(low, digits)}-{_fmt(high, digits)}"


#: Columns of the intervals table: the headline real-case figures, as entered, each with its 95%
#: interval.
INTERVAL_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("log loss", lambda r: _ci(r, "real_log_loss")),
    ("top-1", lambda r: _ci(r, "real_top1_acc")),
    ("top-3", lambda r: _ci(r, "real_top3_acc")),
    ("MCS top-3", lambda r: _ci(r, "real_mcs_top3_sensitivity")),
    ("MCS false+", lambda r: _ci(r, "real_mcs_top3_false_alarm")),
    ("MCS AUC", lambda r: _ci(r, "real_mcs_auroc")),
    ("ECE", lambda r: _ci(r, "real_ece_pooled")),
    ("pub. LL", lambda r: _ci(r, "real_published_log_loss")),
    ("pub. top-3", lambda r: _ci(r, "real_published_top3_acc")),
)
INTERVAL_CAPTION = (
    "95% intervals of the real-case figures (pooled out-of-fold predictions; a bootstrap over "
    "sources, 1,000 replicates: a paper's patients are drawn together). With 20 MCS cases, the MCS "
    "figures are wide."
)
REAL_CAPTION = (
    "Real cases, grouped CV, mean±sd over folds; as entered: each case's stated fields only, as a "
    "user's case is read; pub.: read as published, silences through the reporting model (the "
    "same as entered for a model with one reading); the line above says which one chose the "
    "champion. MCS top-3: "
    "MCS cases with MCS in their top 3; MCS false+: other cases with MCS in their top 3. ECE: over "
    "all out-of-fold predictions at once; in brackets, what a perfectly calibrated model would "
    "show on the same cases (ECE is biased upwards on few cases)."
)
OTHER_CAPTION = (
    "Vignettes: fully reported textbook cases (data/vignettes.csv), as entered, uniform prior; "
    "never used to fit or choose. MCS rank: where MCS ranks on the MCS vignettes (1 = first). "
    "synth. LL, /oracle: synthetic CV log loss and its ratio to the oracle's."
)


def candidate_table(
    rows: list[dict[str, Any]],
    title: str,
    champion: str | None,
    columns: tuple[tuple[str, Any], ...] = REAL_COLUMNS,
    caption: str = REAL_CAPTION,
) -> Table:
    """One row per candidate, one column per figure of ``columns``."""
    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    table.add_column("candidate", no_wrap=True, min_width=26)
    for header, _ in columns:
        table.add_column(header, justify="right", no_wrap=True)
    for row in rows:
        name = row["candidate"] + (" (reference)" if row["reference"] else "")
        if row["candidate"] == champion:
            name = f"[bold green]{name} *[/]"
        if row["status"] == "FAILED":
            table.add_row(f"[red]{name}[/]", "FAILED", *[""] * (len(columns) - 1))
            continue
        table.add_row(name, *(cell(row) for _, cell in columns))
    return table


def _real_n(rows: list[dict[str, Any]]) -> str:
    n = max((r.get("real_cases") or 0 for r in rows), default=0)
    return f"{int(n)} real cases" if n else "no real cases"


def coverage_lines(figures: dict[str, Any]) -> list[str]:
    """The champion's coverage sets and MCS alert in words (each fold held out from the calibration
    in turn)."""
    if "conformal_coverage_mean" not in figures:
        return []
    f = figures
    lines = [
        f"Sets:     the differential set held the true class in {f['conformal_coverage_mean']:.2f} "
        f"± {f['conformal_coverage_sd']:.2f} of held-out real cases "
        f"(MCS {_fmt(f.get('conformal_coverage_mcs_mean'), 2)}), "
        f"mean size {f['conformal_set_size_mean']:.1f}, "
        f"one class in {f['conformal_singleton_share_mean']:.0%}"
    ]
    if "mcs_alert_threshold" in f:
        lines.append(
            f"Alert:    p(MCS) >= {f['mcs_alert_threshold']:.3f} "
            f"flagged {f['mcs_alert_sensitivity_pooled']:.0%} of "
            f"out-of-fold MCS (95% lower bound {f['mcs_alert_sensitivity_lo']:.2f}); "
            f"on held-out folds {_fmt(f.get('mcs_alert_sensitivity_mean'), 2)} "
            f"± {_fmt(f.get('mcs_alert_sensitivity_sd'), 2)} "
            f"with false alarms {_fmt(f.get('mcs_alert_false_alarm_mean'), 2)}"
        )
    if "vignette_set_size" in f:
        lines.append(
            f"Complete: on the fully reported vignettes the set held the true class in "
            f"{f['vignette_set_coverage']:.2f} "
            f"(MCS {_fmt(f.get('vignette_set_coverage_mcs'), 2)}), mean size "
            f"{f['vignette_set_size']:.1f}, "
            f"one class in {f['vignette_set_singleton_share']:.0%}; the alert "
            f"flagged {_fmt(f.get('vignette_alert_sensitivity'), 2)} of MCS and "
            f"{_fmt(f.get('vignette_alert_false_alarm'), 2)} of the others"
        )
    return lines


def print_summary(outcome: Any) -> None:
    title = (
        f"Candidates on {_real_n(outcome.rows)}, grouped by source, read as entered and as "
        f"published. Champion by {outcome.selection_metric}"
        + (
            f" among candidates with {outcome.selection_guard}."
            if getattr(outcome, "selection_guard", "")
            and not outcome.selection_guard.startswith("no ")
            else "."
        )
    )
    console.print(candidate_table(outcome.rows, title, outcome.champion))
    console.print(
        candidate_table(
            outcome.rows,
            "The same, with 95% intervals",
            outcome.champion,
            INTERVAL_COLUMNS,
            INTERVAL_CAPTION,
        )
    )
    n_vignettes = max((r.get("vignette_n") or 0 for r in outcome.rows), default=0)
    console.print(
        candidate_table(
            outcome.rows,
            f"The same candidates on {int(n_vignettes)} vignettes, and on synthetic CV",
            outcome.champion,
            (*OTHER_COLUMNS, ("fit s", lambda r: _fmt(r["fit_seconds"], 0))),
            OTHER_CAPTION,
        )
    )
    console.print(
        f"Champion: [bold]{outcome.champion}[/] "
        f"(registered as version {outcome.registered_version}, alias champion)"
    )
    console.print(f"Model:    {outcome.champion_path}")
    for line in coverage_lines(getattr(outcome, "coverage", {}) or {}):
        console.print(line)
    console.print(f"MLflow:   run {outcome.parent_run_id} in {outcome.tracking_uri}")
    share = 100 * outcome.mlflow_seconds / outcome.wall_seconds if outcome.wall_seconds else 0
    console.print(
        f"Time:     {outcome.wall_seconds:.1f} s wall, "
        f"of which MLflow {outcome.mlflow_seconds:.1f} s ({share:.0f}%)"
    )
    flag = (
        ""
        if outcome.tracking_uri == default_tracking_uri()
        else f" --tracking-uri {outcome.tracking_uri}"
    )
    console.print(f"Compare runs:  tumorclf compare{flag}   or in a browser:  tumorclf ui{flag}")
    console.print(f"  (the same store with MLflow's own command: {outcome.ui_command})")


def print_comparison(rows: list[dict[str, Any]]) -> None:
    """The candidates of several trains, one table per train, best real-case log loss first."""
    from datetime import datetime

    for train in dict.fromkeys(r["train_run_id"] for r in rows):
        group = [r for r in rows if r["train_run_id"] == train]
        started = datetime.fromtimestamp(group[0]["started"] / 1000).strftime("%Y-%m-%d %H:%M")
        champion = next((r["candidate"] for r in group if r["champion"]), None)
        title = f"{group[0]['train']}  ({started}, run {train[:8]}; {_real_n(group)})"
        if group[0].get("selection_guard") and not group[0]["selection_guard"].startswith("no "):
            title += f"\n  champion chosen among candidates with {group[0]['selection_guard']}"
        group = [
            r
            if r["status"] in ("FINISHED", "FAILED")
            else dict(r, candidate=f"{r['candidate']} [{r['status']}]")
            for r in group
        ]
        console.print(candidate_table(group, title, champion))
        console.print(
            candidate_table(group, "  95% intervals", champion, INTERVAL_COLUMNS, INTERVAL_CAPTION)
        )
        console.print(
            candidate_table(
                group, "  vignettes and synthetic CV", champion, OTHER_COLUMNS, OTHER_CAPTION
            )
        )
    console.print("* champion of its train. Open the same runs in a browser with `tumorclf ui`.")
