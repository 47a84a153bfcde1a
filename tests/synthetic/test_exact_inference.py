"""The posterior equals a well-kept library's exact inference (pgmpy's variable elimination).

The model updated by the real cases is written out as a discrete Bayesian
network: class -> age, level and every root field; class and parent ->
child. Each node's states are its values and "not reported" last. Variable
elimination then answers two questions the generator answers in closed form:

* every node observed ("not reported" included): ``unreported="evidence"``;
* only the reported nodes observed, the rest summed out: ``unreported="marginalised"``.
"""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.schema import CODE_COLUMN, LEVELS
from tumorclf.synthetic import load_generator
from tumorclf.synthetic.priors import PARENTS, TABLE_FIELDS
from tumorclf.synthetic.report_model import AGE_UNREPORTED, LEVEL_UNREPORTED, outcome_codes

pgmpy = pytest.importorskip("pgmpy")

SETTINGS = {"strength": 8.0, "missing_strength": 10.0, "floor": 0.01}


@pytest.fixture(scope="module")
def updated():
    return load_generator(real_cases="default", settings=SETTINGS)


@pytest.fixture(scope="module")
def network(updated):
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination
    from pgmpy.models import DiscreteBayesianNetwork

    model, n_classes = updated.model, len(updated.classes_)
    edges = [("class", "age"), ("class", "level")] + [("class", f) for f in TABLE_FIELDS]
    edges += [(parent, child) for child, parent in PARENTS.items()]
    net = DiscreteBayesianNetwork(edges)
    cpds = [TabularCPD("class", n_classes, np.full((n_classes, 1), 1 / n_classes))]
    for name, table in (("age", model.age), ("level", model.level)):
        cpds.append(TabularCPD(name, table.shape[1], table.T, evidence=["class"], evidence_card=[n_classes]))
    for name in TABLE_FIELDS:
        table = model.fields[name]
        if name in PARENTS:  # (C, Kp + 1, K + 1): columns run over (class, parent), parent fastest
            values = table.transpose(2, 0, 1).reshape(table.shape[2], -1)
            cpds.append(TabularCPD(name, table.shape[2], values, evidence=["class", PARENTS[name]],
                                   evidence_card=[n_classes, table.shape[1]]))
        else:
            cpds.append(TabularCPD(name, table.shape[1], table.T, evidence=["class"], evidence_card=[n_classes]))
    net.add_cpds(*cpds)
    assert net.check_model()
    return VariableElimination(net)


def _states(updated, arrays, i):
    """Each node's observed state for case ``i``, and whether the case reports it."""
    age = arrays.age[i]
    top, bottom = arrays.codes[i, CODE_COLUMN["level_top"]], arrays.codes[i, CODE_COLUMN["level_bottom"]]
    states = {
        "age": (AGE_UNREPORTED if np.isnan(age) else int(age), not np.isnan(age)),
        "level": (LEVEL_UNREPORTED if top < 0 else int(top) * len(LEVELS) + int(bottom), top >= 0),
    }
    for name in TABLE_FIELDS:
        code = arrays.codes[i, CODE_COLUMN[name]]
        k = updated.model.fields[name].shape[-1] - 1
        states[name] = (int(outcome_codes(np.array([code]), k)[0]), code >= 0)
    return states


@pytest.fixture(scope="module")
def cases(updated, seed_case_arrays):
    sample = updated.sample_arrays(40, balance="uniform", random_state=3)
    return sample, seed_case_arrays


@pytest.fixture(scope="module")
def seed_case_arrays():
    from tumorclf.schema import to_arrays

    from ..conftest import SEED_CASE

    return to_arrays(SEED_CASE)


@pytest.mark.parametrize("unreported", ["evidence", "marginalised"])
def test_posterior_equals_variable_elimination(updated, network, cases, unreported):
    checked = 0
    for arrays in cases:
        ours = updated.posterior_array(arrays, "uniform", unreported=unreported)
        for i in range(len(arrays)):
            top, bottom = (arrays.codes[i, CODE_COLUMN[f]] for f in ("level_top", "level_bottom"))
            if (top < 0) != (bottom < 0):
                continue  # one end of a level alone is not a state of the network
            evidence = {name: state for name, (state, reported) in _states(updated, arrays, i).items()
                        if unreported == "evidence" or reported}
            exact = network.query(["class"], evidence=evidence, show_progress=False).values
            np.testing.assert_allclose(ours[i], exact, rtol=0, atol=1e-9)
            checked += 1
    assert checked >= 35
