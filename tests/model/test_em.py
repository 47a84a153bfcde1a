"""The two models are identified jointly: recovered from rows drawn from a known pair.

Cases are drawn complete from a known finding model (the literature's), then
masked by a known reporting model of two styles: "case reports" that state a
finding mostly when it is remarkable (a tail when present, calcification
when present) and "tables" that state nearly everything. EM starts from flat
finding tables (worth one pseudo-case a row, so the literature cannot lend
the answer) and must find both models again from the masked rows alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.model.em import _Cases, _e_step, starting_reporting, update_models
from tumorclf.model.inference import log_likelihood
from tumorclf.model.literature import findings_from_priors, reporting_from_priors
from tumorclf.model.structure import (
    PARENTS,
    TABLE_FIELDS,
    FindingModel,
    ReportingModel,
    parse_dependence,
)
from tumorclf.schema import BOOLEAN_FIELDS
from tumorclf.synthetic import CaseGenerator

#: A fifth of the stated enhancement and calcification is drawn without its pattern ("present",
#: :data:`~tumorclf.synthetic.generator.COARSE_SHARE`): EM must read those rows too, and the draws
#: say less of the patterns than complete statements would, hence 4000 cases.
N_CASES = 4000
#: Tolerances of the recovery, stated up front: absolute errors of p(value | class) (of p(parent,
#: child | class) for a child, so that a parent value a class almost never has does not count), of a
#: reporting rate wherever a style sees the value at least MIN_PRESENT times (so that 0.1 is four
#: binomial standard errors at worst), and of the style weights.
FINDING_MEAN_ERROR, FINDING_WORST_ERROR = 0.02, 0.12
RATE_WORST_ERROR, MIN_PRESENT, WEIGHT_ERROR = 0.1, 400, 0.04


def _known_reporting(generator: CaseGenerator) -> ReportingModel:
    """Case reports state a remarkable value far more often than an unremarkable one; tables state
    nearly all."""
    fields = {}
    for name in TABLE_FIELDS:
        k = generator.findings.fields[name].shape[-1]
        if name in BOOLEAN_FIELDS:
            case_report = np.array([0.15, 0.8])  # false, true
        else:
            case_report = np.linspace(0.2, 0.85, k)
            if name == "calcification":  # none, punctate, massive, rings_arcs
                case_report = np.array([0.1, 0.8, 0.85, 0.9])
        fields[name] = np.stack([case_report, np.full(k, 0.95)])
    return ReportingModel(
        styles=("case_report", "tabulated"),
        weights=np.array([0.75, 0.25]),
        age=np.array([0.9, 0.97]),
        level=np.array([0.7, 0.95]),
        fields=fields,
    )


@pytest.fixture(scope="module")
def known(generator):
    truth = CaseGenerator(generator.priors, generator.findings, _known_reporting(generator))
    sample = truth.sample_arrays(N_CASES, balance="uniform", random_state=7)
    labels = np.array([generator.classes_.index(v) for v in sample.labels])
    return truth, sample, labels


def _flat(findings: FindingModel) -> FindingModel:
    def flat(table: np.ndarray) -> np.ndarray:
        support = (table > 0).astype(float)
        return np.divide(
            support,
            support.sum(axis=-1, keepdims=True),
            out=np.zeros_like(support),
            where=support.sum(axis=-1, keepdims=True) > 0,
        )

    return FindingModel(
        findings.classes,
        flat(findings.age),
        flat(findings.level),
        {name: flat(table) for name, table in findings.fields.items()},
    )


@pytest.fixture(scope="module")
def recovered(generator, known):
    _, sample, labels = known
    return update_models(
        _flat(generator.findings),
        reporting_from_priors(generator.priors),
        sample,
        labels,
        strength=1.0,
        reporting_strength=1.0,
        styles=2,
        floor=0.0,
        tol=1e-5,
        max_iter=400,
    )


def test_em_converges_and_never_lowers_the_likelihood(recovered):
    _, _, trace = recovered
    assert trace.converged
    steps = np.diff(trace.log_likelihood)
    assert (steps > -1e-6 * np.abs(trace.log_likelihood[1:])).all()


def _joint(findings: FindingModel, name: str) -> np.ndarray:
    table = findings.fields[name]
    return findings.fields[PARENTS[name]][..., None] * table if name in PARENTS else table


def test_the_finding_model_is_recovered(generator, recovered):
    findings, _, _ = recovered
    errors = {
        name: np.abs(_joint(findings, name) - _joint(generator.findings, name))
        for name in TABLE_FIELDS
    }
    mean = np.mean(np.concatenate([e.ravel() for e in errors.values()]))
    worst = {name: float(e.max()) for name, e in errors.items()}
    assert mean < FINDING_MEAN_ERROR, mean
    assert max(worst.values()) < FINDING_WORST_ERROR, worst


def test_the_reporting_model_is_recovered(known, recovered):
    truth, _, _ = known
    _, reporting, _ = recovered
    assert reporting.styles == ("case_report", "tabulated")
    assert np.abs(reporting.weights - truth.reporting.weights).max() < WEIGHT_ERROR
    checked = 0
    for name in TABLE_FIELDS:
        joint = _joint(truth.findings, name)
        share = (
            joint.reshape(joint.shape[0], -1, joint.shape[-1]).sum(axis=1).mean(axis=0)
        )  # p(value), uniform classes
        seen = N_CASES * truth.reporting.weights[:, None] * share[None, :] >= MIN_PRESENT
        error = np.abs(reporting.fields[name] - truth.reporting.fields[name])[seen]
        assert (error < RATE_WORST_ERROR).all(), (name, error.round(3))
        checked += seen.sum()
    assert checked >= 25
    assert np.abs(reporting.age - truth.reporting.age).max() < RATE_WORST_ERROR


def test_counting_stated_values_alone_would_not_recover_it(generator, known):
    """The check has teeth: under this reporting the stated values' shares are far from the
    truth."""
    _, sample, labels = known
    worst = 0.0
    for name in ("cystic_change", "flow_voids", "bone_erosion", "calcification", "t2_signal"):
        column = sample.column(name)
        for c in range(len(generator.classes_)):
            k = generator.findings.fields[name].shape[-1]
            stated = column[(labels == c) & (column >= 0) & (column < k)]  # values, not "present"
            naive = np.bincount(stated, minlength=k) / len(stated)
            worst = max(worst, float(np.abs(naive - generator.findings.fields[name][c]).max()))
    assert worst > 2 * FINDING_WORST_ERROR


def test_a_dependence_on_the_level_region_is_recovered(generator):
    """The compartment given the level's region, learnt through rows whose level is often silent.

    The truth gives each class and region its own compartment row; EM starts from the literature's
    row repeated in every region (worth one pseudo-case) and must find the regions apart again,
    summing the region out where a row does not state its level.
    """
    literature = findings_from_priors(generator.priors, ("compartment_by_region",))
    rng = np.random.default_rng(11)
    truth_table = rng.dirichlet(
        np.full(literature.fields["compartment"].shape[-1], 0.7),
        size=literature.fields["compartment"].shape[:2],
    )
    fields = {**literature.fields, "compartment": truth_table}
    truth_findings = FindingModel(
        literature.classes,
        literature.age,
        literature.level,
        fields,
        literature.parents,
        literature.by_region,
    )
    truth = CaseGenerator(generator.priors, truth_findings, _known_reporting(generator))
    sample = truth.sample_arrays(N_CASES, balance="uniform", random_state=8)
    labels = np.array([generator.classes_.index(v) for v in sample.labels])
    assert (sample.column("level_top") < 0).mean() > 0.1  # silent levels are part of the test
    findings, _, trace = update_models(
        literature,
        reporting_from_priors(generator.priors),
        sample,
        labels,
        strength=1.0,
        reporting_strength=1.0,
        styles=2,
        tol=1e-5,
        max_iter=400,
    )
    assert trace.converged
    region = truth_findings.region_given_bottom().sum(axis=-1)  # p(region | class)
    joint_error = (
        np.abs(findings.fields["compartment"] - truth_table) * region[..., None]
    )  # over p(region, value | c)
    assert joint_error.max() < 0.05, joint_error.max()
    # teeth: the literature's region-free row is far from the truth
    assert (np.abs(literature.fields["compartment"] - truth_table) * region[..., None]).max() > 0.1


@pytest.mark.parametrize("setting", ["none", "erosion_by_compartment+compartment_by_region"])
def test_the_fit_scores_each_case_in_its_own_class_as_inference_does(generator, setting):
    """EM's E-step scores each case under its own class only: its log likelihood must equal the sum,
    over the cases, of inference's log p(case | class) in the case's own column (read as
    published)."""
    findings = findings_from_priors(generator.priors, parse_dependence(setting))
    cases = generator.sample_arrays(200, balance="uniform", random_state=2)
    labels = np.array([generator.classes_.index(v) for v in cases.labels])
    reporting = starting_reporting(generator.reporting, 2)
    _, _, fitted = _e_step(findings, reporting, _Cases(findings, cases, labels))
    full = log_likelihood(findings, cases, "as_published", reporting)
    np.testing.assert_allclose(fitted, full[np.arange(len(labels)), labels].sum(), rtol=1e-12)
