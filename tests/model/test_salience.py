"""The salience mixture: with no selected share it is the model; a share of papers selected for
one finding is recovered, with that finding's weight the largest."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.model.inference import log_likelihood
from tumorclf.model.literature import findings_from_priors, reporting_from_priors
from tumorclf.model.salience import (
    Salience,
    component_log_likelihoods,
    fit_salience,
    mixture_log_likelihood,
)
from tumorclf.model.selection import tilted_rows
from tumorclf.synthetic import CaseGenerator


def test_no_selected_share_is_the_model_itself(generator):
    findings = findings_from_priors(generator.priors)
    reporting = reporting_from_priors(generator.priors)
    cases = generator.sample_arrays(60, balance="uniform", random_state=3)
    c = findings.classes.index("meningioma")
    parts = component_log_likelihoods(findings, reporting, cases, c, flatten=0.6)
    assert parts.shape == (60, 1 + len(findings.table_names))
    weights = np.full(len(findings.table_names), 1 / len(findings.table_names))
    np.testing.assert_allclose(
        mixture_log_likelihood(parts, 0.0, weights),
        log_likelihood(findings, cases, "as_published", reporting)[:, c],
        rtol=1e-10,
    )
    none = Salience(np.zeros(len(findings.classes)), dict.fromkeys(findings.table_names, 0.5), 0.6)
    same = none.marginal_model(findings)
    for name in findings.fields:
        np.testing.assert_allclose(same.fields[name], findings.fields[name], atol=1e-12)


@pytest.mark.parametrize("share", [0.3, 0.6])
def test_a_share_selected_for_the_compartment_is_recovered(generator, share):
    findings = findings_from_priors(generator.priors)
    reporting = reporting_from_priors(generator.priors)
    c = findings.classes.index("schwannoma")
    selected = findings.with_table(
        "compartment", tilted_rows(findings.fields["compartment"], 1.0 - 0.9)
    )
    n = 1500
    balance = {k: float(k == "schwannoma") for k in findings.classes}
    plain = CaseGenerator(generator.priors, findings, reporting).sample_arrays(
        n - int(share * n), balance=balance, random_state=5
    )
    chosen = CaseGenerator(generator.priors, selected, reporting).sample_arrays(
        int(share * n), balance=balance, random_state=6
    )
    cases = type(plain)(
        age=np.concatenate([plain.age, chosen.age]),
        codes=np.concatenate([plain.codes, chosen.codes]),
    )
    labels = np.full(n, c)
    fitted = np.arange(len(findings.classes)) == c
    fit, _ = fit_salience(findings, reporting, cases, labels, fitted, flattenings=(0.9,))
    assert abs(fit.shares[c] - share) < 0.15, fit.shares[c]
    assert max(fit.weights, key=fit.weights.get) == "compartment"
    assert fit.shares[np.arange(len(findings.classes)) != c].max() == 0.0
