"""Reading a case from a findings paragraph: values, the words behind them, negation, refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tumorclf.case_io import read_cases_csv
from tumorclf.extract import ReportError, extract_case
from tumorclf.paths import default_real_cases_path
from tumorclf.schema import validate

SEED_PRESENTATION = Path(__file__).with_name("seed_case_presentation.txt")


def seed_text() -> str:
    return "".join(
        line
        for line in SEED_PRESENTATION.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith("#")
    ).strip()


def test_the_seed_case_presentation_reads_as_the_seed_case_exactly():
    found = extract_case(seed_text())
    row = validate(read_cases_csv(default_real_cases_path())).set_index("id").loc["chenlai2022"]
    expected = validate(
        {
            k: v
            for k, v in row.items()
            if k not in ("diagnosis", "source", "quote", "quote2", "remarks")
        }
    )
    assert validate(found.case).iloc[0].to_dict() == expected.iloc[0].to_dict()
    assert found.case["dural_tail"] is False and found.spans["dural_tail"].text.startswith(
        "without"
    )
    assert any(
        "bony destruction" in u.span.text and u.reason.startswith("denied here")
        for u in found.unused
    )


def test_every_span_points_at_its_words():
    text = seed_text()
    for name, span in extract_case(text).spans.items():
        assert text[span.start : span.end] == span.text, name


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("A 45-year-old woman with back pain.", "age", 45),
        ("A 45-year-old woman with back pain.", "sex", "F"),
        ("a 7-year-old boy", "sex", "M"),
        ("She underwent MRI, which showed a mass at L2.", "sex", "F"),
        # levels in the spellings papers use
        ("a dumbbell-shaped mass at the level of T12-L2 vertebra", "level", "T12-L2"),
        ("a mass extending from T12 to L2", "level", "T12-L2"),
        ("an intradural lesion at the level of the L1 vertebra", "level", "L1"),
        ("a tumour at D11", "level", "T11"),
        ("an intradural lesion measuring 1.5 cm at the level of Th10.", "level", "T10"),
        ("a foraminal mass at C4/5", "level", "C4-C5"),
        ("an intradural extramedullary tumor at the level of 3rd thoracic vertebra", "level", "T3"),
        ("a mass at the 6th and 7th thoracic vertebral level", "level", "T6-T7"),
        (
            "a lesion from the inferior endplate of L1 to the superior end plate of L3 vertebra",
            "level",
            "L1-L3",
        ),
        ("a mass at L4-5", "level", "L4-L5"),
        # compartments from their wording
        ("an intradural extramedullary mass", "compartment", "intradural_extramedullary"),
        ("an extramedullary intradural mass", "compartment", "intradural_extramedullary"),
        ("the tumor was found in intra- and extradural space", "compartment", "intra_extradural"),
        ("an I&ED mass", "compartment", "intra_extradural"),
        ("a posterior epidural mass", "compartment", "extradural"),
        ("an intramedullary tumour with syrinx", "compartment", "intramedullary"),
        ("a mass of the filum terminale", "named_site", "filum_terminale"),
        ("extension through the left C7-T1 neural foramen", "dumbbell", True),
        ("No associated expansion of neural foramina.", "bone_erosion", False),  # widening: erosion
        # enhancement, calcification, signal
        ("it enhanced homogeneously after gadolinium", "enhancement", "homogeneous"),
        ("a heterogeneously enhancing mass", "enhancement", "heterogeneous"),
        ("rim enhancement of the cystic portion", "enhancement", "peripheral"),
        ("a non-enhancing lesion", "enhancement", "none"),
        ("CT revealed isolated punctate calcification", "calcification", "punctate"),
        ("a densely calcified mass", "calcification", "massive"),
        ("There was no calcification.", "calcification", "none"),
        ("calcification was absent", "calcification", "none"),
        ("isointense on T1WI and mildly hyperintense on T2WI", "t2_signal", "hyper"),
        ("hypointense on T2-weighted images", "t2_signal", "hypo"),
        ("low T1 and high T2 signal", "t2_signal", "hyper"),
        ("isointense on both T1- and T2-weighted images", "t2_signal", "iso"),
        # the dural signs, cysts, vessels, bone
        ("a broad dural attachment", "dural_attachment", True),
        ("a dural-based mass", "dural_attachment", True),
        ("no dural tail sign", "dural_tail", False),
        ("a dural tail was seen", "dural_tail", True),
        ("multiple cysts within the mass", "cystic_change", True),
        ("prominent flow voids", "flow_voids", True),
        ("scalloping of the posterior vertebral body", "bone_erosion", True),
        ("no bony destruction", "bone_erosion", False),
        # schema 1.1: what reports also say
        ("a 40-year-old woman with known VHL", "syndrome", "vhl"),
        ("in a patient with neurofibromatosis type 1", "syndrome", "nf1"),
        ("a sporadic hemangioblastoma at C4", "syndrome", "none"),
        ("no stigmata of neurofibromatosis", "syndrome", "none"),
        ("a mass arising from the filum terminale", "named_site", "filum_terminale"),
        ("a tumour of the conus medullaris", "named_site", "conus_medullaris"),
        ("the tumour arose from the L5 nerve root", "named_site", "nerve_root"),
        ("an intramedullary nodule with an associated syrinx from C3 to T2", "syrinx", True),
        ("no syringomyelia was seen", "syrinx", False),
        ("the mass had a T2 hypointense rim (hemosiderin cap)", "haemorrhage", True),
        ("No signs of internal calcifications or hemorrhage.", "haemorrhage", False),
        ("it was hypointense on T1-weighted images", "t1_signal", "hypo"),
        ("low T1 and high T2 signal", "t1_signal", "hypo"),
        ("isointense on both T1- and T2-weighted images", "t1_signal", "iso"),
        ("multiple intradural masses along the cauda equina", "multiple_lesions", True),
        ("a single intradural lesion at T7", "multiple_lesions", False),
        ("a 2.8 cm well-circumscribed intradural mass", "size", "2_to_4cm"),
        ("a mass measuring 3.2 x 2.1 x 1.5 cm", "size", "2_to_4cm"),
        ("an 18 mm × 13 mm intramedullary tumor", "size", "under_2cm"),
        # schema 1.2 and the ways reports word findings
        ("an avidly enhancing mass at T4", "enhancement", "present"),
        ("marked enhancement of a mass at T5", "enhancement", "present"),
        ("partially calcified mass at T5", "calcification", "present"),
        ("a large amount of calcification in a mass at T5", "calcification", "massive"),
        ("a mass at T5, heterogeneous on T2 with a hypointense rim", "t2_signal", "heterogeneous"),
        ("a mass at T5, T2 hypointense and hyperintense areas", "t2_signal", "heterogeneous"),
        ("a mass at T5 with a target sign on T2", "t2_signal", "heterogeneous"),
        ("long T1 and long T2 signal at L1", "t1_signal", "hypo"),
        ("long T1 and long T2 signal at L1", "t2_signal", "hyper"),
        ("short T2 signal at L1", "t2_signal", "hypo"),
        ("a mass at T5 with a CSF cleft", "compartment", "intradural_extramedullary"),
        ("a mass at T5 with a broad dural base", "dural_attachment", True),
        ("a mass at T5 with a cap sign", "haemorrhage", True),
        ("a mass at C5 with foraminal widening", "bone_erosion", True),
        ("a cyst with an enhancing mural nodule at C3", "cystic_change", True),
        ("a 40-year-old with von Hippel\u2013Lindau disease", "syndrome", "vhl"),
        (
            "an intra\u2010dural extra\u2010medullary mass",
            "compartment",
            "intradural_extramedullary",
        ),
        ("a mass at the T6 and T7 levels", "level", "T6-T7"),
        ("a mass at T5 with a meningeal tail sign", "dural_tail", True),
    ],
)
def test_one_finding(text, field, value):
    assert extract_case(text).case.get(field) == value


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            "they could not completely exclude the possibility of tumor invasion; a mass at T4",
            "bone_erosion",
        ),
        ("a possible dural tail at T4", "dural_tail"),
        ("calcification at T4 could not be excluded", "calcification"),
        (
            "T2-weighted images showed a hyperintense mass",
            "level",
        ),  # T2 the sequence, not the vertebra
        ("the mass compressing the conus at T12", "named_site"),  # near a structure is not of it
        ("a mass at L3 causing cauda equina syndrome", "named_site"),  # a syndrome, not a site
        ("a solitary fibrous tumour at T7", "multiple_lesions"),  # the tumour's name, not a count
        (
            "hyperintense on T1-weighted images after gadolinium at T5",
            "t1_signal",
        ),  # the enhanced image
        ("iso- to hypointense on T1 at T5", "t1_signal"),  # a range: no one value
        ("equal or slightly long T1 signal at T5", "t1_signal"),  # a range too
        ("a mass at T5 whose rim is hypointense on T2", "t2_signal"),  # the rim's signal
        ("peritumoral oedema hyperintense on T2 around a mass at T5", "t2_signal"),  # the cord's
        ("contrast-enhanced T1-weighted images showed a mass at T5", "enhancement"),  # an image
        ("an enhancing vessel beside a mass at T5", "enhancement"),  # not the tumour
        ("a mass of the filum terminale at L2", "compartment"),  # a site; no compartment said
        ("treated 4 years earlier; a mass at T5", "age"),  # years, not an age
    ],
)
def test_what_is_not_a_finding(text, field):
    assert field not in extract_case(text).case


def test_an_affirmed_finding_outweighs_a_denied_one_of_the_same_field():
    found = extract_case(
        "No bony destruction was seen at T12. CT showed a focal bone defect of L1 in the mass."
    )
    assert found.case["bone_erosion"] is True
    assert [u.reason for u in found.unused if u.field == "bone_erosion"] == [
        "denied here, stated elsewhere ('bone defect')"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The report is empty"),
        ("   \n ", "The report is empty"),
        ("Der Tumor war groß, rund und lag im Spinalkanal.", "does not look like English"),
        ("El paciente presenta una masa intradural en la columna.", "does not look like English"),
        ("The patient was seen in clinic and is well.", "No finding was recognised"),
        ("A dural tail could not be excluded.", "only uncertain wording"),
    ],
)
def test_texts_without_a_case_are_refused_with_a_reason(text, message):
    with pytest.raises(ReportError, match=message):
        extract_case(text)


def test_a_non_text_report_is_refused():
    with pytest.raises(ReportError, match="A report is text"):
        extract_case(None)  # type: ignore[arg-type]


def test_the_extractor_stays_off_the_plain_prediction_path():
    code = (
        "import sys, tumorclf, tumorclf.prediction, tumorclf.schema; "
        "print(any(m.startswith('tumorclf.extract') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_two_lesions_at_two_levels_are_not_an_extent():
    assert extract_case("two nodular lesions at T10 and T12").case.get("level") == "T10"


def test_words_that_cannot_be_used_are_listed_with_why():
    found = extract_case("A 300-year-old man, a -5-year-old girl; a mass at T13 and at T5.")
    reasons = {u.span.text: u.reason for u in found.unused}
    assert reasons["300-year-old man"] == "age 300 is out of range (0-100)"
    assert reasons["-5-year-old girl"] == "age -5 is negative"
    assert reasons["T13"] == "T13 is not a vertebral level (the T1-T12 levels are)"
    assert "age" not in found.case and found.case["level"] == "T5"


def test_an_uncertain_finding_is_listed_with_its_words():
    found = extract_case("A mass at T4; a dural tail cannot be excluded.")
    assert "dural_tail" not in found.case
    assert [u.reason for u in found.unused] == ["uncertain: 'cannot be excluded'"]
