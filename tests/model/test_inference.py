"""The posterior equals a well-kept library's exact inference (pgmpy's variable elimination).

The finding and reporting models updated by the real cases are written out
as one discrete Bayesian network: class -> the true value of age, level and
every root field; class and the parent's true value -> a child's true value
(a calcification site gets a state "none" where there is no calcification);
class and the level -> a field learnt given the level's region (the compartment);
a publication style -> whether each field is stated ("said" nodes, one
state per value, one per coarse value such as "present", and "silent", given
the true value and the style: a value of a coarse form is written that way at
a fixed share, the same for each of its values, so the coarsening is at random).
Variable elimination then answers both readings the generator answers in
closed form:

* ``as_published``: the "said" nodes observed (silences included), every
  true value summed out where the case is silent;
* ``as_entered``: only the stated fields' true values observed, no reporting; a coarse
  statement ("present") as virtual evidence: the indicator of the values it stands for.
"""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.model.estimator import fit_to_real_cases
from tumorclf.model.structure import REGION_OF_LEVEL, TABLE_FIELDS, statements
from tumorclf.schema import CODE_COLUMN, CODE_VALUES, LEVELS
from tumorclf.synthetic import CaseGenerator

pgmpy = pytest.importorskip("pgmpy")

SETTINGS = {"strength": 8.0, "reporting_strength": 10.0, "styles": 2, "floor": 0.01}
#: Share of a coarse form's values written coarsely: any share gives the same class posterior.
COARSE_SHARE = 0.3


@pytest.fixture(
    scope="module",
    params=[("none", 0.0), ("erosion_by_compartment+compartment_by_region", 20.0)],
    ids=["shared reporting", "learnt dependences, class departures"],
)
def updated(request):
    """The updated model: the priors file's structure with reporting shared across classes; and
    learnt extra dependences (erosion given compartment, compartment given the level's region) with
    each class's reporting departing from the shared one."""
    dependence, class_reporting = request.param
    model = fit_to_real_cases(
        settings={**SETTINGS, "dependence": dependence, "class_reporting": class_reporting}
    )
    return CaseGenerator.from_model(model)


def _structural(table: np.ndarray) -> np.ndarray:
    """Parent rows under which a child cannot exist: (C, Kp)."""
    return table.sum(axis=-1) == 0


