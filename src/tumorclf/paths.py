"""Where the project's files are: configs, data, models and the experiment store.

Resolved when a command runs, never at import. The project root is, in order:
``$TUMORCLF_HOME``; the nearest folder at or above the working directory whose
``pyproject.toml`` names ``tumorclf``; the source tree this package was
installed from. A wheel installed without a checkout falls back to the copies
of ``configs/priors.yaml`` and the real cases bundled inside the package.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

_BUNDLED = "_bundled"


def _is_project_root(path: Path) -> bool:
    pyproject = path / "pyproject.toml"
    try:
        return 'name = "tumorclf"' in pyproject.read_text(encoding="utf-8")
    except OSError:
        return False


def project_root() -> Path | None:
    """The project's root folder, or None when running outside any checkout."""
    env = os.environ.get("TUMORCLF_HOME")
    if env:
        return Path(env).expanduser().resolve()
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if _is_project_root(candidate):
            return candidate
    source_tree = Path(__file__).resolve().parents[2]
    return source_tree if _is_project_root(source_tree) else None


def project_file(relative: str) -> Path:
    """A file of the project: from its root if there is one, else the bundled copy."""
    root = project_root()
    if root is not None and (root / relative).exists():
        return root / relative
    bundled = resources.files("tumorclf").joinpath(_BUNDLED, relative)
    if bundled.is_file():
        return Path(str(bundled))
    where = root if root is not None else Path.cwd()
    raise FileNotFoundError(f"{relative} was not found under {where} nor bundled with the package")


def project_path(path: str | Path) -> Path:
    """A path as a config gives it: absolute as it is,
    relative from the project root (else the cwd)."""
    path = Path(path)
    return path if path.is_absolute() else (project_root() or Path.cwd()) / path


def default_priors_path() -> Path:
    return project_file("configs/priors.yaml")


def default_real_cases_path() -> Path:
    return project_file("data/real_cases.csv")


def default_series_path() -> Path:
    return project_file("data/series_counts.csv")


#: The sqlite database of the default experiment store, in ``experiments/``.
DEFAULT_DB = "mlflow.db"


def default_tracking_uri(experiments_dir: Path | None = None) -> str:
    """The default MLflow store: an sqlite database in the project's ``experiments/``."""
    folder = (experiments_dir or workspace_dir("experiments")).resolve()
    return f"sqlite:///{folder / DEFAULT_DB}"


def resolve_tracking_uri(flag: str | None = None, configured: str | None = None) -> str:
    """Where MLflow runs go, resolved when a command runs: the flag, then ``$MLFLOW_TRACKING_URI``,
    then the config's ``mlflow.tracking_uri``, then the sqlite default."""
    return flag or os.environ.get("MLFLOW_TRACKING_URI") or configured or default_tracking_uri()


def workspace_dir(name: str) -> Path:
    """A writable project folder (``models``, ``experiments``): under the root, else the cwd."""
    return (project_root() or Path.cwd()) / name
