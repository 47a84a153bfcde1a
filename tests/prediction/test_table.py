"""The differential column: the same text a per-row ranking gives, built with array operations."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.prediction.wording import differential_column

CLASSES = ["mcs", "schwannoma", "meningioma", "neurofibroma"]


def per_row(row, threshold=0.01, min_classes=3):
    ranked = sorted(zip(CLASSES, row), key=lambda item: -item[1])  # stable: ties keep column order
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
    column = differential_column(np.array([[0.5, 0.3, 0.15, 0.05]]), CLASSES, threshold=0.2, min_classes=1)
    assert column[0] == "mcs 0.500; schwannoma 0.300"


@pytest.fixture(scope="module")
def classifier(generator):
    from tumorclf.prediction import Classifier

    from ..conftest import fit_candidate

    model, manifest = fit_candidate(generator, n=1500)
    return Classifier(model, manifest)


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
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(__import__("io").StringIO(
        whole.to_csv(index=False, float_format="%.6f"))))


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
