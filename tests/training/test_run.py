"""Tiny trains end to end into a temporary MLflow store and models folder (the session's two,
shared)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tumorclf.cli import app
from tumorclf.persistence.artifacts import load_model
from tumorclf.training.run import train

from ..conftest import SEED_CASE
from .conftest import TINY, tiny_config


@pytest.fixture(scope="module")
def trained(tiny_trains):
    """The latest of the session's two tiny trains (the champion now), and the store's root."""
    _, root, outcomes = tiny_trains
    return outcomes[-1], root


def test_store_holds_parent_children_metrics_plots_and_alias(trained):
    from mlflow.tracking import MlflowClient

    outcome, _ = trained
    client = MlflowClient(outcome.tracking_uri)
    parent = client.get_run(outcome.parent_run_id)
    assert parent.info.status == "FINISHED"
    assert parent.data.tags["champion"] == outcome.champion
    assert "cv.folds" in parent.data.params and parent.data.tags["data_fingerprint"]
    children = client.search_runs(
        [outcome.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{outcome.parent_run_id}'",
    )
    names = {run.data.tags["candidate"] for run in children}
    assert names == {
        "logistic_regression",
        "naive_bayes",
        "seed_rule",
        "bayes_oracle",
        "literature_priors",
    }
    for run in children:
        assert run.info.status == "FINISHED"
        for name in ("real_log_loss", "real_top3_acc", "real_mcs_auroc", "real_ece", "cv_log_loss"):
            assert f"{name}_mean" in run.data.metrics and f"{name}_sd" in run.data.metrics, name
        assert run.data.metrics["real_cases"] > 0 and run.data.metrics["real_folds"] == 3
        for name in (
            "real_log_loss",
            "real_mcs_top3_sensitivity",
            "real_published_top3_acc",
        ):  # 95% intervals
            low, high = run.data.metrics[f"{name}_lo"], run.data.metrics[f"{name}_hi"]
            assert low <= high and low <= run.data.metrics[f"{name}_mean"] + 0.2, name
        ece = (
            run.data.metrics
        )  # pooled over every out-of-fold case, with its interval and a calibrated model's
        assert ece["real_ece_pooled_lo"] <= ece["real_ece_pooled"] <= ece["real_ece_pooled_hi"]
        assert 0 < ece["real_ece_pooled_reference"] < ece["real_ece_mean"] + 0.1
        files = {a.path for a in client.list_artifacts(run.info.run_id)}
        for prefix in ("real_", "synthetic_"):
            assert {
                f"{prefix}{f}"
                for f in (
                    "confusion_matrix.png",
                    "roc_one_vs_rest.png",
                    "reliability.png",
                    "per_class_report.csv",
                )
            } <= files
        assert "real_predictions.csv" in files
    parent_files = {a.path for a in client.list_artifacts(outcome.parent_run_id)}
    assert {
        "comparison.csv",
        "comparison.png",
        "config.yaml",
        "priors.yaml",
        "prior_updates.csv",
    } <= parent_files
    assert "prior_update.chosen.strength" in parent.data.params
    assert parent.data.tags["selection_metric"] == "real_published_log_loss_mean"
    version = client.get_model_version_by_alias("tumorclf", "champion")
    assert str(version.version) == outcome.registered_version


def test_champion_is_not_a_reference_and_is_loadable(trained):
    outcome, root = trained
    assert outcome.champion in {"logistic_regression", "naive_bayes"}
    eligible = [r for r in outcome.rows if not r["reference"]]  # chosen on real patients
    floor = next(r for r in outcome.rows if r["candidate"] == "literature_priors")[
        "real_mcs_top3_sensitivity_mean"
    ]
    guarded = [r for r in eligible if r["real_mcs_top3_sensitivity_mean"] >= floor] or eligible
    assert outcome.champion == min(guarded, key=lambda r: r["real_log_loss_mean"])["candidate"]
    pointer = json.loads((root / "models" / "champion.json").read_text())
    assert pointer["mlflow"]["parent_run_id"] == outcome.parent_run_id
    model, manifest = load_model(root / "models")
    assert manifest["candidate"] == outcome.champion
    assert (
        manifest["prior_update"]["n_real_cases"] >= 300 and manifest["prior_update"]["strength"] > 0
    )
    proba = model.predict_proba(
        __import__("tumorclf.schema", fromlist=["validate"]).validate(
            {"age": 19, "calcification": "punctate"}
        )
    )
    assert proba.shape == (1, 7) and abs(proba.sum() - 1) < 1e-9
    # calibrated on the champion's out-of-fold real cases: a coverage set and an MCS alert with
    # their record
    assert manifest["coverage"]["alpha"] == 0.1 and len(manifest["coverage"]["scores"]["mcs"]) >= 15
    # measured on the published cases and recorded, not applied by default: it would flatten
    # the ratios the consecutive series show
    recalibration = manifest["recalibration"]
    assert recalibration["applied"] is False and recalibration["temperature"] > 0
    assert recalibration["log_loss_before"] > 0 and recalibration["log_loss_after"] > 0
    assert (
        manifest["mcs_alert"]["n_mcs"] >= 15
        and manifest["mcs_alert"]["caught"] >= 0.9 * manifest["mcs_alert"]["n_mcs"] - 1
    )
    assert (
        0 < manifest["metrics"]["conformal_coverage_mean"] <= 1
        and "mcs_alert_sensitivity_mean" in manifest["metrics"]
    )
    assert (
        1 <= manifest["metrics"]["vignette_set_size"] <= 7
    )  # the same sets on the fully reported vignettes
    import tumorclf

    classifier = tumorclf.load(root / "models")
    seed_case = {**SEED_CASE, "compartment": "I&ED"}  # as the paper spells it
    seed = classifier.predict_case(seed_case)
    assert seed.set_coverage == 0.9 and seed.differential_set and seed.alert is not None
    assert seed.alert.raised == (seed.alert.p_mcs >= manifest["mcs_alert"]["threshold"])
    # under the clinical prior the alert compares the p(MCS) shown with a threshold chosen under
    # that prior
    clinical = classifier.predict_case(seed_case, prior="clinical")
    assert clinical.alert.prior == "clinical" and np.isclose(
        clinical.alert.p_mcs, clinical.probabilities["mcs"]
    )
    assert (
        clinical.alert.threshold
        == classifier.alert_for("clinical").threshold
        < manifest["mcs_alert"]["threshold"]
    )
    assert clinical.alert.raised == classifier.mcs_alerts([seed_case], prior="clinical")[0]
    assert ("MCS cannot be excluded" if seed.alert.raised else "MCS alert not raised") in str(seed)
    assert "clinical prior" in str(clinical.alert)


def test_a_set_can_be_asked_at_another_coverage(trained):
    """The calibration scores serve any level: a lower one keeps fewer classes, each set inside the
    default's."""
    import pandas as pd

    import tumorclf

    _, root = trained
    classifier = tumorclf.load(root / "models")
    from tumorclf.paths import project_file

    cases = pd.read_csv(project_file("data/real_cases.csv")).head(40)
    cases = cases.drop(
        columns=["id", "diagnosis", "source", "quote", "quote2", "remarks"], errors="ignore"
    )
    default, smaller = classifier.predict_set(cases), classifier.predict_set(cases, coverage=0.6)
    assert all(set(s) <= set(d) for s, d in zip(smaller, default, strict=True))
    assert sum(map(len, smaller)) < sum(map(len, default))
    one = classifier.predict_case(cases.iloc[0].dropna().to_dict(), coverage=0.6)
    assert (
        one.set_coverage == 0.6
        and one.differential_set == smaller[0]
        and "Set at 60% coverage" in str(one)
    )
    with pytest.raises(ValueError, match=r"between 0 and 1 \(exclusive\), e.g. 0.8; got 1.5"):
        classifier.predict_set(cases, coverage=1.5)
    result = CliRunner().invoke(
        app,
        ["predict", "--model", str(root / "models"), "--case", '{"age": 40}', "--coverage", "0"],
    )
    assert result.exit_code != 0 and "coverage must be a number between 0 and 1" in result.output


