"""The experiment config: defaults from YAML, ``--set`` overrides, checks before any work.

Every key a user may set is a key of ``configs/default.yaml``; an override
that names another key, or gives a value of the wrong kind, is refused with
the close matches and the expected type, before data is touched.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from tumorclf.model.readings import READINGS
from tumorclf.yaml_source import YamlFileError, dotted, load_yaml

MODELS = (
    "logistic_regression",
    "random_forest",
    "hist_gradient_boosting",
    "categorical_naive_bayes",
    "mlp",
    "updated_priors",
)
ENCODINGS = ("compact", "full", "categories", "codes")
CALIBRATIONS = ("none", "sigmoid", "isotonic")
BALANCES = ("uniform", "clinical")
SELECTION_METRICS = (
    "log_loss",
    "brier",
    "ece",
    "top1_acc",
    "top3_acc",
    "mcs_auroc",
    "oracle_ratio",
)
SELECTION_DATA = ("real", "synthetic")
#: Settings of the prior update that its grid may search (see tumorclf.model.estimator).
UPDATE_SETTINGS = {
    "strength": (0, None),
    "reporting_strength": (0, None),
    "styles": (1, 3),
    "floor": (0, 1),
    "class_reporting": (0, None),
    "temperature": (0, None),
    "age_bandwidth": (0, None),
    "dependence": None,
    "population": None,
}
#: How synthetic cases are masked (tumorclf.synthetic.MISSINGNESS).
MISSINGNESS = ("as_published", "as_entered", "none")
BACKENDS = ("local", "dask")

#: Keys whose value is an open mapping (model params, grids): any key may be set inside.
_OPEN_MAPPINGS = ("params", "grid")


class ConfigError(ValueError):
    """A config or an override that cannot be used; the message says where and why."""


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out


def flatten(config: Mapping[str, Any]) -> dict[str, Any]:
    """``{"cv": {"folds": 3}}`` -> ``{"cv.folds": 3}``: the form MLflow params take."""
    return _flatten(config)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def apply_override(config: dict[str, Any], assignment: str) -> None:
    """Apply one ``a.b.c=value`` (value read as YAML) in place, or raise ConfigError."""
    if "=" not in assignment:
        raise ConfigError(f"--set {assignment!r}: expected key=value, e.g. cv.folds=5")
    key, raw = assignment.split("=", 1)
    parts = key.strip().split(".")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as error:
        raise ConfigError(f"--set {key}: value {raw!r} is not valid YAML ({error})") from None
    node: Any = config
    for depth, part in enumerate(parts):
        is_last = depth == len(parts) - 1
        open_mapping = depth > 0 and parts[depth - 1] in _OPEN_MAPPINGS
        if not isinstance(node, dict) or (part not in node and not open_mapping):
            known = sorted(node) if isinstance(node, dict) else []
            close = difflib.get_close_matches(part, known, n=3)
            hint = (
                f"; did you mean {', '.join('.'.join([*parts[:depth], c]) for c in close)}?"
                if close
                else "."
            )
            where = ".".join(parts[:depth]) or "the top level"
            raise ConfigError(
                f"--set {key}: unknown key {part!r} in {where}{hint} "
                f"Known keys there: {', '.join(known) or 'none'}."
            )
        if is_last:
            old = node.get(part)
            if (
                part in node
                and old is not None
                and value is not None
                and not open_mapping
                and _kind(old) != _kind(value)
            ):
                raise ConfigError(
                    f"--set {key}={raw}: expected a {_kind(old)} like {old!r}, got {_kind(value)}"
                )
            node[part] = value
        else:
            node = node[part]


def _check(config: Mapping[str, Any], where: str) -> list[str]:
    """Semantic checks of a whole config; returns the problems."""
    problems: list[str] = []

    def need(path: str, ok: bool, message: str) -> None:
        if not ok:
            problems.append(f"{where} ({path}): {message}")

    def positive_int(path: str, value: Any, minimum: int = 1) -> None:
        need(
            path,
            isinstance(value, int) and not isinstance(value, bool) and value >= minimum,
            f"must be an integer >= {minimum}, got {value!r}",
        )

    positive_int("seed", config.get("seed"), 0)
    positive_int("synthetic.n", config["synthetic"].get("n"), 50)
    positive_int("fill_in.n", config["fill_in"].get("n"), 0)
    for section in ("synthetic", "fill_in"):
        need(
            f"{section}.balance",
            config[section].get("balance") in BALANCES,
            f"must be one of {', '.join(BALANCES)}, got {config[section].get('balance')!r}",
        )
        need(
            f"{section}.missingness",
            config[section].get("missingness") in MISSINGNESS,
            f"must be one of {', '.join(MISSINGNESS)}, got {config[section].get('missingness')!r}",
        )
    real_rows = config["fill_in"].get("real_rows")
    need(
        "fill_in.real_rows",
        isinstance(real_rows, bool),
        f"must be true or false, got {real_rows!r}",
    )
    need(
        "fill_in.real_rows",
        not (real_rows is True and config["fill_in"].get("missingness") != "as_published"),
        "published rows teach how papers report: with real_rows true, fill_in.missingness must "
        "be as_published",
    )
    need(
        "fill_in.n",
        real_rows is not False or config["fill_in"].get("n", 0) > 0,
        "with real_rows false the candidates learn from the fill-in alone: fill_in.n must be > 0",
    )
    for path, value in (
        ("selection.reading", config["selection"].get("reading")),
        ("prior_update.reading", config["prior_update"].get("reading")),
    ):
        need(path, value in READINGS, f"must be one of {', '.join(READINGS)}, got {value!r}")
    positive_int("cv.folds", config["cv"].get("folds"), 2)
    positive_int("cv.repeats", config["cv"].get("repeats"), 1)
    positive_int("cv.inner_folds", config["cv"].get("inner_folds"), 2)
    positive_int("parallel.n_jobs", config["parallel"].get("n_jobs"), 1)
    backend = config["parallel"].get("backend", "local")
    need(
        "parallel.backend",
        backend in BACKENDS,
        f"must be one of {', '.join(BACKENDS)}, got {backend!r}",
    )
    if backend == "dask":
        address = config["parallel"].get("scheduler_address")
        need(
            "parallel.scheduler_address",
            isinstance(address, str) and "://" in address,
            "the dask backend joins an existing scheduler: give its address, e.g. tcp://host:8786; "
            f"got {address!r}",
        )
    need(
        "selection.metric",
        config["selection"].get("metric") in SELECTION_METRICS,
        f"must be one of {', '.join(SELECTION_METRICS)}, got {config['selection'].get('metric')!r}",
    )
    guard = config["selection"].get("guard", "mcs_top3_vs_literature")
    need(
        "selection.guard",
        guard in ("mcs_top3_vs_literature", "none"),
        f"must be one of mcs_top3_vs_literature, none, got {guard!r}",
    )
    cases = config["selection"].get("cases")
    need(
        "selection.cases",
        cases in SELECTION_DATA,
        f"must be one of {', '.join(SELECTION_DATA)}, got {cases!r}",
    )
    need(
        "selection.metric",
        not (cases == "real" and config["selection"].get("metric") == "oracle_ratio"),
        "oracle_ratio exists on synthetic CV only: use selection.cases=synthetic",
    )
    positive_int("real_cv.folds", config["real_cv"].get("folds"), 2)
    need(
        "coverage.recalibrate",
        isinstance(config["coverage"].get("recalibrate", False), bool),
        f"must be true or false, got {config['coverage'].get('recalibrate')!r}",
    )
    for path, value in (
        ("coverage.alpha", config["coverage"].get("alpha")),
        ("coverage.mcs_target", config["coverage"].get("mcs_target")),
    ):
        need(
            path,
            isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1,
            f"must be a number in (0, 1), got {value!r}",
        )
    positive_int("prior_update.inner_folds", config["prior_update"].get("inner_folds"), 2)
    grid = config["prior_update"].get("grid") or {}
    for key, values in grid.items() if isinstance(grid, Mapping) else []:
        if key not in UPDATE_SETTINGS:
            need(
                f"prior_update.grid.{key}",
                False,
                f"unknown setting; known: {', '.join(UPDATE_SETTINGS)}",
            )
            continue
        if key == "dependence":  # named dependences between findings, alone or joined by "+"
            from tumorclf.model.structure import DEPENDENCE_SETTINGS as DEPENDENCE_NAMES

            ok = isinstance(values, list) and values and all(v in DEPENDENCE_NAMES for v in values)
            need(
                f"prior_update.grid.{key}",
                bool(ok),
                f"must be a non-empty list of {', '.join(DEPENDENCE_NAMES)}, got {values!r}",
            )
            continue
        if key == "population":  # what the finding model describes: consecutive or published
            ok = (
                isinstance(values, list)
                and values
                and all(v in ("consecutive", "published") for v in values)
            )
            need(
                f"prior_update.grid.{key}",
                bool(ok),
                f"must be a non-empty list of consecutive, published, got {values!r}",
            )
            continue
        low, high = UPDATE_SETTINGS[key]
        ok = (
            isinstance(values, list)
            and values
            and all(
                isinstance(v, int | float)
                and not isinstance(v, bool)
                and v >= low
                and (high is None or v < high)
                and (key in ("floor", "styles", "class_reporting") or v > low)
                and (key != "styles" or v == int(v))
                for v in values
            )
        )
        bound = f"in [{low}, {high})" if high is not None else f"> {low}"
        need(
            f"prior_update.grid.{key}",
            bool(ok),
            f"must be a non-empty list of numbers {bound}, got {values!r}",
        )
    candidates = config.get("candidates") or {}
    need(
        "candidates",
        isinstance(candidates, Mapping) and len(candidates) > 0,
        "at least one candidate is needed",
    )
    for name, spec in candidates.items():
        path = f"candidates.{name}"
        if not isinstance(spec, Mapping):
            need(path, False, "must be a mapping with model, encoding, calibration, params, grid")
            continue
        need(
            f"{path}.model",
            spec.get("model") in MODELS,
            f"unknown model {spec.get('model')!r}; known: {', '.join(MODELS)}",
        )
        need(
            f"{path}.encoding",
            spec.get("encoding") in ENCODINGS,
            f"must be one of {', '.join(ENCODINGS)}, got {spec.get('encoding')!r}",
        )
        need(
            f"{path}.calibration",
            spec.get("calibration", "none") in CALIBRATIONS,
            f"must be one of {', '.join(CALIBRATIONS)}, got {spec.get('calibration')!r}",
        )
        grid = spec.get("grid") or {}
        need(
            f"{path}.grid",
            isinstance(grid, Mapping) and all(isinstance(v, list) and v for v in grid.values()),
            "must map each hyperparameter to a non-empty list of values",
        )
        need(f"{path}.params", isinstance(spec.get("params") or {}, Mapping), "must be a mapping")
    need(
        "mlflow.experiment",
        isinstance(config["mlflow"].get("experiment"), str) and config["mlflow"]["experiment"],
        "must be a non-empty name",
    )
    return problems


def load_config(path: str | Path | None = None, overrides: Iterable[str] = ()) -> dict[str, Any]:
    """Read a config (default: the project's ``configs/default.yaml``), apply overrides, check it.

    Raises
    ------
    ConfigError
        For an unknown key, a value of the wrong kind, or a value out of range,
        before any work is done.
    """
    from tumorclf.paths import project_file

    path = Path(path) if path is not None else project_file("configs/default.yaml")
    try:
        data, locator = load_yaml(path)
    except YamlFileError as error:
        raise ConfigError(str(error)) from None
    defaults, _ = load_yaml(project_file("configs/default.yaml"))
    config = copy.deepcopy(defaults)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    # A config file may leave keys out (they keep their defaults) but not invent
    # new ones, except its own set of candidates, which replaces the default set.
    data = dict(data)
    if "candidates" in data:
        config["candidates"] = data.pop("candidates")
    for key, value in flatten(data).items():
        text = yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
        try:
            apply_override(config, f"{key}={text}")
        except ConfigError as error:
            place = locator.where(tuple(key.split(".")))
            raise ConfigError(f"{place}: {str(error).split(': ', 1)[1]}") from None
    for assignment in overrides:
        apply_override(config, assignment)
    problems = _check(config, str(path))
    if problems:
        raise ConfigError("\n  ".join(["the experiment config has problems:", *problems]))
    return config


__all__ = ["ConfigError", "apply_override", "dotted", "flatten", "load_config"]
