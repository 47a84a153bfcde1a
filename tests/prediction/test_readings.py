"""A user's case is read as entered: stating a finding moves the differential by p(value | class)
alone.

The regression that made the two models necessary: a textbook myxopapillary
ependymoma, fully reported, ranked MCS first because MCS papers state "no
dural tail" and "no calcification" and the old model counted the stating.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from tumorclf.features import CaseEncoder
from tumorclf.prediction import Classifier
from tumorclf.schema import SCHEMA_VERSION

EPENDYMOMA_REPORT = (
    "34-year-old man with low back pain. MRI lumbar spine: a 2.8 cm well-circumscribed intradural "
    "extramedullary mass at the L2 level, arising from the filum terminale, T2 hyperintense "
    "relative to the cord with a hypointense rim (hemosiderin cap), avid heterogeneous "
    "enhancement. No dural tail. No calcification on CT."
)


@pytest.fixture(scope="module")
def real():
    from tumorclf.case_io import read_cases_csv
    from tumorclf.paths import default_real_cases_path
    from tumorclf.schema import validate

    return validate(read_cases_csv(default_real_cases_path())).reset_index(drop=True)


@pytest.fixture(scope="module", params=[1, 2], ids=["one style", "two styles"])
def updated(request, generator, real):
    """The updated priors as a champion would be: fitted on every real case, in a Classifier."""
    from tumorclf.model.estimator import UpdatedPriorsClassifier

    y = real["diagnosis"].astype(str).to_numpy(dtype=object)
    pipeline = Pipeline(
        [
            ("encode", CaseEncoder("codes")),
            (
                "model",
                UpdatedPriorsClassifier(
                    generator.priors, strength=16.0, styles=request.param, floor=0.01
                ),
            ),
        ]
    )
    pipeline.fit(real.drop(columns=["diagnosis"]), y)
    manifest = {
        "candidate": "updated_priors",
        "display_order": list(generator.classes_),
        "schema_version": SCHEMA_VERSION,
        "training_prior": {c: 1 / len(generator.classes_) for c in generator.classes_},
        "clinical_prior": dict(
            zip(generator.classes_, map(float, generator.clinical_prior_), strict=True)
        ),
        "readings": ["as_entered", "as_published"],
    }
    return Classifier(pipeline, manifest)


def test_a_fully_reported_ependymoma_is_an_ependymoma(updated):
    prediction = updated.predict_report(EPENDYMOMA_REPORT, prior="uniform")
    assert prediction.reading == "as_entered"
    assert prediction.diagnosis == "myxopapillary_ependymoma"
    assert "mcs" not in [name for name, _ in prediction.differential[:3]]


def test_no_finding_is_toward_mcs_merely_for_being_stated(updated):
    prediction = updated.predict_report(EPENDYMOMA_REPORT, prior="uniform")
    assert not [
        line
        for line in prediction.explanation
        if line.startswith("no ") and line.endswith("toward MCS")
    ]
    # The direction of "no dural tail" for MCS is that of its likelihood ratio against the other
    # classes, weighed by their posterior without it: the finding's own evidence, whoever states it.
    case = dict(prediction.extraction.case)
    del case["dural_tail"]
    without = updated.predict_proba(case, prior="uniform").iloc[0]
    findings = updated.model[-1].findings_
    no_tail = (findings.fields["dural_attachment"] * findings.fields["dural_tail"][:, :, 0]).sum(
        axis=1
    )
    p_no_tail = dict(zip(findings.classes, no_tail, strict=True))
    others = [c for c in updated.classes_ if c != "mcs"]
    weights = without[others] / without[others].sum()
    expected = np.log(p_no_tail["mcs"]) - np.log(sum(weights[c] * p_no_tail[c] for c in others))
    with_it = prediction.probabilities["mcs"]
    effect = np.log(with_it / (1 - with_it)) - np.log(without["mcs"] / (1 - without["mcs"]))
    assert np.sign(effect) == np.sign(expected)
    assert effect == pytest.approx(
        expected, rel=1e-9
    )  # as entered, the log-odds move is exactly the ratio


def test_stating_a_finding_moves_the_posterior_by_its_likelihood_alone(updated):
    case = {"age": 40, "level": "T6", "compartment": "intradural_extramedullary"}
    before = updated.predict_proba(case, prior="uniform").to_numpy()[0]
    after = updated.predict_proba({**case, "cystic_change": False}, prior="uniform").to_numpy()[0]
    findings = updated.model[-1].findings_
    order = [list(findings.classes).index(c) for c in updated.classes_]
    likelihood = findings.fields["cystic_change"][order, 0]
    expected = before * likelihood
    assert after == pytest.approx(expected / expected.sum(), abs=1e-12)


def test_read_as_published_a_silence_is_evidence_and_the_output_says_so(updated):
    case = {"age": 40, "level": "T6", "compartment": "intradural_extramedullary"}
    entered = updated.predict_proba(case, prior="uniform")
    published = updated.predict_proba(case, prior="uniform", reading="as_published")
    assert entered.attrs["reading"] == "as_entered" and published.attrs["reading"] == "as_published"
    assert not np.allclose(entered.to_numpy(), published.to_numpy())
    prediction = updated.predict_case(case, prior="uniform", reading="as_published")
    assert prediction.reading == "as_published" and "read as published" in str(prediction)


def test_a_model_with_one_reading_refuses_the_other_by_name(generator):
    from ..conftest import fit_candidate

    model, manifest = fit_candidate(generator, "naive_bayes", n=1500)
    classifier = Classifier(model, manifest)
    assert classifier.readings_ == ("as_entered",)
    assert classifier.predict_case({"age": 30}).reading == "as_entered"
    with pytest.raises(ValueError, match="reads cases only as_entered"):
        classifier.predict_proba({"age": 30}, reading="as_published")
    with pytest.raises(ValueError, match="reading must be one of"):
        classifier.predict_proba({"age": 30}, reading="as_typed")


def test_concurrent_callers_in_both_readings_each_get_their_own_answer(updated, real):
    """A per-call reading never changes the shared loaded model: threads asking in both readings at
    once get what each reading gives alone, and the model's own reading parameter is left as it
    was."""
    from concurrent.futures import ThreadPoolExecutor

    cases = [real.drop(columns=["diagnosis"]).iloc[[i]] for i in range(0, 120, 3)]
    alone = {
        reading: [updated.predict_proba_array(case, reading=reading) for case in cases]
        for reading in ("as_entered", "as_published")
    }
    assert not np.allclose(np.vstack(alone["as_entered"]), np.vstack(alone["as_published"]))
    asks = [
        (reading, k) for k in range(len(cases)) for reading in ("as_published", "as_entered")
    ] * 3
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda ask: updated.predict_proba_array(cases[ask[1]], reading=ask[0]), asks)
        )
    for (reading, k), answer in zip(asks, answers, strict=True):
        np.testing.assert_array_equal(answer, alone[reading][k])
    assert updated.model.get_params()["model__reading"] == "as_entered"