def test_retraining_keeps_the_earlier_model(tiny_trains):
    _, root, (outcome, second) = tiny_trains
    runs = sorted(p.name for p in (root / "models" / "runs").iterdir())
    assert runs == sorted([outcome.parent_run_id, second.parent_run_id])
    assert (
        json.loads((root / "models" / "champion.json").read_text())["mlflow"]["parent_run_id"]
        == second.parent_run_id
    )
    # the real-case evaluation does not depend on the synthetic sample's size: the same figures
    real = [[r["real_log_loss_mean"] for r in o.rows] for o in (outcome, second)]
    synthetic = [[r["cv_log_loss_mean"] for r in o.rows] for o in (outcome, second)]
    assert real[0] == real[1] and synthetic[0] != synthetic[1]


def test_a_candidate_that_fails_is_marked_failed_in_mlflow(tmp_path, broken_logistic_regression):
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    outcome = train(tiny_config(), tracking_uri=uri, models_dir=tmp_path / "models")
    assert outcome.champion == "naive_bayes"
    client = MlflowClient(uri)
    children = client.search_runs(
        [outcome.experiment_id], filter_string="tags.candidate = 'logistic_regression'"
    )
    assert [run.info.status for run in children] == ["FAILED"]
    assert "deliberately broken" in children[0].data.tags["error"]
    assert client.get_run(outcome.parent_run_id).info.status == "FINISHED"


