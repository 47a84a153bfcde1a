"""What ``tumorclf train`` shows a person: a progress bar, then a summary table."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tumorclf.training.tracking import default_tracking_uri

console = Console(stderr=False)
if not console.is_terminal:  # logs and CI: do not squeeze the table into 80 columns
    console.width = 132


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


def print_summary(outcome: Any) -> None:
    metric = outcome.selection_metric
    table = Table(title=f"Candidates (synthetic CV: {metric} mean +- sd over folds; real: leave-one-out)")
    for column in ("candidate", f"{metric}", "oracle ratio", "bal. acc.", "real top-3", "fit s", "chosen"):
        table.add_column(column, justify="left" if column in ("candidate", "chosen") else "right")
    for row in outcome.rows:
        name = row["candidate"] + (" (reference)" if row["reference"] else "")
        if row["candidate"] == outcome.champion:
            name = f"[bold green]{name} *[/]"
        if row["status"] == "FAILED":
            table.add_row(f"[red]{name}[/]", "FAILED", "", "", "", _fmt(row["fit_seconds"], 1), "")
            continue
        table.add_row(
            name,
            f"{_fmt(row[f'{metric}_mean'])} +- {_fmt(row[f'{metric}_sd'])}",
            _fmt(row["oracle_ratio_mean"]),
            _fmt(row["balanced_accuracy_mean"]),
            _fmt(row["real_top3_acc"], 2),
            _fmt(row["fit_seconds"], 1),
            row["best_params"],
        )
    console.print(table)
    console.print(f"Champion: [bold]{outcome.champion}[/] (registered as version {outcome.registered_version}, alias champion)")
    console.print(f"Model:    {outcome.champion_path}")
    console.print(f"MLflow:   run {outcome.parent_run_id} in {outcome.tracking_uri}")
    share = 100 * outcome.mlflow_seconds / outcome.wall_seconds if outcome.wall_seconds else 0
    console.print(f"Time:     {outcome.wall_seconds:.1f} s wall, of which MLflow {outcome.mlflow_seconds:.1f} s ({share:.0f}%)")
    flag = "" if outcome.tracking_uri == default_tracking_uri() else f" --tracking-uri {outcome.tracking_uri}"
    console.print(f"Compare runs:  tumorclf compare{flag}   or in a browser:  tumorclf ui{flag}")
    console.print(f"  (the same store with MLflow's own command: {outcome.ui_command})")


def print_comparison(rows: list[dict[str, Any]]) -> None:
    """The candidates of several trains, one table per train, best CV log loss first."""
    from datetime import datetime

    for train in dict.fromkeys(r["train_run_id"] for r in rows):
        group = [r for r in rows if r["train_run_id"] == train]
        started = datetime.fromtimestamp(group[0]["started"] / 1000).strftime("%Y-%m-%d %H:%M")
        table = Table(title=f"{group[0]['train']}  ({started}, run {train[:8]})", title_justify="left")
        for column in ("candidate", "log loss (CV)", "oracle ratio", "bal. acc.", "ECE", "real top-3", "status"):
            table.add_column(column, justify="left" if column in ("candidate", "status") else "right")
        for r in group:
            name = r["candidate"] + (" (reference)" if r["reference"] else "") + (" *" if r["champion"] else "")
            table.add_row(
                f"[bold green]{name}[/]" if r["champion"] else name,
                f"{_fmt(r['cv_log_loss_mean'])} +- {_fmt(r['cv_log_loss_sd'])}",
                _fmt(r["cv_oracle_ratio_mean"]), _fmt(r["cv_balanced_accuracy_mean"]),
                _fmt(r["cv_ece_mean"]), _fmt(r["real_top3_acc"], 2), r["status"],
            )
        console.print(table)
    console.print("* champion of its train. Open the same runs in a browser with `tumorclf ui`.")
