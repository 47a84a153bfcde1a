"""Publication selection: the tilt flattens a class's tables by one number, and the tilts are
recovered from published rows drawn from a known truth whose reporting also favours the rare."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.model.em import update_models
from tumorclf.model.literature import findings_from_priors, reporting_from_priors
from tumorclf.model.selection import fit_tilts, tilt
from tumorclf.model.structure import TABLE_FIELDS, ReportingModel
from tumorclf.schema import BOOLEAN_FIELDS
from tumorclf.synthetic import CaseGenerator


def _entropy(rows: np.ndarray) -> np.ndarray:
    return -(np.where(rows > 0, rows * np.log(np.clip(rows, 1e-300, None)), 0.0)).sum(axis=-1)


def test_no_tilt_is_the_model_and_a_tilt_flattens_every_table(generator):
    findings = generator.findings
    same = tilt(findings, np.zeros(len(findings.classes)))
    for name in TABLE_FIELDS:
        np.testing.assert_allclose(same.fields[name], findings.fields[name], atol=1e-12)
    flat = tilt(findings, np.full(len(findings.classes), 0.6))
    for name in ("compartment", "dural_tail", "syndrome"):
        assert (_entropy(flat.fields[name]) >= _entropy(findings.fields[name]) - 1e-12).all()
    assert (_entropy(flat.level) > _entropy(findings.level)).all()
    zeros = findings.fields["calcification_site"] == 0
    assert (flat.fields["calcification_site"][zeros] == 0).all()  # what cannot be stays so


def _remarkable_reporting(findings) -> ReportingModel:
    """Papers state a value more often the rarer it is in its class's published tables."""
    fields = {}
    for name in TABLE_FIELDS:
        k = findings.fields[name].shape[-1]
        rates = np.linspace(0.35, 0.85, k) if name not in BOOLEAN_FIELDS else np.array([0.3, 0.8])
        fields[name] = rates[None]
    return ReportingModel(
        styles=("case_report",), weights=np.array([1.0]), age=np.array([0.95]),
        level=np.array([0.9]), fields=fields,
    )  # fmt: skip


@pytest.fixture(scope="module")
def drawn(generator):
    """Published rows of four classes drawn from a known selection (tilts 0.2 to 0.6)."""
    base = findings_from_priors(generator.priors)
    truth = np.zeros(len(base.classes))
    chosen = ["schwannoma", "meningioma", "hemangioblastoma", "myxopapillary_ependymoma"]
    for c, value in zip(chosen, (0.2, 0.6, 0.4, 0.5), strict=True):
        truth[base.classes.index(c)] = value
    published = tilt(base, truth)
    reporting = _remarkable_reporting(published)
    sample = CaseGenerator(generator.priors, published, reporting).sample_arrays(
        2400, balance={c: float(c in chosen) for c in base.classes}, random_state=11
    )
    labels = np.array([base.classes.index(v) for v in sample.labels])
    return base, truth, reporting, sample, labels, chosen


def test_known_tilts_are_recovered_with_the_reporting_model_fitted_beside_them(drawn, generator):
    base, truth, reporting, sample, labels, chosen = drawn
    fitted = np.isin(np.arange(len(base.classes)), [base.classes.index(c) for c in chosen])
    tilts = np.zeros(len(base.classes))
    fitted_reporting = None
    for _ in range(3):  # as the estimator alternates: the reporting EM, then the tilts
        _, fitted_reporting, _ = update_models(
            tilt(base, tilts), reporting_from_priors(generator.priors), sample, labels,
            strength=1.0, reporting_strength=2.0, fixed=np.ones(len(base.classes), dtype=bool),
        )  # fmt: skip
        tilts, _ = fit_tilts(base, fitted_reporting, sample, labels, fitted, per_field=False)
    for c in chosen:
        i = base.classes.index(c)
        assert abs(tilts[i] - truth[i]) < 0.12, (c, tilts[i], truth[i])
    rate = fitted_reporting.rate("dural_tail")[0]
    np.testing.assert_allclose(rate, reporting.rate("dural_tail")[0], atol=0.08)


def test_ignoring_the_reporting_would_misread_the_selection(drawn):
    """The check has teeth: with reporting taken as value-blind, rare stated values are put down to
    selection alone and the tilts come out further from the truth."""
    base, truth, reporting, sample, labels, chosen = drawn
    fitted = np.isin(np.arange(len(base.classes)), [base.classes.index(c) for c in chosen])
    blind = ReportingModel(
        styles=("case_report",), weights=np.array([1.0]), age=reporting.age, level=reporting.level,
        fields={n: np.full_like(r, r.mean()) for n, r in reporting.fields.items()},
    )  # fmt: skip
    wrong, _ = fit_tilts(base, blind, sample, labels, fitted, per_field=False)
    right, _ = fit_tilts(base, reporting, sample, labels, fitted, per_field=False)
    index = [base.classes.index(c) for c in chosen]
    assert np.abs(wrong[index] - truth[index]).sum() > np.abs(right[index] - truth[index]).sum()
