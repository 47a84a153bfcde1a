"""What is evaluated: candidate models and the references scored beside them, each kind a type.

A kind says what its models learn from, in each part of the evaluation
(:mod:`tumorclf.training.evaluation` runs the tasks it names):

* :class:`FillInCandidate`: a discriminative pipeline (encoder, model) that
  learns from synthetic fill-in drawn from each fold's updated priors (with
  the published rows where ``fill_in.real_rows`` says so): every model but
  the updated priors;
* :class:`RealCasesCandidate`: the updated priors with settings of their own
  (``params`` or ``grid``), fitted on the real cases alone (a fill-in would
  only echo their own tables);
* :class:`PriorUpdateCandidate`: the updated priors with none of their own:
  the train's prior update itself. Its real folds are the folds' updates and
  its final model the update on every real case; nothing is refitted;
* references, scored and never champion: :class:`SeedRuleReference` (Chen &
  Lai's rule), :class:`OracleReference` (the updated priors' exact posterior,
  each real fold's own update) and :class:`LiteratureReference` (the
  literature priors alone).

Every kind is scored on the synthetic CV (a diagnostic) but the prior
update, which is scored on the real cases only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import CategoricalNB
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from tumorclf.features import CATEGORY_COUNTS, CaseEncoder
from tumorclf.model.estimator import UpdatedPriorsClassifier
from tumorclf.model.readings import reading_parameters
from tumorclf.training.references import OracleClassifier, SeedRuleClassifier

#: model name -> (factory taking fixed params and a seed, whether inputs need scaling)
MODEL_FACTORIES: dict[str, tuple[Callable[..., Any], bool]] = {
    "logistic_regression": (lambda seed, **p: LogisticRegression(random_state=seed, **p), True),
    "random_forest": (
        lambda seed, **p: RandomForestClassifier(random_state=seed, n_jobs=1, **p),
        False,
    ),
    "hist_gradient_boosting": (
        lambda seed, **p: HistGradientBoostingClassifier(random_state=seed, **p),
        False,
    ),
    "categorical_naive_bayes": (
        lambda seed, **p: CategoricalNB(min_categories=list(CATEGORY_COUNTS), **p),
        False,
    ),
    "mlp": (lambda seed, **p: MLPClassifier(random_state=seed, **_tuple_layers(p)), True),
    "updated_priors": (lambda seed, **p: UpdatedPriorsClassifier(**p), False),
}
#: Models fitted on the real cases alone: synthetic fill-in would only echo their own tables.
REAL_ONLY_MODELS = frozenset({"updated_priors"})
#: The references' names, as the config's ``references`` section and the reports name them.
ORACLE, SEED_RULE, LITERATURE = "bayes_oracle", "seed_rule", "literature_priors"


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
    """The spec's grid with pipeline prefixes (``model__C``, ``model__estimator__C`` when
    calibrated)."""
    prefix = "model__estimator__" if spec.get("calibration", "none") != "none" else "model__"
    return {prefix + key: list(values) for key, values in (spec.get("grid") or {}).items()}


def has_readings(model: Any) -> bool:
    """Whether a fitted model reads a case both as entered and as published (it takes a
    ``reading``)."""
    return bool(reading_parameters(model))


@dataclass
class Candidate:
    """A model to evaluate. The base kind learns from synthetic fill-in (:class:`FillInCandidate`).

    ``build(seed)`` makes the unfitted model; ``grid`` is tuned by an inner CV.
    """

    name: str
    build: Callable[[int], Any]
    grid: dict[str, list[Any]] = field(default_factory=dict)
    #: Scored and logged beside the candidates, never champion.
    reference: ClassVar[bool] = False

    def build_for_real(self, seed: int) -> Any:
        """The model a real fold fits (the same as elsewhere, but for the literature reference)."""
        return self.build(seed)

    def fill_in(self, settings: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """How a real fold's training rows are made: the config's fill-in, or None for the real
        training cases alone."""
        return settings

    def tuning_rows(self, data: Any) -> tuple[Any, Any]:
        """The rows its grid is tuned on, and its final model learns from (:class:`EvaluationData`
        fields)."""
        return data.X_final, data.y_final

    def scored_on_synthetic(self) -> bool:
        """Whether the synthetic CV scores it."""
        return True

    def fitted_per_real_fold(self) -> bool:
        """Whether each real fold fits it (else the fold's prior update is its answer)."""
        return True

    def has_final_model(self) -> bool:
        """Whether a final model is fitted on every row (references have none)."""
        return True


class FillInCandidate(Candidate):
    """A discriminative pipeline learning from synthetic fill-in (and the published rows if
    asked)."""


class RealCasesCandidate(Candidate):
    """The updated priors with settings of their own, fitted on the real cases alone."""

    def fill_in(self, settings: Mapping[str, Any]) -> None:
        return None

    def tuning_rows(self, data: Any) -> tuple[Any, Any]:
        return data.X_real, data.y_real


class PriorUpdateCandidate(Candidate):
    """The train's prior update itself: its folds and its final model are the update's, nothing
    refitted."""

    def scored_on_synthetic(self) -> bool:
        return False

    def fitted_per_real_fold(self) -> bool:
        return False

    def has_final_model(self) -> bool:
        return False  # given: the update on every real case


class Reference(Candidate):
    """Scored beside the candidates on real and synthetic cases, never champion; no final model."""

    reference: ClassVar[bool] = True

    def fill_in(self, settings: Mapping[str, Any]) -> None:
        return None

    def tuning_rows(self, data: Any) -> tuple[Any, Any]:
        return data.X_syn, data.y_syn

    def has_final_model(self) -> bool:
        return False


class SeedRuleReference(Reference):
    """Chen & Lai's rule of thumb as a classifier, its class frequencies counted on the training
    cases."""


class OracleReference(Reference):
    """The updated priors' exact posterior: on real folds, each fold's own update (the fitted
    oracle)."""

    def fitted_per_real_fold(self) -> bool:
        return False


@dataclass
class LiteratureReference(Reference):
    """The literature priors' exact posterior; on real cases under a uniform prior."""

    real: Callable[[int], Any] | None = None

    def build_for_real(self, seed: int) -> Any:
        return self.real(seed) if self.real is not None else self.build(seed)


def candidates_from_config(
    config: Mapping[str, Any], generator: Any, literature: Any
) -> list[Candidate]:
    """The configured candidates, then the references: the seed rule, the oracle of the
    updated priors, and the oracle of the literature priors alone."""
    out: list[Candidate] = []
    for name, spec in config["candidates"].items():
        if spec["model"] not in REAL_ONLY_MODELS:
            kind: type[Candidate] = FillInCandidate
        else:
            kind = (
                RealCasesCandidate
                if spec.get("params") or spec.get("grid")
                else PriorUpdateCandidate
            )
            spec = {
                **spec,
                "params": {**(spec.get("params") or {}), "priors": literature.priors.path},
            }
        out.append(kind(name, lambda s, spec=spec: build_pipeline(spec, s), param_grid(spec)))
    references = config["references"]
    reading = reading_taught_by(config["synthetic"].get("missingness", "as_published"))
    if references.get("seed_rule"):
        out.append(SeedRuleReference(SEED_RULE, lambda s: SeedRuleClassifier()))
    if references.get("bayes_oracle"):
        out.append(OracleReference(ORACLE, lambda s: OracleClassifier(generator, reading=reading)))
    if references.get("literature_priors"):
        out.append(
            LiteratureReference(
                LITERATURE,
                lambda s: OracleClassifier(literature, reading=reading),
                real=lambda s: OracleClassifier(literature, prior="uniform"),
            )
        )
    return out


def reading_taught_by(missingness: str) -> str:
    """The reading that fits cases masked by ``missingness``: the one in which the generator's
    posterior is exact for them, and the one a model trained on them has."""
    return "as_published" if missingness == "as_published" else "as_entered"


def reuses_prior_update(spec: Mapping[str, Any]) -> bool:
    """Whether a candidate's spec makes it a :class:`PriorUpdateCandidate` (for counting the tasks
    ahead)."""
    return spec["model"] in REAL_ONLY_MODELS and not spec.get("params") and not spec.get("grid")


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


__all__ = [
    "LITERATURE",
    "ORACLE",
    "SEED_RULE",
    "Candidate",
    "FillInCandidate",
    "LiteratureReference",
    "OracleReference",
    "PriorUpdateCandidate",
    "RealCasesCandidate",
    "Reference",
    "SeedRuleReference",
    "build_pipeline",
    "candidates_from_config",
    "check_candidate",
    "has_readings",
    "param_grid",
    "reading_taught_by",
    "reuses_prior_update",
]
