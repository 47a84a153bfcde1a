"""The prediction API: same answer for every input form, honest explanations, exact prior shift."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import tumorclf
from tumorclf.case_io import read_cases_csv, write_cases_csv
from tumorclf.persistence.artifacts import ArtifactError, promote_champion, save_model
from tumorclf.prediction import FINDINGS, Classifier, ModelVersionWarning, check_compatibility
from tumorclf.schema import SCHEMA_VERSION, CaseValidationError, validate

from ..conftest import fit_candidate


def fit_classifier(generator, name: str, n: int = 6000) -> Classifier:
    return Classifier(*fit_candidate(generator, name, n=n))


@pytest.fixture(scope="module")
def champion(generator):
    """The default experiment's winning model family, fitted on a default-sized sample."""
    return fit_classifier(generator, "naive_bayes", n=16000)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, champion):
    """The champion saved as an artifact, signed with a test key."""
    root = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TUMORCLF_SIGNING_KEY", str(root / "key"))
        save_model(champion.model, champion.manifest.to_dict(), root, "run1")
        promote_champion(root, "run1")
    return root


def test_seed_case_gives_the_same_answer_through_every_input_form(champion, seed_case, tmp_path):
    reference = champion.predict_proba(seed_case).to_numpy()
    path = tmp_path / "c.csv"
    write_cases_csv(validate(seed_case), path)
    forms = [
        [seed_case],
        pd.DataFrame([seed_case]),
        validate(seed_case),
        read_cases_csv(path),
        {**seed_case, "level": None, "level_top": "T12", "level_bottom": "L2"},
    ]
    for form in forms:
        assert np.allclose(champion.predict_proba(form).to_numpy(), reference)
    case = champion.predict_case(seed_case)
    assert np.allclose(list(case.probabilities.values()), reference[0])
    assert case.diagnosis == "mcs"


def test_probabilities_are_finite_sum_to_one_and_keep_ids(champion, generator):
    frame = generator.sample(500, random_state=7)
    frame.insert(0, "id", [f"case{i}" for i in range(len(frame))])
    proba = champion.predict_proba(frame)
    assert list(proba.columns) == list(generator.classes_)
    assert proba.index.tolist() == frame["id"].tolist()
    assert np.isfinite(proba.to_numpy()).all() and np.allclose(proba.sum(axis=1), 1)


def test_differential_has_at_least_three_classes_and_respects_the_threshold(champion, seed_case):
    case = champion.predict_case(seed_case, threshold=0.5)
    assert len(case.differential) == 3
    probabilities = [p for _, p in case.differential]
    assert probabilities == sorted(probabilities, reverse=True)
    wide = champion.predict_case(seed_case, threshold=0.0)
    assert len(wide.differential) == 7


#: A case where meningioma and MCS both stand: a 40-year-old woman, T8, IDEM,
#: homogeneous enhancement, punctate calcification.
CONTESTED = {
    "age": 40,
    "sex": "F",
    "level": "T8",
    "compartment": "IDEM",
    "enhancement": "homogeneous",
    "calcification": "punctate",
}


@pytest.mark.parametrize("candidate", ["naive_bayes", "logistic_regression", "neural_network"])
def test_a_dural_tail_lowers_mcs_and_raises_meningioma(generator, candidate, seed_case):
    classifier = fit_classifier(generator, candidate)
    without = classifier.predict_case({**CONTESTED, "dural_tail": None}).probabilities
    with_tail = classifier.predict_case({**CONTESTED, "dural_tail": True}).probabilities
    assert with_tail["mcs"] < without["mcs"]
    assert with_tail["meningioma"] > without["meningioma"]
    # In the seed case meningioma is no contender (age 19), and the rivals left
    # (neurofibroma, MPE, SFT) show a tail even more rarely than MCS, so p(MCS)
    # itself may rise, as the oracle's does; the MCS:meningioma odds must still fall.
    before = classifier.predict_case({**seed_case, "dural_tail": None}).probabilities
    after = classifier.predict_case({**seed_case, "dural_tail": True}).probabilities
    assert after["mcs"] / after["meningioma"] < before["mcs"] / before["meningioma"]


