"""The priors file: the shipped one is complete and cited; broken ones fail with their line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tumorclf.model.priors import MISSINGNESS_FIELDS, load_priors
from tumorclf.model.structure import TABLE_FIELDS
from tumorclf.paths import default_priors_path
from tumorclf.yaml_source import YamlFileError

DEFAULT_TEXT = default_priors_path().read_text(encoding="utf-8")
CLASSES = (
    "mcs",
    "schwannoma",
    "meningioma",
    "neurofibroma",
    "hemangioblastoma",
    "myxopapillary_ependymoma",
    "solitary_fibrous_tumor",
)


def test_default_priors_cover_every_class_and_field():
    priors = load_priors(default_priors_path())
    assert priors.classes == CLASSES
    assert np.isclose(priors.prevalence.sum(), 1)
    assert set(priors.missing) == set(MISSINGNESS_FIELDS)
    for field in TABLE_FIELDS:
        table = priors.tables[field]
        assert np.allclose(table.sum(axis=-1)[table.sum(axis=-1) > 0], 1), field
    assert np.allclose(priors.age_pmf.sum(axis=1), 1)
    assert np.allclose(priors.level_joint.sum(axis=(1, 2)), 1)
    # Only top-at-or-above-bottom pairs are possible, and all of them are.
    upper = np.triu(np.ones((29, 29), dtype=bool))
    assert (priors.level_joint[:, upper] > 0).all() and (priors.level_joint[:, ~upper] == 0).all()


def test_every_figure_is_cited_and_assumptions_are_marked():
    priors = load_priors(default_priors_path())
    for c in CLASSES:
        for field in ("age", "level.region", "level.span", *TABLE_FIELDS):
            assert priors.citations.get(f"classes.{c}.{field}"), (c, field)
    cited = {key for keys in priors.citations.values() for key in keys}
    assert cited <= set(priors.sources)
    assumptions = {k for k, v in priors.sources.items() if "assumption" in v}
    literature = {k for k, v in priors.sources.items() if "citation" in v}
    assert assumptions and literature and "S8" in literature
    assert cited & assumptions and cited & literature


def test_seed_paper_dependencies_hold_in_the_default_priors():
    priors = load_priors(default_priors_path())
    mcs, meningioma = priors.classes.index("mcs"), priors.classes.index("meningioma")
    enhancement, calcification = priors.tables["enhancement"], priors.tables["calcification"]
    heterogeneous, massive, punctate = 1, 2, 1
    # Heterogeneous enhancement is likelier with massive calcification.
    assert enhancement[mcs, massive, heterogeneous] > enhancement[mcs, punctate, heterogeneous]
    # A dural tail needs a dural base.
    tail = priors.tables["dural_tail"]
    assert (tail[:, 1, 1] > 5 * tail[:, 0, 1]).all()
    assert calcification[mcs, punctate] > calcification[meningioma, punctate]


def _broken(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    assert DEFAULT_TEXT.count(old) == 1, old
    text = DEFAULT_TEXT.replace(old, new)
    path = tmp_path / "priors.yaml"
    path.write_text(text, encoding="utf-8")
    line = text[: text.index(new)].count("\n") + 1
    return path, line


MCS_SEX = "p: {M: 0.5, F: 0.5}\n      cite: [S8, S9"
BROKEN = [
    pytest.param(
        MCS_SEX,
        "p: {M: -0.5, F: 1.5}\n      cite: [S8, S9",
        r"classes\.mcs\.sex\.p\.M\): probability -0\.5 must be in \(0, 1\]",
        id="negative",
    ),
    pytest.param(
        "none: 0.45, punctate: 0.25",
        "none: 0.55, punctate: 0.25",
        r"classes\.mcs\.calcification\.p\): probabilities sum to 1\.1, not 1",
        id="not-normalised",
    ),
    pytest.param(
        "    mcs: 0.003\n",
        "    chondroma: 0.003\n",
        r"prevalence\.p\.chondroma\): unknown class 'chondroma'; classes are: mcs",
        id="unknown-class",
    ),
    pytest.param(
        "cite: [S24, S38, S39]",
        "cite: [S24, S999, S39]",
        r"classes\.meningioma\.age\.cite\.1\): source key 'S999' is not in 'sources'",
        id="unknown-source",
    ),
    pytest.param(
        "p: {hypo: 0.10, iso: 0.30",
        "p: {dark: 0.10, iso: 0.30",
        r"classes\.mcs\.t2_signal\.p\.dark\): unknown value 'dark'; allowed: hypo",
        id="unknown-value",
    ),
    pytest.param(
        "p_true: 0.15\n      cite: [A_unreported]\n    flow_voids:\n      # Hyper",
        "p_true: 0\n      cite: [A_unreported]\n    flow_voids:\n      # Hyper",
        r"classes\.mcs\.cystic_change\.p_true\): probability 0 must be between 0 and 1 "
        r"\(exclusive\); use a small value",
        id="zero",
    ),
    pytest.param(
        "given: compartment\n      p_true: {intradural_extramedullary: 0.05, extradural: 0.45",
        "given: sex\n      p_true: {intradural_extramedullary: 0.05, extradural: 0.45",
        r"classes\.mcs\.dumbbell\.given\): 'dumbbell' can only be given 'compartment', not 'sex'",
        id="wrong-parent",
    ),
    pytest.param(
        "    dural_attachment:\n      # 5 of the 7",
        "    dural_attachment:\n      p_true: 0.5\n      # 5 of the 7",
        r"key 'p_true' appears twice in classes\.mcs\.dural_attachment",
        id="duplicate-key",
    ),
    pytest.param(
        "  mcs:\n    label:",
        "  mcs:\n    colour: red\n    label:",
        r"classes\.mcs\.colour\): unknown key 'colour'",
        id="unknown-key",
    ),
    pytest.param("    mcs: 0.003\n", "    mcs: 0.003: 4\n", r"not valid YAML", id="yaml-syntax"),
]


@pytest.mark.parametrize(("old", "new", "pattern"), BROKEN)
def test_broken_priors_name_the_line_and_the_place(tmp_path, old, new, pattern):
    path, line = _broken(tmp_path, old, new)
    with pytest.raises(YamlFileError, match=pattern) as caught:
        load_priors(path)
    assert any(f"line {n}" in str(caught.value) for n in range(line, line + 5)), str(caught.value)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = DEFAULT_TEXT.replace("cite: [S24, S38, S39]", "cite: [S24, S999, S39]").replace(
        "none: 0.45, punctate: 0.25", "none: 0.55, punctate: 0.25"
    )
    path = tmp_path / "priors.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlFileError) as caught:
        load_priors(path)
    assert len(caught.value.problems) == 2


def test_a_class_missing_a_field_is_refused(tmp_path):
    path, _ = _broken(
        tmp_path,
        "    bone_erosion:\n      # Focal bone defect",
        "    bone_erosio:\n      # Focal bone defect",
    )
    with pytest.raises(YamlFileError, match=r"classes\.mcs\): missing key 'bone_erosion'"):
        load_priors(path)


def test_a_new_class_needs_no_code_change(tmp_path):
    start = DEFAULT_TEXT.index("  solitary_fibrous_tumor:\n")
    end = DEFAULT_TEXT.index("\nsources:")
    block = DEFAULT_TEXT[start:end].replace("solitary_fibrous_tumor:", "chordoma:", 1)
    text = DEFAULT_TEXT[:end] + "\n" + block + DEFAULT_TEXT[end:]
    text = text.replace(
        "    solitary_fibrous_tumor: 0.007\n",
        "    solitary_fibrous_tumor: 0.004\n    chordoma: 0.003\n",
    )
    path = tmp_path / "priors.yaml"
    path.write_text(text, encoding="utf-8")
    from tumorclf.synthetic import load_generator

    generator = load_generator(path)
    assert generator.classes_[-1] == "chordoma"
    frame = generator.sample(80, balance="uniform", random_state=0)
    assert (frame["diagnosis"] == "chordoma").sum() == 10
