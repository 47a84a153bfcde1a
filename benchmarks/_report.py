"""Shared by the benchmark scripts: the machine, the versions, the date, and a printed table."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

PACKAGES = ("tumorclf", "scikit-learn", "mlflow", "numpy", "pandas", "scipy")


def context() -> dict[str, Any]:
    def v(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}",
        "versions": {p: v(p) for p in PACKAGES},
    }


def verdict(value: Any, target: tuple[str, float] | None) -> str:
    if target is None or not isinstance(value, int | float):
        return ""
    op, bound = target
    met = value <= bound if op == "<=" else value >= bound
    return f"  (target {op} {bound:g}: {'met' if met else 'MISSED'})"


def print_figures(
    title: str, figures: dict[str, Any], targets: dict[str, tuple[str, float]]
) -> None:
    print(f"-- {title}")
    for name, value in figures.items():
        shown = f"{value:14,.4f}" if isinstance(value, float) else f"{value!s:>14}"
        print(f"{name:40s} {shown}{verdict(value, targets.get(name))}")
