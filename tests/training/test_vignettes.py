"""The vignettes: complete, cited cases of every class; and the figures computed on them."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.paths import project_file
from tumorclf.schema import FIELDS
from tumorclf.training.metrics import vignette_metrics
from tumorclf.training.vignettes import load_vignettes, uniform_shift


@pytest.fixture(scope="module")
def vignettes(generator):
    return load_vignettes(project_file("data/vignettes.csv"), generator.classes_)


def test_every_class_has_at_least_eight_fully_reported_vignettes(generator, vignettes):
    frame, meta = vignettes
    counts = frame["diagnosis"].value_counts()
    assert set(counts.index) == set(generator.classes_) and counts.min() >= 8
    stated = frame[list(FIELDS)].notna()
    calcified = frame["calcification"].astype(str) != "none"
    assert stated.drop(columns="calcification_site").all().all()  # every field stated
    assert (
        stated["calcification_site"].eq(calcified).all()
    )  # a site exactly where there is calcification
    assert set(meta["variant"]) == {"typical", "less_typical"}
    assert meta["id"].tolist() == frame["id"].tolist()


def test_every_vignette_cites_its_sources_and_the_references_exist():
    from tumorclf.case_io import read_cases_csv

    raw = read_cases_csv(project_file("data/vignettes.csv"))
    assert (raw["source"].str.len() > 10).all() and (raw["remarks"].str.len() > 10).all()
    for name in raw["diagnosis"].unique():
        assert project_file(f"data/vignettes_references/{name}.md").stat().st_size > 1000


def test_vignette_figures_are_ranks():
    classes = ["mcs", "meningioma", "schwannoma", "neurofibroma"]
    proba = np.array(
        [
            [0.6, 0.2, 0.1, 0.1],  # mcs, MCS first
            [0.2, 0.5, 0.2, 0.1],  # mcs, MCS second (tie with schwannoma broken by column order)
            [0.05, 0.9, 0.03, 0.02],  # meningioma, MCS in its top three
            [0.01, 0.02, 0.9, 0.07],  # schwannoma, MCS last
        ]
    )
    y = np.array([0, 0, 1, 2])
    figures = vignette_metrics(y, proba, classes)
    assert figures["top1_acc"] == pytest.approx(0.75)
    assert figures["top3_acc"] == pytest.approx(1.0)
    assert figures["mcs_first"] == pytest.approx(0.5)
    assert figures["mcs_worst_rank"] == 2 and figures["mcs_mean_rank"] == pytest.approx(1.5)
    assert figures["mcs_top3_false_alarm"] == pytest.approx(0.5)


def test_a_training_balance_is_shifted_to_uniform():
    proba = np.array([[0.5, 0.5]])
    shifted = uniform_shift(proba, {"a": 0.8, "b": 0.2}, ["a", "b"])
    assert shifted == pytest.approx(np.array([[0.2, 0.8]]))
    assert uniform_shift(proba, None, ["a", "b"]) is proba