def test_set_with_an_unknown_key_fails_before_training(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "train",
            "--set",
            "cv.fold=3",
            *[a for o in TINY for a in ("--set", o)],
            "--tracking-uri",
            f"sqlite:///{tmp_path / 'mlflow.db'}",
            "--models-dir",
            str(tmp_path / "models"),
        ],
    )
    assert result.exit_code == 2
    assert "unknown key 'fold' in cv; did you mean cv.folds?" in result.output
    assert list(tmp_path.iterdir()) == []  # no store, no models: nothing started


def test_the_champion_loads_through_its_mlflow_uri(trained, monkeypatch):
    import sys

    import tumorclf
    from tumorclf.schema import validate

    outcome, root = trained
    monkeypatch.setenv("MLFLOW_TRACKING_URI", outcome.tracking_uri)
    classifier = tumorclf.load("models:/tumorclf@champion")
    assert "mlflow" in sys.modules
    assert classifier.manifest.candidate == outcome.champion
    local = tumorclf.load(root / "models")
    case = validate({"age": 19, "calcification": "punctate", "level": "T12-L2"})
    assert (classifier.predict_proba(case).round(12) == local.predict_proba(case).round(12)).all(
        axis=None
    )


def test_compare_reads_back_both_trains(trained):
    from tumorclf.tracking.compare import comparison_rows
    from tumorclf.training.metrics import COMPARISON_COLUMNS

    outcome, _ = trained
    rows = comparison_rows(outcome.tracking_uri, "tumorclf", last=5, columns=COMPARISON_COLUMNS)
    trains = {r["train"] for r in rows}
    assert {"train synthetic.n=350", "train synthetic.n=420"} <= trains
    champions = [r for r in rows if r["champion"] and r["train_run_id"] == outcome.parent_run_id]
    assert [r["candidate"] for r in champions] == [outcome.champion]
    assert all(
        r["real_log_loss_mean"] is not None and r["cv_log_loss_mean"] is not None for r in rows
    )
    result = CliRunner().invoke(
        app, ["compare", "--tracking-uri", outcome.tracking_uri, "--last", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "bayes_oracle (reference)" in result.output and "pub. LL" in result.output


def test_compare_names_the_experiments_there_are(trained):
    outcome, _ = trained
    result = CliRunner().invoke(
        app, ["compare", "--tracking-uri", outcome.tracking_uri, "--experiment", "nope"]
    )
    assert result.exit_code == 2
    assert "no experiment 'nope'" in result.output and "tumorclf" in result.output


def test_the_selection_guard_keeps_mcs_ranked_as_the_literature_does():
    from tumorclf.training.evaluation import CandidateReport
    from tumorclf.training.selection import guarded_candidates

    def report(name, sensitivity, reference=False):
        return CandidateReport(
            name, reference, [], {"real_mcs_top3_sensitivity_mean": sensitivity}, {}, None, None, 0
        )

    literature = report("literature_priors", 0.9, reference=True)
    sharp, safe = report("sharp", 0.7), report("safe", 0.9)
    kept, note = guarded_candidates(
        [sharp, safe], [sharp, safe, literature], {"metric": "log_loss"}
    )
    assert kept == [safe] and "left out: sharp" in note
    kept, note = guarded_candidates([sharp], [sharp, literature], {"metric": "log_loss"})
    assert (
        kept == [sharp] and "all kept" in note
    )  # none qualifies: the metric alone chooses, and says so
    kept, _ = guarded_candidates(
        [sharp, safe], [sharp, safe, literature], {"metric": "log_loss", "guard": "none"}
    )
    assert kept == [sharp, safe]
