"""Candidate models: a CaseEncoder and an estimator in one Pipeline, built from the config."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import CategoricalNB
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from tumorclf.features import CATEGORY_COUNTS, CaseEncoder
from tumorclf.synthetic.fitted import UpdatedPriorsClassifier

#: model name -> (factory taking fixed params and a seed, whether inputs need scaling)
MODEL_FACTORIES: dict[str, tuple[Callable[..., Any], bool]] = {
    "logistic_regression": (lambda seed, **p: LogisticRegression(random_state=seed, **p), True),
    "random_forest": (lambda seed, **p: RandomForestClassifier(random_state=seed, n_jobs=1, **p), False),
    "hist_gradient_boosting": (lambda seed, **p: HistGradientBoostingClassifier(random_state=seed, **p), False),
    "categorical_naive_bayes": (
        lambda seed, **p: CategoricalNB(min_categories=list(CATEGORY_COUNTS), **p), False
    ),
    "mlp": (lambda seed, **p: MLPClassifier(random_state=seed, **_tuple_layers(p)), True),
    "updated_priors": (lambda seed, **p: UpdatedPriorsClassifier(**p), False),
}
#: Models fitted on the real cases alone: synthetic fill-in would only echo their own tables.
REAL_ONLY_MODELS = frozenset({"updated_priors"})


def reuses_prior_update(spec: Mapping[str, Any]) -> bool:
    """An ``updated_priors`` candidate with no params or grid of its own *is* the train's prior update:
    its real folds are the folds' updates and its model the update on every real case, nothing refitted."""
    return spec["model"] in REAL_ONLY_MODELS and not spec.get("params") and not spec.get("grid")


def _tuple_layers(params: dict[str, Any]) -> dict[str, Any]:
    if isinstance(params.get("hidden_layer_sizes"), list):
        params = {**params, "hidden_layer_sizes": tuple(params["hidden_layer_sizes"])}
    return params


def build_pipeline(spec: Mapping[str, Any], seed: int) -> Pipeline:
    """``encode`` -> (``scale``) -> ``model``, the model calibrated if the spec asks."""
    factory, needs_scaling = MODEL_FACTORIES[spec["model"]]
    model = factory(seed, **dict(spec.get("params") or {}))
    calibration = spec.get("calibration", "none")
    if calibration != "none":
        model = CalibratedClassifierCV(model, method=calibration, cv=3)
    steps: list[tuple[str, Any]] = [("encode", CaseEncoder(encoding=spec["encoding"]))]
    if needs_scaling:
        steps.append(("scale", StandardScaler()))
    steps.append(("model", model))
    return Pipeline(steps)


def param_grid(spec: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The spec's grid with pipeline prefixes (``model__C``, ``model__estimator__C`` when calibrated)."""
    prefix = "model__estimator__" if spec.get("calibration", "none") != "none" else "model__"
    return {prefix + key: list(values) for key, values in (spec.get("grid") or {}).items()}


def check_candidate(name: str, spec: Mapping[str, Any]) -> list[str]:
    """Problems with a candidate's params or grid names, found without fitting anything."""
    try:
        pipeline = build_pipeline(spec, seed=0)
        valid = pipeline.get_params()
        unknown = [k for k in param_grid(spec) if k not in valid]
        if unknown:
            names = ", ".join(k.rsplit("__", 1)[-1] for k in unknown)
            return [f"candidates.{name}.grid: {spec['model']} has no parameter {names}"]
        for values in _grid_points(param_grid(spec)):
            pipeline.set_params(**values)
            estimator = pipeline.named_steps["model"]
            estimator = getattr(estimator, "estimator", estimator)
            estimator._validate_params()
    except (TypeError, ValueError) as error:
        return [f"candidates.{name}: {error}"]
    return []


def _grid_points(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    from sklearn.model_selection import ParameterGrid

    return list(ParameterGrid(grid)) if grid else [{}]
