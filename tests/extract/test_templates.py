"""Structured and translated reports: sections, "Key: value" lines, bullets, numbered lists,
tables, and the English of reports translated from Chinese; none is refused, each reads whole."""

from __future__ import annotations

import pytest

from tumorclf.extract import extract_case

REPORTS = {
    "sections": (
        "MRI THORACIC SPINE WITH AND WITHOUT CONTRAST\n"
        "CLINICAL HISTORY: 54-year-old female with progressive gait disturbance.\n"
        "TECHNIQUE: Sagittal T1, T2, STIR and post-contrast T1; axial T2 and post-contrast T1.\n"
        "COMPARISON: None.\n"
        "FINDINGS:\n"
        "There is a 2.1 x 1.4 x 1.2 cm intradural extramedullary mass at the T6-T7 level, "
        "displacing the cord to the right.\n"
        "The mass is isointense to the cord on T1 and mildly hyperintense on T2.\n"
        "It enhances homogeneously. A dural tail is present.\n"
        "No syrinx. No bone erosion.\n"
        "IMPRESSION:\n"
        "1. Intradural extramedullary mass at T6-T7 with dural tail, most likely meningioma.",
        {
            "age": 54,
            "sex": "F",
            "level": "T6-T7",
            "compartment": "intradural_extramedullary",
            "enhancement": "homogeneous",
            "dural_tail": True,
            "bone_erosion": False,
            "t2_signal": "hyper",
            "syrinx": False,
            "t1_signal": "iso",
            "size": "2_to_4cm",
        },
    ),
    "key_value_lines": (
        "Patient: 31 y, male\n"
        "Location: C5-C6, left\n"
        "Compartment: intra- and extradural\n"
        "Shape: dumbbell\n"
        "T1: isointense\n"
        "T2: hyperintense with central hypointensity (target sign)\n"
        "Enhancement: heterogeneous\n"
        "Cystic change: yes\n"
        "Foraminal widening: present\n"
        "Calcification: not assessed (no CT)\n"
        "Dural tail: -",
        {
            "age": 31,
            "sex": "M",
            "level": "C5-C6",
            "compartment": "intra_extradural",
            "dumbbell": True,
            "enhancement": "heterogeneous",
            "dural_tail": False,
            "cystic_change": True,
            "bone_erosion": True,
            "t2_signal": "heterogeneous",
            "t1_signal": "iso",
        },
    ),
    "inline_bullets": (
        "Findings: - Age: 23 - Sex: F - Level: T6-T7 - Compartment: intradural extramedullary "
        "- Dural tail: absent - Calcification: none - Enhancement: heterogeneous",
        {
            "age": 23,
            "sex": "F",
            "level": "T6-T7",
            "compartment": "intradural_extramedullary",
            "enhancement": "heterogeneous",
            "calcification": "none",
            "dural_tail": False,
        },
    ),
    "numbered_with_equals_and_markdown": (
        "**Findings**\n"
        "1) Level = L1-L2\n"
        "2) Compartment = intradural extramedullary, at the filum terminale\n"
        "3) T2 = hyperintense; T1 = isointense\n"
        "4) Enhancement = avid, homogeneous\n"
        "5) Haemorrhage = no; Calcification = no\n"
        "**Impression**: myxopapillary ependymoma favoured.",
        {
            "level": "L1-L2",
            "compartment": "intradural_extramedullary",
            "enhancement": "homogeneous",
            "calcification": "none",
            "t2_signal": "hyper",
            "named_site": "filum_terminale",
            "haemorrhage": False,
            "t1_signal": "iso",
        },
    ),
    "table": (
        "| Finding | Result |\n"
        "|---|---|\n"
        "| Level | T11-T12 |\n"
        "| Dural tail | absent |\n"
        "| Flow voids | present |\n"
        "| Syrinx | yes |\n"
        "| Compartment | intramedullary |",
        {
            "level": "T11-T12",
            "compartment": "intramedullary",
            "dural_tail": False,
            "flow_voids": True,
            "syrinx": True,
        },
    ),
    "keys_naming_a_place": (
        "Level: C5-C6\nNeural foramina: widened on the left\n"
        "Bone: tumour extends through the right C5-C6 foramen\nSyrinx: C2-C5\nCord: normal",
        {"level": "C5-C6", "dumbbell": True, "bone_erosion": True, "syrinx": True},
    ),
    "translated_long_short": (
        "MRI showed a spindle-shaped abnormal signal shadow in the spinal canal at the level of "
        "T11-L1, with slightly long T1 and long T2 signal, clear boundary, and obvious uniform "
        "enhancement on enhanced scan; the adjacent spinal cord was compressed and displaced. "
        "The dural tail sign was seen.",
        {
            "level": "T11-L1",
            "enhancement": "homogeneous",
            "dural_tail": True,
            "t2_signal": "hyper",
            "t1_signal": "hypo",
        },
    ),
    "translated_equal_and_patchy": (
        "Lumbar MRI: an oval mass at L2 level in the spinal canal, equal T1 and slightly long T2 "
        "signal, with patchy enhancement, no obvious cystic degeneration.",
        {
            "level": "L2",
            "enhancement": "heterogeneous",
            "cystic_change": False,
            "t2_signal": "hyper",
            "t1_signal": "iso",
        },
    ),
    "translated_mixed": (
        "An irregular mass was seen in the spinal canal at C3-C5, showing mixed long and short T2 "
        "signal and long T1 signal; enhanced scanning showed obvious ring enhancement, and the "
        "meningeal tail sign was not seen.",
        {
            "level": "C3-C5",
            "enhancement": "peripheral",
            "dural_tail": False,
            "t2_signal": "heterogeneous",
            "t1_signal": "hypo",
        },
    ),
}


@pytest.mark.parametrize("name", list(REPORTS))
def test_a_structured_or_translated_report_reads_whole(name):
    text, expected = REPORTS[name]
    assert extract_case(text).case == expected


def test_an_impression_is_opinion_when_there_are_findings():
    found = extract_case(REPORTS["sections"][0])
    opinions = [u.span.text for u in found.unused if u.reason == "an opinion, not a finding"]
    assert opinions == ["most likely meningioma"]


def test_an_impression_alone_is_read_for_its_findings_not_its_diagnosis():
    found = extract_case("IMPRESSION: Intradural extramedullary mass at T9, likely schwannoma.")
    assert found.case == {"level": "T9", "compartment": "intradural_extramedullary"}
    assert [u.span.text for u in found.unused] == ["likely schwannoma"]


def test_the_technique_is_not_read_for_findings():
    found = extract_case(
        "TECHNIQUE: sagittal T1 and T2, axial T2, post-contrast T1 with fat saturation.\n"
        "FINDINGS: a non-enhancing intramedullary lesion at C4."
    )
    assert found.case == {
        "level": "C4",
        "compartment": "intramedullary",
        "enhancement": "none",
    }


def test_an_impression_fills_in_what_the_findings_leave_unsaid():
    found = extract_case(
        "FINDINGS: intradural extramedullary mass at T9, no calcification.\n"
        "IMPRESSION: T9 mass with a dural tail and calcification, likely meningioma."
    )
    assert found.case["dural_tail"] is True  # said only in the impression
    assert found.case["calcification"] == "none"  # the findings' word stands
    assert [u.span.text for u in found.unused] == ["likely meningioma"]
