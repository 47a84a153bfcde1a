"""What ``tumorclf train`` shows a person: a progress bar, then a summary table."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tumorclf.tracking.store import default_tracking_uri

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
    with Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        yield _Advance(progress, progress.add_task("starting", total=total))


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def _pm(row: dict[str, Any], name: str, digits: int = 2) -> str:
    mean, sd = row.get(f"{name}_mean"), row.get(f"{name}_sd")
    return "-" if mean is None or (isinstance(mean, float) and math.isnan(mean)) else f"{_fmt(mean, digits)}±{_fmt(sd, digits)}"


#: Columns of a candidate table: header, and how a row's cell is made. Real cases first.
_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("real log loss", lambda r: _pm(r, "real_log_loss")),
    ("top-1", lambda r: _fmt(r.get("real_top1_acc_mean"), 2)),
    ("top-3", lambda r: _pm(r, "real_top3_acc")),
    ("MCS top-3", lambda r: _fmt(r.get("real_mcs_top3_sensitivity_mean"), 2)),
    ("MCS false+", lambda r: _fmt(r.get("real_mcs_top3_false_alarm_mean"), 2)),
    ("MCS AUC", lambda r: _fmt(r.get("real_mcs_auroc_mean"), 2)),
    ("ECE", lambda r: _fmt(r.get("real_ece_mean"), 2)),
    ("synth. LL", lambda r: _fmt(r.get("cv_log_loss_mean"), 2)),
    ("/oracle", lambda r: _fmt(r.get("cv_oracle_ratio_mean"), 2)),
)


def candidate_table(rows: list[dict[str, Any]], title: str, champion: str | None,
                    extra: tuple[tuple[str, Any], ...] = ()) -> Table:
    """One row per candidate: real-case grouped-CV figures (mean +- sd over folds), then synthetic diagnostics."""
    table = Table(title=title, title_justify="left", caption=(
        "real cases: grouped CV, mean±sd over folds. MCS top-3: MCS cases with MCS in their top 3; "
        "MCS false+: other cases with MCS in their top 3. synth. LL, /oracle: synthetic CV log loss and its "
        "ratio to the oracle's."), caption_justify="left")
    table.add_column("candidate", no_wrap=True, min_width=26)
    for header, _ in (*_COLUMNS, *extra):
        table.add_column(header, justify="right", no_wrap=True)
    for row in rows:
        name = row["candidate"] + (" (reference)" if row["reference"] else "")
        if row["candidate"] == champion:
            name = f"[bold green]{name} *[/]"
        if row["status"] == "FAILED":
            table.add_row(f"[red]{name}[/]", "FAILED", *[""] * (len(_COLUMNS) + len(extra) - 1))
            continue
        table.add_row(name, *(cell(row) for _, cell in (*_COLUMNS, *extra)))
    return table


def _real_n(rows: list[dict[str, Any]]) -> str:
    n = max((r.get("real_cases") or 0 for r in rows), default=0)
    return f"{int(n)} real cases" if n else "no real cases"


def print_summary(outcome: Any) -> None:
    title = (f"Candidates: {_real_n(outcome.rows)}, grouped by source (mean +- sd over folds); "
             f"synthetic CV as a diagnostic. Champion by {outcome.selection_metric}.")
    extra = (("fit s", lambda r: _fmt(r["fit_seconds"], 0)),)
    console.print(candidate_table(outcome.rows, title, outcome.champion, extra))
    console.print(f"Champion: [bold]{outcome.champion}[/] (registered as version {outcome.registered_version}, alias champion)")
    console.print(f"Model:    {outcome.champion_path}")
    console.print(f"MLflow:   run {outcome.parent_run_id} in {outcome.tracking_uri}")
    share = 100 * outcome.mlflow_seconds / outcome.wall_seconds if outcome.wall_seconds else 0
    console.print(f"Time:     {outcome.wall_seconds:.1f} s wall, of which MLflow {outcome.mlflow_seconds:.1f} s ({share:.0f}%)")
    flag = "" if outcome.tracking_uri == default_tracking_uri() else f" --tracking-uri {outcome.tracking_uri}"
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
        group = [r if r["status"] in ("FINISHED", "FAILED") else dict(r, candidate=f"{r['candidate']} [{r['status']}]")
                 for r in group]
        console.print(candidate_table(group, title, champion))
    console.print("* champion of its train. Open the same runs in a browser with `tumorclf ui`.")
