"""Model artifacts: skops files with a manifest, written atomically, checked on load.

Layout under the models folder::

    runs/<run_id>/model.skops      every trained champion, kept
    runs/<run_id>/manifest.json    its manifest (sha256 of model.skops inside)
    champion.json                  the champion's manifest plus the path of its model

A run's files are written in a staging folder beside ``models/`` and the
whole folder is renamed into ``runs/`` in one step; ``champion.json`` is
replaced atomically (its temporary file staged there too) and only after the
model it names is complete. So ``models/`` never holds a half-written file,
even after a SIGKILL, and retraining never overwrites an earlier model.

Two files hold the same model:

* ``model.skops``, portable: skops reads it and refuses any type that is not
  in :data:`TRUSTED_TYPES`, a list kept here in code, not read from the file;
* ``model.pkl``, fast to load (skops itself takes longer to import than
  scikit-learn): a pickle, unpickled only when its HMAC verifies under this
  machine's signing key (:mod:`tumorclf.persistence.signing`), i.e. only when this
  machine's own training wrote it. Any other file goes the skops way.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from tumorclf import stages
from tumorclf.persistence.atomic import atomic_write, staging_dir, sweep_stale

#: The layout of a model's files and types. 2: the model's types live in ``tumorclf.model`` (they
#: lived in ``tumorclf.synthetic`` in layout 1, which this version refuses with a message to
#: retrain).
MANIFEST_VERSION = 2
CHAMPION = "champion.json"
MODEL_FILE = "model.skops"
SIGNED_FILE = "model.pkl"
PACKAGES = ("tumorclf", "scikit-learn", "numpy", "scipy", "pandas", "skops")

#: Every non-builtin type a tumorclf model may contain. skops refuses others.
TRUSTED_TYPES: tuple[str, ...] = (
    "tumorclf.features.CaseEncoder",
    "tumorclf.model.estimator.UpdatedPriorsClassifier",
    "tumorclf.model.structure.FindingModel",
    "tumorclf.model.structure.ReportingModel",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.link.Interval",
    "sklearn.naive_bayes.CategoricalNB",
    "sklearn.neural_network._multilayer_perceptron.MLPClassifier",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.utils._bunch.Bunch",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "builtins.slice",
    "collections.OrderedDict",
)


class ArtifactError(ValueError):
    """A model file or manifest that cannot be trusted or used; the message says why."""


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def save_model(model: Any, manifest: dict[str, Any], models_dir: str | Path, run_id: str) -> Path:
    """Write ``runs/<run_id>/model.skops`` and its manifest atomically; return the model path."""
    import pickle

    import skops.io

    from tumorclf.persistence.signing import sign

    final_dir = Path(models_dir) / "runs" / run_id
    stage = staging_dir(models_dir) / f"run-{os.getpid()}-{run_id}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    path = stage / MODEL_FILE
    path.write_bytes(skops.io.dumps(model))
    pickled = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    (stage / SIGNED_FILE).write_bytes(pickled)
    manifest = {
        **manifest,
        "manifest_version": MANIFEST_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "packages": package_versions(),
        "model_file": MODEL_FILE,
        "sha256": sha256_of(path),
        "signed_file": SIGNED_FILE,
        "signature": sign(pickled),
    }
    (stage / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8"
    )
    for name in (MODEL_FILE, SIGNED_FILE, "manifest.json"):
        with open(stage / name, "rb") as handle:
            os.fsync(handle.fileno())
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    stages.reached("writing_artifact")
    os.replace(stage, final_dir)  # the run appears in runs/ whole, or not at all
    return final_dir / MODEL_FILE


def sweep(models_dir: str | Path) -> list[Path]:
    """Remove what dead trains left in the staging folder (never anything in ``models/``)."""
    return sweep_stale(staging_dir(models_dir))


def promote_champion(models_dir: str | Path, run_id: str) -> Path:
    """Point ``champion.json`` at a saved run's model (atomically, after checking it)."""
    models_dir = Path(models_dir)
    run_dir = models_dir / "runs" / run_id
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    if sha256_of(run_dir / manifest["model_file"]) != manifest["sha256"]:
        raise ArtifactError(f"{run_dir}: model file does not match its manifest; not promoted")
    manifest["model_path"] = f"runs/{run_id}/{manifest['model_file']}"
    target = models_dir / CHAMPION
    with atomic_write(target, temp_dir=staging_dir(models_dir)) as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
    return target


