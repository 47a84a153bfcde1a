"""Evaluation: folds are what they claim, synthetic rows are never scored, results are seeded."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.training.real_cv import groups_of

from .conftest import evaluation_inputs, run_evaluation, tiny_config

REFERENCES = {"seed_rule", "bayes_oracle", "literature_priors"}


@pytest.fixture(scope="module")
def inputs():
    return evaluation_inputs(tiny_config())


@pytest.fixture(scope="module")
def reports(inputs):
    return run_evaluation(tiny_config(), inputs)


def test_real_cases_are_scored_only_by_models_that_never_saw_them_nor_their_paper(reports, inputs):
    _, real, _, _, fold_updates = inputs
    groups = groups_of(real)
    for report in reports:
        real_folds = [f for f in report.folds if f.kind == "real"]
        assert len(real_folds) == 3
        scored = np.concatenate([f.test_index for f in real_folds])
        assert sorted(scored) == list(range(len(real)))  # every real case scored exactly once
        for fold, update in zip(
            sorted(real_folds, key=lambda f: f.fold), fold_updates, strict=True
        ):
            assert np.intersect1d(fold.train_index, fold.test_index).size == 0
            assert not set(groups[fold.train_index]) & set(
                groups[fold.test_index]
            )  # no paper on both sides
            assert np.array_equal(
                update.test_index, fold.test_index
            )  # the fold's priors never saw its cases
            assert np.array_equal(update.train_index, fold.train_index)
            assert fold.test_index.max() < len(
                real
            )  # indices of real rows only: nothing synthetic scored
            expected = 0 if report.name in REFERENCES else 140
            assert (
                fold.n_synthetic_train == expected
            )  # the fill-in went into candidates' training only
            assert fold.proba.shape == (len(fold.test_index), 7)
            assert np.allclose(fold.proba.sum(axis=1), 1)


def test_real_folds_are_stratified_so_every_class_is_tested_in_every_fold(reports, inputs):
    _, real, _, _, _ = inputs
    for fold in (f for f in reports[0].folds if f.kind == "real"):
        assert real["diagnosis"].iloc[fold.test_index].nunique() == 7


def test_synthetic_folds_partition_the_sample(reports, inputs):
    synthetic = inputs[0]
    for report in reports:
        folds = [f for f in report.folds if f.kind == "synthetic"]
        assert len(folds) == 2
        tested = np.concatenate([f.test_index for f in folds])
        assert sorted(tested) == list(range(len(synthetic)))
        for fold in folds:
            assert np.intersect1d(fold.train_index, fold.test_index).size == 0
            # stratified: every class in every test fold
            assert synthetic["diagnosis"].iloc[fold.test_index].nunique() == 7


def test_metrics_are_reported_as_mean_and_sd_over_folds_real_and_synthetic(reports):
    names = {r.name: r for r in reports}
    assert set(names) == {"logistic_regression", "naive_bayes", *REFERENCES}
    for report in reports:
        m = report.metrics
        for key in (
            "log_loss",
            "brier",
            "ece",
            "top1_acc",
            "top3_acc",
            "mcs_top3_sensitivity",
            "mcs_top3_false_alarm",
            "mcs_auroc",
        ):
            for prefix in ("real", "cv"):
                for stat in ("mean", "sd"):
                    assert np.isfinite(m[f"{prefix}_{key}_{stat}"]), (
                        report.name,
                        prefix,
                        key,
                        stat,
                    )
        assert np.isfinite(m["cv_oracle_ratio_mean"])
    assert names["bayes_oracle"].metrics["cv_oracle_ratio_mean"] == pytest.approx(1.0)
    assert names["naive_bayes"].model is not None and names["seed_rule"].model is None


def test_the_fitted_oracle_scores_real_cases_with_each_folds_own_update(reports, inputs):
    oracle = next(r for r in reports if r.name == "bayes_oracle")
    for fold, update in zip(
        sorted((f for f in oracle.folds if f.kind == "real"), key=lambda f: f.fold),
        inputs[-1],
        strict=True,
    ):
        assert np.array_equal(fold.proba, update.proba)


def _scores(report):
    return {k: v for k, v in report.metrics.items() if k != "fit_seconds"}


def test_same_seed_same_metrics_twice(inputs, reports):
    again = run_evaluation(tiny_config(), evaluation_inputs(tiny_config()))
    for first, second in zip(reports, again, strict=True):
        assert _scores(first) == _scores(second)
        assert first.best_params == second.best_params


def test_worker_count_does_not_change_the_results(inputs, reports):
    # Workers limit BLAS threads, which may change the last bits of a sum.
    config = tiny_config()
    config["parallel"] = {"n_jobs": 2}
    again = run_evaluation(config, inputs)
    for first, second in zip(reports, again, strict=True):
        assert _scores(second) == pytest.approx(_scores(first), rel=1e-9)
        assert first.best_params == second.best_params


def test_a_failing_candidate_is_reported_and_the_others_finish(inputs, broken_logistic_regression):
    reports = run_evaluation(tiny_config(), inputs)
    by_name = {r.name: r for r in reports}
    assert by_name["logistic_regression"].failed
    assert "deliberately broken" in by_name["logistic_regression"].error
    assert not by_name["naive_bayes"].failed and by_name["naive_bayes"].model is not None