@pytest.fixture(scope="module")
def network(updated):
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination
    from pgmpy.models import DiscreteBayesianNetwork

    findings, reporting = updated.findings, updated.reporting
    parents = findings.parents
    n_classes, n_styles = len(updated.classes_), len(reporting.styles)
    edges = [
        ("class", "age"),
        ("class", "level"),
        ("age", "age_said"),
        ("style", "age_said"),
        ("level", "level_said"),
        ("style", "level_said"),
    ]
    for name in TABLE_FIELDS:
        edges += [
            ("class", name),
            (name, f"{name}_said"),
            ("style", f"{name}_said"),
            ("class", f"{name}_said"),
        ]
    edges += [(parent, child) for child, parent in parents.items()]
    edges += [("level", name) for name in findings.by_region]
    net = DiscreteBayesianNetwork(edges)
    cpds = [
        TabularCPD("class", n_classes, np.full((n_classes, 1), 1 / n_classes)),
        TabularCPD("style", n_styles, reporting.weights[:, None]),
    ]
    for name, table, rate in (
        ("age", findings.age, reporting.age),
        ("level", findings.level, reporting.level),
    ):
        k = table.shape[1]
        cpds.append(TabularCPD(name, k, table.T, evidence=["class"], evidence_card=[n_classes]))
        # said: state 0 stated, 1 silent, whatever the value (columns: value, then style fastest)
        said = np.stack([np.tile(rate, k), np.tile(1 - rate, k)])
        cpds.append(
            TabularCPD(
                f"{name}_said", 2, said, evidence=[name, "style"], evidence_card=[k, n_styles]
            )
        )
    states: dict[str, int] = {}
    for name in TABLE_FIELDS:
        table = findings.fields[name]
        k = table.shape[-1]
        if name in parents:  # (C, Kp, K), a "none" state added where the child cannot exist
            parent_k = findings.fields[parents[name]].shape[-1]
            extra = _structural(table).any()
            full = (
                np.concatenate([table, _structural(table)[..., None].astype(float)], axis=-1)
                if extra
                else table
            )
            states[name] = full.shape[-1]
            values = full.transpose(2, 0, 1).reshape(full.shape[-1], -1)
            cpds.append(
                TabularCPD(
                    name,
                    full.shape[-1],
                    values,
                    evidence=["class", parents[name]],
                    evidence_card=[n_classes, parent_k],
                )
            )
        elif (
            name in findings.by_region
        ):  # (C, R, K): given the class and the region of the level's top
            states[name] = k
            n_cells = findings.level.shape[1]
            by_cell = table[
                :, REGION_OF_LEVEL[np.arange(n_cells) // len(LEVELS)], :
            ]  # (C, cells, K)
            cpds.append(
                TabularCPD(
                    name,
                    k,
                    by_cell.transpose(2, 0, 1).reshape(k, -1),
                    evidence=["class", "level"],
                    evidence_card=[n_classes, n_cells],
                )
            )
        else:
            states[name] = k
            cpds.append(TabularCPD(name, k, table.T, evidence=["class"], evidence_card=[n_classes]))
        # said given (true value, style, class): columns value-major, then style, class fastest
        rate = reporting.rate(name)
        rate = (
            rate if rate.ndim == 3 else np.repeat(rate[:, None, :], n_classes, axis=1)
        )  # (Z, C, K)
        n_true, allowed = states[name], statements(name)  # (codes, K)
        silent = len(allowed)  # said states: each code (values, then coarse ones), then silent
        said = np.zeros((silent + 1, n_true, n_styles, n_classes))
        for v in range(n_true):
            if v < k:
                coarse = allowed[k:, v] > 0  # the coarse forms value v may be written in
                share = COARSE_SHARE if coarse.any() else 0.0
                said[v, v] = rate[:, :, v] * (1 - share)
                said[k + np.flatnonzero(coarse), v] = rate[:, :, v] * share
                said[silent, v] = 1 - rate[:, :, v]
            else:  # a child that does not exist is never stated
                said[silent, v] = 1.0
        cpds.append(
            TabularCPD(
                f"{name}_said",
                silent + 1,
                said.reshape(silent + 1, -1),
                evidence=[name, "style", "class"],
                evidence_card=[n_true, n_styles, n_classes],
            )
        )
    net.add_cpds(*cpds)
    assert net.check_model()
    if (
        updated.update_["dependence"] != "none"
    ):  # the dependences were learnt: erosion differs by compartment,
        erosion = findings.fields["bone_erosion"][..., 1]  # the compartment by region
        assert np.ptp(erosion, axis=1).max() > 0.05
        assert np.ptp(findings.fields["compartment"], axis=1).max() > 0.05
    if (
        updated.update_["class_reporting"] > 0
    ):  # and the classes' reporting departs from the shared one
        assert np.ptp(reporting.by_class["dural_tail"], axis=1).max() > 0.05
    return VariableElimination(net)


def _evidence(updated, arrays, i, reading):
    """The network's evidence for case ``i``, and its virtual evidence (the values a coarse
    statement read as entered allows)."""
    from pgmpy.factors.discrete import TabularCPD

    age = arrays.age[i]
    top, bottom = (
        arrays.codes[i, CODE_COLUMN["level_top"]],
        arrays.codes[i, CODE_COLUMN["level_bottom"]],
    )

    stated = {}
    if not np.isnan(age):
        stated["age"] = int(age)
    if top >= 0:
        stated["level"] = int(top) * len(LEVELS) + int(bottom)
    for name in TABLE_FIELDS:
        code = int(arrays.codes[i, CODE_COLUMN[name]])
        if code >= 0:
            stated[name] = code
    if reading == "as_entered":
        virtual = []
        for name in [n for n in stated if n in TABLE_FIELDS]:
            table = updated.findings.fields[name]
            if stated[name] >= table.shape[-1]:  # coarse: its values, no structural "none"
                allowed = statements(name)[stated.pop(name)]
                if name in updated.findings.parents and _structural(table).any():
                    allowed = np.append(allowed, 0.0)
                virtual.append(TabularCPD(name, len(allowed), allowed[:, None]))
        return stated, virtual
    # Age and level "said" nodes say only whether they are stated; their stated values are observed
    # too.
    evidence = {name: stated[name] for name in ("age", "level") if name in stated}
    evidence.update(
        {"age_said": 0 if "age" in stated else 1, "level_said": 0 if "level" in stated else 1}
    )
    for name in TABLE_FIELDS:
        evidence[f"{name}_said"] = stated.get(name, len(CODE_VALUES[name]))
    return evidence, []


@pytest.fixture(scope="module")
def cases(updated):
    from tumorclf.schema import to_arrays

    from ..conftest import SEED_CASE

    published = updated.sample_arrays(30, balance="uniform", random_state=3)
    entered = updated.sample_arrays(12, balance="uniform", random_state=4, missingness="as_entered")
    coarse = {**SEED_CASE, "enhancement": "present", "calcification": "present"}
    return published, entered, to_arrays([SEED_CASE, coarse])


@pytest.mark.parametrize("reading", ["as_published", "as_entered"])
def test_posterior_equals_variable_elimination(updated, network, cases, reading):
    checked = coarse = 0
    for arrays in cases:
        ours = updated.posterior_array(arrays, "uniform", reading=reading)
        for i in range(len(arrays)):
            top, bottom = (arrays.codes[i, CODE_COLUMN[f]] for f in ("level_top", "level_bottom"))
            if (top < 0) != (bottom < 0):
                continue  # one end of a level alone is not a state of the network
            evidence, virtual = _evidence(updated, arrays, i, reading)
            exact = network.query(
                ["class"], evidence=evidence, virtual_evidence=virtual, show_progress=False
            ).values
            np.testing.assert_allclose(ours[i], exact, rtol=0, atol=1e-9)
            checked += 1
            coarse += any(
                arrays.codes[i, CODE_COLUMN[f]] >= updated.findings.fields[f].shape[-1]
                for f in ("enhancement", "calcification")
            )
    assert checked >= 40 and coarse >= 1


def test_the_cross_check_fails_for_a_wrong_posterior(updated, network, cases):
    """The comparison has teeth: the reporting model left out of the published reading is caught."""
    arrays = cases[0]
    wrong = updated.posterior_array(arrays, "uniform", reading="as_entered")
    differs = 0
    for i in range(len(arrays)):
        exact = network.query(
            ["class"],
            evidence=_evidence(updated, arrays, i, "as_published")[0],
            show_progress=False,
        ).values
        differs += not np.allclose(wrong[i], exact, atol=1e-9)
    assert differs > 0
