"""Config loading and --set overrides: refused before any work, with a useful message."""

from __future__ import annotations

import pytest

from tumorclf.training.config import ConfigError, flatten, load_config


def test_default_config_loads_and_flattens():
    config = load_config()
    flat = flatten(config)
    assert flat["cv.folds"] >= 2 and flat["mlflow.experiment"] == "tumorclf"
    assert "candidates.naive_bayes.model" in flat


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("cv.fold=3", r"unknown key 'fold' in cv; did you mean cv\.folds\?"),
        ("nonsense=1", r"unknown key 'nonsense' in the top level"),
        ("cv.folds=many", r"expected a number like \d+, got str"),
        ("cv.folds=1", r"cv\.folds\): must be an integer >= 2, got 1"),
        ("synthetic.balance=skewed", r"synthetic\.balance\): must be one of uniform, clinical"),
        ("selection.metric=accuracy", r"selection\.metric\): must be one of log_loss"),
        ("candidates.naive_bayes.model=svm", r"unknown model 'svm'"),
        ("cv.folds", r"expected key=value"),
        (
            "selection.reading=as_typed",
            r"selection\.reading\): must be one of as_entered, as_published",
        ),
        (
            "fill_in.missingness=sometimes",
            r"fill_in\.missingness\): must be one of as_published, as_entered, none",
        ),
        ("fill_in.real_rows=true", r"published rows teach how papers report"),
        (
            "prior_update.grid.dependence=[level_by_sex]",
            r"must be a non-empty list of none, enhancement_by_cyst, compartment_by_region",
        ),
        (
            "prior_update.grid.styles=[3]",
            r"prior_update\.grid\.styles\): must be a non-empty list of numbers in \[1, 3\)",
        ),
    ],
)
def test_bad_overrides_are_refused(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(overrides=[override])


def test_the_large_sweep_config_loads_and_keeps_the_real_case_champion_in_the_running():
    from tumorclf.paths import project_file
    from tumorclf.training.candidates import check_candidate

    config = load_config(project_file("configs/large_sweep.yaml"))
    assert config["parallel"]["backend"] == "dask" and config["synthetic"]["n"] == 1_000_000
    assert "updated_priors" in config["candidates"]
    for name, spec in config["candidates"].items():
        assert check_candidate(name, spec) == [], name


def test_overrides_reach_open_mappings():
    config = load_config(
        overrides=["candidates.random_forest.grid.max_depth=[3, 6]", "synthetic.n=500"]
    )
    assert config["candidates"]["random_forest"]["grid"]["max_depth"] == [3, 6]
    assert config["synthetic"]["n"] == 500


def test_a_config_file_may_bring_its_own_candidates(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "cv: {folds: 4}\ncandidates:\n  only_nb:\n    model: categorical_naive_bayes\n"
        "    encoding: categories\n    calibration: none\n    params: {}\n"
        "    grid: {alpha: [1.0]}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert list(config["candidates"]) == ["only_nb"] and config["cv"]["folds"] == 4


def test_a_config_file_with_an_unknown_key_is_refused(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("cv: {fold: 4}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="did you mean cv.folds"):
        load_config(path)


def test_bad_hyperparameters_are_found_without_fitting():
    from tumorclf.training.run import check_before_work

    config = load_config(overrides=["candidates.logistic_regression.params.max_iter=-5"])
    with pytest.raises(ConfigError, match="'max_iter' parameter of LogisticRegression"):
        check_before_work(config)
    config = load_config(overrides=["candidates.random_forest.grid.depth=[2]"])
    with pytest.raises(ConfigError, match="random_forest has no parameter depth"):
        check_before_work(config)


def test_a_config_file_typo_names_its_line(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("seed: 3\ncv:\n  folds: 3\n  fold: 4\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"typo\.yaml, line 4 \(cv\.fold\): unknown key 'fold'"):
        load_config(path)