def test_explanations_name_real_findings_with_directions_that_hold(champion, seed_case):
    prediction = champion.predict_case(seed_case)
    assert prediction.explanation and prediction.effects
    assert {e.finding for e in prediction.effects} <= set(FINDINGS)
    assert "punctate calcification: toward MCS" in prediction.explanation
    for effect in prediction.effects:
        # The sign says what removing the finding does to the class's probability.
        less = {**seed_case}
        if effect.finding == "level":
            less["level"] = None
        else:
            less[effect.finding] = None
        before = prediction.probabilities[effect.target]
        after = champion.predict_case(less).probabilities[effect.target]
        if abs(effect.log_effect) > 1e-6:
            assert (before > after) == (effect.log_effect > 0), effect


def test_meningioma_case_is_explained_by_its_tail(champion):
    prediction = champion.predict_case(
        {
            "age": 62,
            "sex": "F",
            "level": "T6",
            "compartment": "IDEM",
            "dural_tail": True,
            "enhancement": "homogeneous",
        }
    )
    assert prediction.diagnosis == "meningioma"
    assert "dural tail: toward meningioma" in prediction.explanation


class OracleBacked(Classifier):
    """A classifier whose raw output is the oracle's uniform-prior posterior."""

    generator = None

    def _raw_proba(self, arrays, reading="as_entered"):
        return self.generator.posterior_array(arrays, "uniform", reading=reading)


@pytest.mark.parametrize(
    "prior",
    [
        "clinical",
        "uniform",
        {
            "mcs": 0.5,
            "schwannoma": 0.1,
            "meningioma": 0.1,
            "neurofibroma": 0.1,
            "hemangioblastoma": 0.1,
            "myxopapillary_ependymoma": 0.05,
            "solitary_fibrous_tumor": 0.05,
        },
    ],
)
def test_prior_shift_reproduces_the_oracle_under_each_prior(generator, champion, prior):
    shifted = OracleBacked(champion.model, champion.manifest)
    shifted.generator = generator
    cases = generator.sample(300, random_state=3)
    assert np.allclose(
        shifted.predict_proba(cases, prior=prior).to_numpy(),
        generator.posterior(cases, prior=prior).to_numpy(),
        atol=1e-12,
    )


def test_prior_shift_on_a_trained_model_is_bayes_rule(champion, seed_case):
    trained = champion.predict_proba(seed_case).iloc[0].to_numpy()
    clinical = champion.predict_proba(seed_case, prior="clinical").iloc[0].to_numpy()
    expected = trained * champion.clinical_prior_ / champion.training_prior_
    assert np.allclose(clinical, expected / expected.sum())
    assert champion.predict_case(seed_case, prior="clinical").prior == "clinical"


@pytest.mark.parametrize(
    ("prior", "message"), [("popular", "must be one of"), ({"glioma": 1}, "unknown class")]
)
def test_a_bad_prior_is_a_clear_error(champion, seed_case, prior, message):
    with pytest.raises(ValueError, match=message):
        champion.predict_proba(seed_case, prior=prior)


@pytest.mark.parametrize(
    "bad", [{"age": 240}, {"level": "T13"}, {"calcification": "lots"}, {"shape": "round"}]
)
def test_bad_input_gets_the_schema_error(champion, bad):
    with pytest.raises(CaseValidationError):
        champion.predict_proba(bad)
    with pytest.raises(CaseValidationError):
        champion.predict_case(bad)


def test_predict_case_takes_exactly_one_case(champion, seed_case):
    with pytest.raises(ValueError, match="takes one case"):
        champion.predict_case([seed_case, seed_case])


def test_load_from_a_models_folder_gives_the_same_model(saved, champion, seed_case, monkeypatch):
    monkeypatch.setenv("TUMORCLF_SIGNING_KEY", str(saved / "key"))
    loaded = tumorclf.load(saved)
    assert loaded.classes_ == champion.classes_
    assert np.allclose(loaded.predict_proba(seed_case), champion.predict_proba(seed_case))


def test_without_the_signing_key_the_skops_file_is_used(
    saved, champion, seed_case, monkeypatch, tmp_path
):
    monkeypatch.setenv("TUMORCLF_SIGNING_KEY", str(tmp_path / "another-machine.key"))
    loaded = tumorclf.load(saved)
    assert np.allclose(loaded.predict_proba(seed_case), champion.predict_proba(seed_case))


