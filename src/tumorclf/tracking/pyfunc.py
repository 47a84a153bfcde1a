"""The champion as an MLflow pyfunc: optional fields in, named class probabilities out.

``mlflow.pyfunc.load_model("models:/tumorclf@champion")`` (or ``mlflow models
serve``) takes cases with any subset of the schema's fields, as the schema
promises, and answers one row per case: a ``p_<class>`` column per class in
display order, the top ``diagnosis`` and the ``differential``, the same
values as :meth:`tumorclf.prediction.Classifier.predict_proba`, the
``reading`` they were made in, and (for a model that has them) the conformal
``differential_set`` and the ``mcs_alert``. The predict param ``prior`` ("training",
"clinical", "uniform") re-weights them; ``reading`` ("as_entered", the
default, or "as_published") says how each case is read; ``coverage`` (default:
the level calibrated at training) is the level of the set. Invalid
cases raise MLflow's INVALID_PARAMETER_VALUE with the schema's message, which
the scoring server returns as HTTP 400. The model folder (skops file and
manifest, checked on load) travels as an artifact, and the tumorclf package
as the model's code, so no other copy of tumorclf is needed where it is served.
The model is logged from code (``pyfunc_model.py``): the logged model holds no pickle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pandas as pd

from tumorclf.class_prior import NAMED_PRIORS
from tumorclf.model.readings import DEFAULT_READING, READINGS

#: The artifact key of the model folder inside the logged pyfunc.
MODEL_ARTIFACT = "tumorclf_model"


class TumorclfModel(mlflow.pyfunc.PythonModel):
    """A tumorclf Classifier behind MLflow's pyfunc interface."""

    def load_context(self, context: mlflow.pyfunc.PythonModelContext) -> None:
        from tumorclf.persistence.artifacts import load_model
        from tumorclf.prediction import Classifier, Manifest, check_compatibility

        model, raw = load_model(Path(context.artifacts[MODEL_ARTIFACT]))
        manifest = Manifest.from_dict(raw)
        check_compatibility(manifest)
        self.classifier = Classifier(model, manifest, source="mlflow pyfunc")

    # A DataFrame in and out: MLflow infers no schema of its own from this hint; the signature is
    # the schema.
    def predict(
        self,
        context: mlflow.pyfunc.PythonModelContext,
        model_input: pd.DataFrame,
        params: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        from mlflow.exceptions import MlflowException
        from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE

        from tumorclf.prediction.table import prediction_table
        from tumorclf.schema import CaseValidationError

        prior = (params or {}).get("prior") or "training"
        reading = (params or {}).get("reading") or DEFAULT_READING
        for name, value, allowed in (
            ("prior", prior, NAMED_PRIORS),
            ("reading", reading, READINGS),
        ):
            if value not in allowed:
                raise MlflowException(
                    f"The '{name}' param must be one of {', '.join(allowed)}; got {value!r}.",
                    error_code=INVALID_PARAMETER_VALUE,
                )
        frame = (
            model_input.dropna(axis=1, how="all") if hasattr(model_input, "dropna") else model_input
        )
        coverage = (params or {}).get("coverage")
        try:
            return prediction_table(self.classifier, frame, prior, reading, coverage)
        except (CaseValidationError, ValueError) as error:
            raise MlflowException(str(error), error_code=INVALID_PARAMETER_VALUE) from None


def signature(classes: list[str], coverage: float | None = None) -> Any:
    """Every schema field optional (age a number, the rest text in the schema's spellings); named
    outputs."""
    from mlflow.models import ModelSignature
    from mlflow.types.schema import AnyType, ColSpec, ParamSchema, ParamSpec, Schema

    from tumorclf.schema import BOOLEAN_FIELDS, FIELDS

    # Age is declared Any: MLflow's double refuses JSON integers (19) and its long refuses a pandas
    # float column (any batch with a missing age); the schema's own check makes it years 0-100.
    inputs = [ColSpec("string", "id", required=False)]
    # Numbers and booleans come as the caller's types (a bool column, numpy ints, pandas' nullable
    # dtypes) or as the schema's strings ("yes", "2.8 cm"): MLflow passes them through and
    # tumorclf's schema reads them.
    free = {"age", "size", *BOOLEAN_FIELDS}
    inputs += [
        ColSpec(AnyType() if name in free else "string", name, required=False) for name in FIELDS
    ]
    inputs.append(ColSpec("string", "level", required=False))
    outputs = [ColSpec("double", f"p_{c}") for c in classes]
    outputs += [
        ColSpec("string", "diagnosis"),
        ColSpec("string", "differential"),
        ColSpec("string", "reading"),
        ColSpec("string", "differential_set", required=False),
        ColSpec("boolean", "mcs_alert", required=False),
    ]
    return ModelSignature(
        inputs=Schema(inputs),
        outputs=Schema(outputs),
        params=ParamSchema(
            [
                ParamSpec("prior", "string", "training"),
                ParamSpec("reading", "string", DEFAULT_READING),
                # the calibrated level of the sets; any other in (0, 1) may be asked
                *([ParamSpec("coverage", "double", coverage)] if coverage else []),
            ]
        ),
    )


def log_champion(
    model_dir: Path,
    classes: list[str],
    input_example: Any,
    registered_name: str,
    pip_requirements: list[str],
) -> Any:
    """Log the champion's folder as a pyfunc in the active run and register it; returns MLflow's
    ModelInfo.

    The model is logged from code (``pyfunc_model.py``), so the logged model
    holds no pickle: loading it runs that file, which builds the model object
    from the package; the model folder's skops file and manifest are an
    artifact (its signed pickle stays on the machine that trained it).
    The package travels as the model's code, without ``__pycache__``.
    """
    import json
    import shutil
    import tempfile

    import tumorclf
    from tumorclf.prediction import Manifest

    package = Path(tumorclf.__file__).parent
    manifest = Manifest.from_dict(
        json.loads((Path(model_dir) / "manifest.json").read_text(encoding="utf-8"))
    )
    level = manifest.sets.coverage if manifest.sets is not None else None
    with tempfile.TemporaryDirectory() as tmp:
        code = Path(tmp) / "tumorclf"
        shutil.copytree(package, code, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        # the skops file and manifest only: the signed pickle is this machine's, and no
        # pickle travels
        folder = Path(tmp) / "model"
        shutil.copytree(model_dir, folder, ignore=shutil.ignore_patterns("*.pkl"))
        return mlflow.pyfunc.log_model(
            name="model",
            python_model=str(package / "tracking" / "pyfunc_model.py"),
            artifacts={MODEL_ARTIFACT: str(folder)},
            code_paths=[str(code)],
            signature=signature(classes, level),
            input_example=input_example,
            pip_requirements=pip_requirements,
            registered_model_name=registered_name,
        )


__all__ = ["MODEL_ARTIFACT", "TumorclfModel", "log_champion", "signature"]
