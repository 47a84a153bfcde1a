"""Model files: checksummed, atomic, and never a way to run code that this machine did not write."""

from __future__ import annotations

import json
import pickle
import shutil

import numpy as np
import pytest

from tumorclf.persistence.artifacts import (
    TRUSTED_TYPES,
    ArtifactError,
    load_model,
    promote_champion,
    save_model,
    sha256_of,
)
from tumorclf.training.config import load_config

from ..conftest import fit_candidate


class Exploit:
    """Unpickling this writes a marker file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture(scope="module")
def saved(tmp_path_factory, generator):
    root = tmp_path_factory.mktemp("artifacts")
    model, manifest = fit_candidate(generator, n=1500)
    save_model(model, manifest, root, "good")
    promote_champion(root, "good")
    return root


@pytest.fixture
def copy(saved, tmp_path):
    target = tmp_path / "models"
    shutil.copytree(saved, target)
    return target


def _manifest(folder):
    return folder / "runs" / "good" / "manifest.json"


def test_a_planted_pickle_with_a_forged_signature_never_runs(copy, tmp_path):
    marker = tmp_path / "pwned"
    (copy / "runs" / "good" / "model.pkl").write_bytes(pickle.dumps(Exploit(str(marker))))
    model, _ = load_model(copy / "runs" / "good")  # falls back to the checked skops file
    assert not marker.exists()
    assert hasattr(model, "predict_proba")


def test_a_pickle_posing_as_the_skops_file_is_refused_without_running(copy, tmp_path):
    marker = tmp_path / "pwned"
    run = copy / "runs" / "good"
    (run / "model.skops").write_bytes(pickle.dumps(Exploit(str(marker))))
    (run / "model.pkl").unlink()
    manifest = json.loads(_manifest(copy).read_text())
    manifest["sha256"] = sha256_of(run / "model.skops")  # the attacker fixes the checksum too
    _manifest(copy).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="is not a skops model file"):
        load_model(run)
    assert not marker.exists()


def test_a_skops_file_with_an_untrusted_type_is_refused(copy):
    import skops.io

    run = copy / "runs" / "good"
    (run / "model.skops").write_bytes(skops.io.dumps({"payload": Exploit("/tmp/never")}))
    (run / "model.pkl").unlink()
    manifest = json.loads(_manifest(copy).read_text())
    manifest["sha256"] = sha256_of(run / "model.skops")
    _manifest(copy).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="types tumorclf does not trust: .*Exploit"):
        load_model(run)


def test_a_checksum_mismatch_is_refused_and_not_promoted(copy):
    run = copy / "runs" / "good"
    with open(run / "model.skops", "ab") as handle:
        handle.write(b"x")
    with pytest.raises(ArtifactError, match="does not match the manifest"):
        load_model(copy)
    with pytest.raises(ArtifactError, match="not promoted"):
        promote_champion(copy, "good")


def test_the_trusted_list_is_code_not_data(saved):
    manifest = json.loads(_manifest(saved).read_text())
    assert "trusted" not in json.dumps(manifest)
    assert "tumorclf.features.CaseEncoder" in TRUSTED_TYPES
    assert not any(
        t.startswith(("builtins.eval", "builtins.exec", "os.", "subprocess."))
        for t in TRUSTED_TYPES
    )


def test_the_champion_pointer_names_a_complete_model(saved):
    pointer = json.loads((saved / "champion.json").read_text())
    assert sha256_of(saved / pointer["model_path"]) == pointer["sha256"]


@pytest.mark.parametrize("name", sorted(load_config()["candidates"]))
def test_every_default_candidate_round_trips_through_skops_alone(generator, tmp_path, name):
    model, manifest = fit_candidate(generator, name=name, n=700)
    save_model(model, manifest, tmp_path, "run")
    promote_champion(tmp_path, "run")
    (
        tmp_path / "runs" / "run" / "model.pkl"
    ).unlink()  # no signed pickle: skops with the trusted list only
    loaded, _ = load_model(tmp_path)
    cases = generator.sample(50, balance="uniform", random_state=4).drop(
        columns=["diagnosis", "source"]
    )
    assert np.allclose(loaded.predict_proba(cases), model.predict_proba(cases), atol=1e-12)


def test_a_prior_update_with_learnt_dependences_round_trips_through_skops_alone(
    generator, tmp_path
):
    """The finding model's region-given tables and structure survive the trusted-types loader."""
    from tumorclf.model.estimator import UpdatedPriorsClassifier

    real = generator.sample(400, balance="uniform", random_state=5)
    model = UpdatedPriorsClassifier(
        None, strength=4.0, floor=0.03, dependence="erosion_by_compartment+compartment_by_region"
    )
    model.fit(real.drop(columns=["diagnosis", "source"]), real["diagnosis"])
    assert model.findings_.by_region == ("compartment",)
    manifest = {
        "candidate": "updated_priors",
        "display_order": list(generator.classes_),
        "readings": ["as_entered"],
    }
    save_model(model, manifest, tmp_path, "run")
    promote_champion(tmp_path, "run")
    (tmp_path / "runs" / "run" / "model.pkl").unlink()
    loaded, _ = load_model(tmp_path)
    assert loaded.findings_.by_region == ("compartment",)
    cases = generator.sample(50, balance="uniform", random_state=4).drop(
        columns=["diagnosis", "source"]
    )
    assert np.allclose(loaded.predict_proba(cases), model.predict_proba(cases), atol=1e-12)


def test_a_model_saved_in_the_earlier_layout_is_refused_with_what_to_do(tmp_path):
    """Models from before the model's types moved to tumorclf.model (layout 1) are refused before
    any of their files is read, with the message to retrain; a layout from a newer tumorclf asks for
    an upgrade."""
    import json

    import tumorclf
    from tumorclf.persistence.artifacts import MANIFEST_VERSION

    run = tmp_path / "runs" / "old"
    run.mkdir(parents=True)
    (run / "model.skops").write_bytes(b"not read: the layout is checked first")
    manifest = {
        "schema_version": "1.1",
        "model_file": "model.skops",
        "sha256": "0" * 64,
        "candidate": "updated_priors",
    }
    (run / "manifest.json").write_text(
        json.dumps(manifest), encoding="utf-8"
    )  # no manifest_version: layout 1
    with pytest.raises(
        ArtifactError, match=r"earlier tumorclf \(model layout 1.*Retrain it with `tumorclf train`"
    ):
        tumorclf.load(run)
    (run / "manifest.json").write_text(
        json.dumps({**manifest, "manifest_version": MANIFEST_VERSION + 1}), encoding="utf-8"
    )
    with pytest.raises(ArtifactError, match="newer tumorclf.*upgrade"):
        tumorclf.load(run)
