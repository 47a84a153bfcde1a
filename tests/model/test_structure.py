"""The finding model's structure: dependences on the level's region, and what an added edge starts
from."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.model.inference import log_likelihood, region_weights
from tumorclf.model.literature import findings_from_priors
from tumorclf.model.structure import DEPENDENCE_SETTINGS, REGION_OF_LEVEL, parse_dependence
from tumorclf.schema import CODE_COLUMN, LEVELS
from tumorclf.schema.vocabulary import REGIONS


def test_an_added_edge_starts_with_no_dependence(generator):
    """The literature's table repeated under every parent value: the likelihood is unchanged until
    cases teach."""
    cases = generator.sample_arrays(300, balance="uniform", random_state=0)
    plain = log_likelihood(generator.findings, cases)
    # A child moved to a new parent (enhancement_by_cyst) starts from its old table summed over its
    # old parent: the same wherever the case does not state the child beside the old parent (or
    # the old parent's other child, the calcification's site).
    calcified = (cases.codes[:, CODE_COLUMN["calcification"]] >= 0) | (
        cases.codes[:, CODE_COLUMN["calcification_site"]] >= 0
    )
    both = calcified & (cases.codes[:, CODE_COLUMN["enhancement"]] >= 0)
    assert 0 < both.sum() < len(both)
    for setting in DEPENDENCE_SETTINGS[1:]:
        added = findings_from_priors(generator.priors, parse_dependence(setting))
        same = ~both if "enhancement_by_cyst" in setting else np.ones(len(both), dtype=bool)
        np.testing.assert_allclose(log_likelihood(added, cases)[same], plain[same], atol=1e-10)
        if "enhancement_by_cyst" in setting:
            assert added.parents["enhancement"] == "cystic_change"
            assert added.fields["enhancement"].shape[1] == 2


def test_region_weights_follow_what_the_level_says(generator):
    findings = findings_from_priors(generator.priors, ("compartment_by_region",))
    joint = findings.level_joint()
    codes = np.full((4, len(CODE_COLUMN)), -1, dtype=np.int8)
    top, bottom = CODE_COLUMN["level_top"], CODE_COLUMN["level_bottom"]
    codes[0, [top, bottom]] = LEVELS.index("T12"), LEVELS.index("L2")  # the top's region: thoracic
    codes[1, top] = LEVELS.index("C3")
    codes[2, bottom] = LEVELS.index("L1")  # the top may be thoracic or lumbar
    weights = region_weights(findings, codes)  # row 3: nothing said of the level
    assert weights.shape == (4, len(generator.classes_), len(REGIONS))
    assert (weights[0, :, REGIONS.index("thoracic")] == 1).all()
    assert (weights[1, :, REGIONS.index("cervical")] == 1).all()
    for c in range(len(generator.classes_)):  # by brute force over the top level
        tops = joint[c, :, LEVELS.index("L1")]
        expected = np.bincount(REGION_OF_LEVEL, weights=tops, minlength=len(REGIONS)) / tops.sum()
        np.testing.assert_allclose(weights[2, c], expected, atol=1e-12)
        expected = np.bincount(
            REGION_OF_LEVEL, weights=joint[c].sum(axis=1), minlength=len(REGIONS)
        )
        np.testing.assert_allclose(weights[3, c], expected, atol=1e-12)


@pytest.mark.parametrize("bad", ["region", "compartment_by_region+compartment_by_region", ""])
def test_an_unknown_dependence_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="dependence"):
        parse_dependence(bad)
