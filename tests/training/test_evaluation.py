"""Evaluation: folds are what they claim, synthetic rows are never scored, results are seeded."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.case_io import read_cases_csv
from tumorclf.paths import default_real_cases_path
from tumorclf.schema import validate
from tumorclf.training.evaluation import candidates_from_config, evaluate

from .conftest import tiny_config


@pytest.fixture(scope="module")
def data(generator):
    config = tiny_config()
    synthetic = generator.sample(config["synthetic"]["n"], balance="uniform", random_state=config["seed"])
    real = validate(read_cases_csv(default_real_cases_path()), classes=generator.classes_).reset_index(drop=True)
    return synthetic, real


@pytest.fixture(scope="module")
def reports(generator, data):
    config = tiny_config()
    return evaluate(candidates_from_config(config, generator), *data, generator, config)


def test_real_cases_are_scored_only_by_models_that_never_saw_them(reports, data):
    _, real = data
    for report in reports:
        real_folds = [f for f in report.folds if f.kind == "real"]
        assert len(real_folds) == len(real)
        scored = np.concatenate([f.test_index for f in real_folds])
        assert sorted(scored) == list(range(len(real)))  # every real case scored exactly once
        for fold in real_folds:
            assert np.intersect1d(fold.train_index, fold.test_index).size == 0
            assert fold.test_index.max() < len(real)  # indices of real rows only: nothing synthetic scored
            assert fold.n_synthetic_train == 140  # the fill-in went into training
            assert fold.proba.shape == (1, 7)


def test_synthetic_folds_partition_the_sample(reports, data):
    synthetic, _ = data
    for report in reports:
        folds = [f for f in report.folds if f.kind == "synthetic"]
        assert len(folds) == 2
        tested = np.concatenate([f.test_index for f in folds])
        assert sorted(tested) == list(range(len(synthetic)))
        for fold in folds:
            assert np.intersect1d(fold.train_index, fold.test_index).size == 0
            # stratified: every class in every test fold
            assert synthetic["diagnosis"].iloc[fold.test_index].nunique() == 7


def test_metrics_are_reported_as_mean_and_sd_with_calibration_and_oracle_ratio(reports):
    names = {r.name: r for r in reports}
    assert set(names) == {"logistic_regression", "naive_bayes", "seed_rule", "bayes_oracle"}
    for report in reports:
        m = report.metrics
        for key in ("cv_log_loss_mean", "cv_log_loss_sd", "cv_brier_mean", "cv_ece_mean",
                    "cv_balanced_accuracy_mean", "cv_macro_f1_mean", "cv_top3_acc_mean",
                    "cv_mcs_sensitivity_mean", "cv_mcs_specificity_mean", "cv_mcs_auroc_mean",
                    "cv_oracle_ratio_mean", "real_top3_acc", "real_log_loss"):
            assert key in m and np.isfinite(m[key]), (report.name, key)
    assert names["bayes_oracle"].metrics["cv_oracle_ratio_mean"] == pytest.approx(1.0)
    assert names["naive_bayes"].model is not None and names["seed_rule"].model is None


def _scores(report):
    return {k: v for k, v in report.metrics.items() if k != "fit_seconds"}


def test_same_seed_same_metrics_twice(generator, data, reports):
    config = tiny_config()
    again = evaluate(candidates_from_config(config, generator), *data, generator, config)
    for first, second in zip(reports, again, strict=True):
        assert _scores(first) == _scores(second)
        assert first.best_params == second.best_params


def test_worker_count_does_not_change_the_results(generator, data, reports):
    # Workers limit BLAS threads, which may change the last bits of a sum.
    config = tiny_config()
    config["parallel"] = {"n_jobs": 2}
    again = evaluate(candidates_from_config(config, generator), *data, generator, config)
    for first, second in zip(reports, again, strict=True):
        assert _scores(second) == pytest.approx(_scores(first), rel=1e-9)
        assert first.best_params == second.best_params


def test_a_failing_candidate_is_reported_and_the_others_finish(generator, data, monkeypatch):
    from sklearn.linear_model import LogisticRegression

    from tumorclf.training import candidates

    class Exploding(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise RuntimeError("deliberately broken")

    factory, scaling = candidates.MODEL_FACTORIES["logistic_regression"]
    monkeypatch.setitem(candidates.MODEL_FACTORIES, "logistic_regression",
                        (lambda seed, **p: Exploding(**p), scaling))
    config = tiny_config()
    reports = evaluate(candidates_from_config(config, generator), *data, generator, config)
    by_name = {r.name: r for r in reports}
    assert by_name["logistic_regression"].failed
    assert "deliberately broken" in by_name["logistic_regression"].error
    assert not by_name["naive_bayes"].failed and by_name["naive_bayes"].model is not None
