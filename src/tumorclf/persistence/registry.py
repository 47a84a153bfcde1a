"""Model files behind an MLflow model URI: the only place prediction meets MLflow,
imported only for such a URI."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def load_registered(uri: str) -> tuple[Any, dict[str, Any]]:
    """The skops model and tumorclf manifest behind an MLflow model URI (``models:/name@alias``,
    ``runs:/<id>/model``), read from the store :func:`~tumorclf.paths.resolve_tracking_uri`
    names."""
    import json
    import tempfile

    import mlflow
    from mlflow.tracking import MlflowClient

    from tumorclf.paths import resolve_tracking_uri
    from tumorclf.persistence.artifacts import ArtifactError, check_layout, load_skops

    mlflow.set_tracking_uri(resolve_tracking_uri())
    client = MlflowClient()
    if uri.startswith("models:/"):
        name, _, alias = uri.removeprefix("models:/").partition("@")
        version = client.get_model_version_by_alias(name, alias) if alias else None
        run_id = version.run_id if version else None
    else:
        run_id = uri.removeprefix("runs:/").split("/")[0]
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=tmp))
        skops_files = list(local.rglob("*.skops"))
        if not skops_files:
            raise ArtifactError(f"{uri} holds no skops model")
        manifest = {}
        if run_id:
            manifest_path = mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path="tumorclf_manifest.json", dst_path=tmp
            )
            manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
            check_layout(manifest, uri)
        model = load_skops(skops_files[0])
    return model, manifest


__all__ = ["load_registered"]