def test_a_tampered_model_file_is_refused(saved, tmp_path):
    import shutil

    copy = tmp_path / "models"
    shutil.copytree(saved, copy)
    model_file = next(copy.glob("runs/*/model.skops"))
    model_file.write_bytes(model_file.read_bytes() + b"\0")
    with pytest.raises(ArtifactError, match="does not match the manifest"):
        tumorclf.load(copy)


def test_no_model_is_a_clear_error(tmp_path):
    with pytest.raises(ArtifactError, match="train one with `tumorclf train`"):
        tumorclf.load(tmp_path)


def test_incompatible_versions_are_refused_and_drift_warned(champion):
    manifest = {"schema_version": SCHEMA_VERSION, "packages": {"scikit-learn": "0.1.0"}}
    with pytest.raises(ArtifactError, match="trained with scikit-learn 0.1.0"):
        check_compatibility(manifest)
    with pytest.raises(ArtifactError, match="case schema 9.0.*upgrade tumorclf"):
        check_compatibility({"schema_version": "9.0"})
    with pytest.raises(ArtifactError, match=r"case schema 1\.0.*Retrain it with `tumorclf train`"):
        check_compatibility(
            {"schema_version": "1.0"}
        )  # a 1.0 model has no place for the 1.1 fields
    with pytest.raises(ArtifactError, match=r"case schema 1\.1.*'present'.*Retrain it"):
        check_compatibility({"schema_version": "1.1"})  # nor a 1.1 model for a pattern unstated
    from tumorclf.persistence.artifacts import package_versions

    current = package_versions()
    drifted = {**current, "numpy": current["numpy"] + ".post1"}
    with pytest.warns(ModelVersionWarning, match="numpy"):
        check_compatibility({"schema_version": SCHEMA_VERSION, "packages": drifted})


def test_prediction_from_a_local_artifact_never_imports_mlflow(saved, seed_case):
    script = textwrap.dedent(f"""
        import sys, tumorclf
        clf = tumorclf.load({str(saved)!r})
        clf.predict_case({seed_case!r})
        clf.predict_proba([{seed_case!r}])
        print("mlflow" in sys.modules, "skops" in sys.modules)
    """)
    env = {"TUMORCLF_SIGNING_KEY": str(saved / "key"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def test_predict_report_reads_the_case_then_predicts_it(champion):
    from tumorclf.extract import ReportError

    text = (
        "A 19-year-old male. MRI showed a dumbbell-shaped mass at T12-L2 with homogeneous "
        "enhancement and no dural tail. CT revealed punctate calcification."
    )
    prediction = champion.predict_report(text, prior="uniform")
    assert prediction.extraction.case == {
        "age": 19,
        "sex": "M",
        "level": "T12-L2",
        "dumbbell": True,
        "enhancement": "homogeneous",
        "calcification": "punctate",
        "dural_tail": False,
    }
    direct = champion.predict_case(prediction.extraction.case, prior="uniform")
    assert prediction.probabilities == direct.probabilities
    assert "Read from the report" in str(prediction) and "Most likely" in str(prediction)
    with pytest.raises(ReportError, match="empty"):
        champion.predict_report("  ")


def test_a_recalibration_temperature_in_the_manifest_is_applied_only_where_training_kept_it(
    generator,
):
    from tumorclf.prediction import Classifier
    from tumorclf.prediction.probabilities import apply_temperature

    from ..conftest import SEED_CASE, fit_candidate

    model, manifest = fit_candidate(generator, n=2000)
    plain = Classifier(model, manifest).predict_proba_array(SEED_CASE)
    kept = Classifier(
        model,
        {
            **manifest,
            "recalibration": {
                "temperature": 2.0,
                "log_loss_before": 1.6,
                "log_loss_after": 1.5,
                "applied": True,
            },
        },
    )
    np.testing.assert_allclose(
        kept.predict_proba_array(SEED_CASE), apply_temperature(plain, 2.0), atol=1e-12
    )
    refused = Classifier(
        model,
        {
            **manifest,
            "recalibration": {
                "temperature": 2.0,
                "log_loss_before": 1.5,
                "log_loss_after": 1.6,
                "applied": False,
            },
        },
    )
    np.testing.assert_allclose(refused.predict_proba_array(SEED_CASE), plain, atol=0)