def read_manifest(path: str | Path) -> tuple[dict[str, Any], Path]:
    """The manifest of a champion pointer, a run folder or a model file, and the model's path."""
    path = Path(path)
    if path.is_dir():
        path = path / CHAMPION if (path / CHAMPION).exists() else path / "manifest.json"
    if path.suffix == ".skops":
        manifest_path, model_path = path.parent / "manifest.json", path
    else:
        manifest_path = path
        manifest = _read_json(manifest_path)
        relative = manifest.get("model_path") or manifest.get("model_file") or MODEL_FILE
        model_path = manifest_path.parent / relative
        return manifest, model_path
    return _read_json(manifest_path), model_path


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(
            f"no model manifest at {path}; train one with `tumorclf train`"
        ) from None
    except json.JSONDecodeError as error:
        raise ArtifactError(f"{path} is not a valid manifest ({error})") from None


def _load_signed(folder: Path, manifest: dict[str, Any]) -> Any | None:
    """The pickled model if this machine signed it, else None (never unpickles anything else)."""
    name = manifest.get("signed_file")
    if not name or "/" in name or "\\" in name:
        return None
    try:
        data = (folder / name).read_bytes()
    except OSError:
        return None
    from tumorclf.persistence.signing import verify

    if not verify(data, manifest.get("signature")):
        return None
    import pickle

    return pickle.loads(data)  # noqa: S301 - signed by this machine's own training


def check_layout(manifest: dict[str, Any], where: str | Path) -> None:
    """Refuse a model saved in another layout of files and types, saying what to do,
    before anything is read."""
    found = manifest.get("manifest_version", 1)
    if found == MANIFEST_VERSION:
        return
    if isinstance(found, int) and found < MANIFEST_VERSION:
        raise ArtifactError(
            f"{where} was saved by an earlier tumorclf (model layout {found}; "
            f"this version reads layout {MANIFEST_VERSION}, where the model's types moved from "
            f"tumorclf.synthetic to tumorclf.model). "
            f"Retrain it with `tumorclf train`, or install the tumorclf version that trained it."
        )
    raise ArtifactError(
        f"{where} was saved by a newer tumorclf (model layout {found}; this version reads "
        f"layout {MANIFEST_VERSION}): upgrade tumorclf to load it."
    )


def load_skops(path: str | Path) -> Any:
    """Read a skops file, refusing any type outside :data:`TRUSTED_TYPES`."""
    import zipfile

    import skops.io

    try:
        found = skops.io.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ArtifactError(
            f"{path} is not a skops model file ({error}); refusing to read it"
        ) from None
    untrusted = [t for t in found if t not in TRUSTED_TYPES]
    if untrusted:
        hint = (
            "; they are the types of an earlier tumorclf: retrain the model with `tumorclf train`"
            if any(t.startswith("tumorclf.synthetic.") for t in untrusted)
            else ""
        )
        raise ArtifactError(
            f"{path} contains types tumorclf does not trust: {', '.join(untrusted)}{hint}"
        )
    return skops.io.load(path, trusted=list(TRUSTED_TYPES))


def load_model(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """Load a model and its manifest: this machine's signed pickle, else the checked skops file.

    Raises
    ------
    ArtifactError
        No manifest; a model saved in another layout (:func:`check_layout`); a model file whose
        checksum differs from the manifest's;
        or a skops file with a type outside :data:`TRUSTED_TYPES`.
    """
    manifest, model_path = read_manifest(path)
    check_layout(manifest, model_path)
    if not model_path.exists():
        raise ArtifactError(f"the manifest names {model_path}, which does not exist")
    actual = sha256_of(model_path)
    if actual != manifest.get("sha256"):
        raise ArtifactError(
            f"{model_path}: checksum {actual[:12]}... does not match the manifest's "
            f"{str(manifest.get('sha256'))[:12]}...; the file was changed or is incomplete. "
            f"Refusing to load it."
        )
    signed = _load_signed(model_path.parent, manifest)
    return (signed if signed is not None else load_skops(model_path)), manifest
