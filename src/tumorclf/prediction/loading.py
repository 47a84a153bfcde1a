"""Load a trained model: from ``models/``, a path, or an MLflow URI;
check that this tumorclf can read it."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tumorclf.prediction.facade import Classifier
from tumorclf.prediction.manifest import Manifest
from tumorclf.schema import SCHEMA_VERSION
from tumorclf.schema.vocabulary import SCHEMA_CHANGES


class ModelVersionWarning(UserWarning):
    """The model was trained with other package versions than the ones installed now."""


_MLFLOW_URI = re.compile(r"^(models|runs):/")


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def check_compatibility(manifest: Manifest | Mapping[str, Any]) -> None:
    """Refuse an incompatible model; warn about minor version drift."""
    from tumorclf.persistence.artifacts import ArtifactError, package_versions

    manifest = Manifest.of(manifest)
    schema = manifest.schema_version
    if schema != SCHEMA_VERSION:
        # A model's tables and encoders are made for its schema: a 1.1 model has no place for
        # what 1.2 added, and a case stating it would be misread.
        added = [
            f"{version}: {what}" for version, what in SCHEMA_CHANGES.items() if version > schema
        ]
        if not added:
            raise ArtifactError(
                f"the model uses case schema {schema}, which this tumorclf (schema "
                f"{SCHEMA_VERSION}) does not know: upgrade tumorclf to load it."
            )
        raise ArtifactError(
            f"the model uses case schema {schema}; this tumorclf reads {SCHEMA_VERSION}, "
            f"which adds what the model has no place for ({'; '.join(added)}). "
            f"Retrain it with `tumorclf train` (your {schema} case files still read as they are), "
            f"or install the tumorclf version that trained it."
        )
    trained = manifest.packages
    installed = package_versions()
    sk_then, sk_now = trained.get("scikit-learn", "?"), installed.get("scikit-learn", "?")
    if _major_minor(sk_then) != _major_minor(sk_now):
        raise ArtifactError(
            f"the model was trained with scikit-learn {sk_then}; {sk_now} is installed. "
            f"Models do not carry across scikit-learn minor versions: retrain, "
            f"or install scikit-learn=={sk_then}."
        )
    drift = [
        f"{p} {trained[p]} -> {installed[p]}"
        for p in ("scikit-learn", "numpy", "scipy", "pandas")
        if p in trained and trained[p] != installed.get(p)
    ]
    if drift:
        warnings.warn(
            f"model trained with other package versions ({'; '.join(drift)})",
            ModelVersionWarning,
            stacklevel=3,
        )


def load(source: str | Path | None = None) -> Classifier:
    """Load a trained model.

    Parameters
    ----------
    source : str or Path, optional
        None: the champion in the project's ``models/``; a path to a models
        folder, a ``champion.json``, a run folder or a ``model.skops``; or an
        MLflow model URI (``models:/tumorclf@champion``, ``runs:/<id>/model``),
        the only form that imports mlflow.

    Raises
    ------
    tumorclf.persistence.artifacts.ArtifactError
        No model there; a checksum that does not match its manifest; a type
        outside the trusted list; a model saved by an earlier tumorclf in another
        layout; an incompatible schema or scikit-learn version.
    """
    if isinstance(source, str) and _MLFLOW_URI.match(source):
        from tumorclf.persistence.registry import load_registered

        model, raw = load_registered(source)
    else:
        from tumorclf.paths import workspace_dir
        from tumorclf.persistence.artifacts import load_model

        path = Path(source) if source is not None else workspace_dir("models")
        model, raw = load_model(path)
        source = str(path)
    manifest = Manifest.from_dict(raw)
    check_compatibility(manifest)
    return Classifier(model, manifest, source=str(source))


__all__ = ["ModelVersionWarning", "check_compatibility", "load"]
