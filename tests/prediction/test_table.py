"""A batch as a table: every column from one scoring, equal to what the single-purpose calls give;
the differential and set columns the same text a per-row ranking gives, built with array
operations."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.prediction.wording import differential_column

CLASSES = ["mcs", "schwannoma", "meningioma", "neurofibroma"]


def per_row(row, threshold=0.01, min_classes=3):
    # stable: ties keep column order
    ranked = sorted(zip(CLASSES, row, strict=True), key=lambda item: -item[1])
    kept = [(c, p) for k, (c, p) in enumerate(ranked) if k < min_classes or p >= threshold]
    return "; ".join(f"{c} {p:.3f}" for c, p in kept)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_it_equals_the_per_row_ranking(seed):
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.full(len(CLASSES), 0.2), size=2000)
    proba[:10] = [0.25, 0.25, 0.25, 0.25]  # ties
    proba[10:20] = [0.999, 0.0005, 0.0004, 0.0001]  # below the threshold: still three classes
    column = differential_column(proba, CLASSES)
    assert list(column) == [per_row(row) for row in proba]


def test_threshold_and_minimum_are_respected():
    column = differential_column(
        np.array([[0.5, 0.3, 0.15, 0.05]]), CLASSES, threshold=0.2, min_classes=1
    )
    assert column[0] == "mcs 0.500; schwannoma 0.300"


def test_a_sets_names_are_the_kept_classes_most_probable_first():
    from tumorclf.prediction.wording import names_in_order

    rng = np.random.default_rng(3)
    proba = rng.dirichlet(np.full(len(CLASSES), 0.5), size=500)
    kept = rng.random(proba.shape) < 0.5
    expected = [
        "; ".join(
            c
            for c, _, k in sorted(zip(CLASSES, row, keep, strict=True), key=lambda item: -item[1])
            if k
        )
        for row, keep in zip(proba, kept, strict=True)
    ]
    assert list(names_in_order(proba, kept, CLASSES)) == expected


@pytest.fixture(scope="module")
def classifier(generator):
    """A model with calibrated sets and alert (calibrated here on synthetic cases)."""
    from ..conftest import calibrated_classifier

    return calibrated_classifier(generator, n=1500, n_calibration=600)


@pytest.mark.parametrize("prior", ["training", "clinical"])
def test_the_table_scored_once_says_what_each_call_says_alone(classifier, generator, prior):
    from tumorclf.prediction.table import prediction_table

    cases = generator.sample(300, random_state=8).drop(columns=["diagnosis", "source"])
    table = prediction_table(classifier, cases, prior, coverage=0.8)
    proba = classifier.predict_proba(cases, prior=prior)
    np.testing.assert_allclose(
        table[[f"p_{c}" for c in classifier.classes_]].to_numpy(), proba.to_numpy(), atol=0
    )
    assert list(table["diagnosis"]) == list(proba.idxmax(axis=1))
    assert list(table["differential_set"]) == [
        "; ".join(kept) for kept in classifier.predict_set(cases, 0.8)
    ]
    assert list(table["mcs_alert"]) == list(classifier.mcs_alerts(cases, prior))
    assert table["mcs_alert"].any() and not table["mcs_alert"].all()


def test_predictions_written_block_by_block_equal_the_whole_table(classifier, generator, tmp_path):
    import pandas as pd

    from tumorclf.case_io import read_cases_csv, write_cases_csv
    from tumorclf.prediction.table import prediction_table, write_prediction_csv

    cases = generator.sample(23, random_state=2).drop(columns=["diagnosis", "source"])
    cases.insert(0, "id", [f"c{i}" for i in range(23)])
    source, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    write_cases_csv(cases, source)
    assert write_prediction_csv(classifier, source, out, "training", chunk_rows=5) == 23
    whole = prediction_table(classifier, read_cases_csv(source), "training")
    pd.testing.assert_frame_equal(
        pd.read_csv(out),
        pd.read_csv(__import__("io").StringIO(whole.to_csv(index=False, float_format="%.6f"))),
    )


def test_problems_in_any_block_are_all_named_by_line_and_nothing_is_written(classifier, tmp_path):
    from tumorclf.prediction.table import write_prediction_csv
    from tumorclf.schema import CaseValidationError

    lines = ["id,age,level"] + [f"r{i},{240 if i in (1, 7) else 30},T4" for i in range(9)]
    source, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CaseValidationError) as caught:
        write_prediction_csv(classifier, source, out, "training", chunk_rows=3)
    assert [p.row for p in caught.value.problems] == [3, 9]  # file lines, across blocks
    assert "line 3, field 'age'" in str(caught.value) and "line 9, field 'age'" in str(caught.value)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv"]


def test_probabilities_are_written_as_python_formats_them():
    from tumorclf.prediction.table import probability_text

    rng = np.random.default_rng(9)
    values = np.concatenate(
        [
            rng.random(20000),
            [0.0, 1.0, 0.5, 0.0000005, 0.1234565, 0.9999995, 1e-300],
            np.arange(1000) / 1000 + 0.0005,
        ]
    )  # ends and halfway cases
    assert list(probability_text(values)) == [f"{v:.6f}" for v in values]
