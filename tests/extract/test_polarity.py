"""Polarity: every negatable finding, denied, affirmed or left open in the ways reports say it.

Each finding is written with each of its spellings (British and American among them) into
sentences that deny it before the noun ("no", "without", "absence of", "negative for", lists such
as "no X or Y", "neither X nor Y") and after it ("X is absent", "X: no", "X - nil", "X were not
identified"), affirm it (plainly, as a template's "X: yes", by a double negation such as "X was
not absent"), or leave it open ("X cannot be excluded", "possible X", "X: equivocal"): an open
finding is not stated. A polarity error is any variant whose reading differs from what it says.
"""

from __future__ import annotations

import itertools

import pytest

from tumorclf.extract import extract_case

#: Each negatable finding: its field, its spellings, and the values it takes when affirmed and
#: when denied.
FINDINGS: dict[str, tuple[str, tuple[str, ...], object, object]] = {
    "dural tail": ("dural_tail", ("dural tail", "dural tail sign", "dural-tail"), True, False),
    "dural attachment": ("dural_attachment", ("dural attachment", "broad dural base"), True, False),
    "cystic change": (
        "cystic_change",
        ("cystic change", "cysts", "cystic components"),
        True,
        False,
    ),
    "flow voids": ("flow_voids", ("flow voids", "flow-voids", "signal voids"), True, False),
    "bone erosion": (
        "bone_erosion",
        ("bone erosion", "bony erosion", "vertebral scalloping", "foraminal widening"),
        True,
        False,
    ),
    "dumbbell": ("dumbbell", ("dumbbell shape", "foraminal extension"), True, False),
    "syrinx": ("syrinx", ("syrinx", "syringomyelia", "hydromyelia"), True, False),
    "haemorrhage": (
        "haemorrhage",
        ("haemorrhage", "hemorrhage", "blood products", "haemosiderin", "hemosiderin"),
        True,
        False,
    ),
    "calcification": ("calcification", ("calcification", "calcifications"), "present", "none"),
    "enhancement": ("enhancement", ("enhancement", "contrast enhancement"), "present", "none"),
}
CONTEXT = ("MRI showed a tumour at T7. ", "MRI showed a tumor at T7. ")

DENIED = (
    "no {x}.",
    "No {x}.",
    "without {x}.",
    "There is no evidence of {x}.",
    "Absence of {x}.",
    "No definite {x} is seen.",
    "Negative for {x}.",
    "Free of {x}.",
    "{X} is absent.",
    "{X} was absent.",
    "{X} was not seen.",
    "{X} were not identified.",
    "{X} has been ruled out.",
    "{X}: no",
    "{X}: absent",
    "{X}: none",
    "{X}: not seen",
    "{X} - nil",
    "{X} \u2014 not identified",
)
AFFIRMED = (
    "There is {x}.",
    "with {x}.",
    "{X} is present.",
    "{X} was seen.",
    "{X}: present",
    "{X}: yes",
    "{X} was not absent.",  # a denial denied
    "Not without {x}.",
)
OPEN = (
    "{X} cannot be excluded.",
    "{X} could not be ruled out.",
    "Possible {x}.",
    "Questionable {x}.",
    "Suspicious for {x}.",
    "{X}: equivocal",
    "{X}?",
)
#: Two findings denied by one trigger.
LISTS = (
    "no {x} or {y}.",
    "No {x}, {y} or cord signal change.",
    "without {x} or {y}.",
    "Neither {x} nor {y}.",
    "There was no {x} and no {y}.",
)


def _variants():
    for (field, spellings, yes, no), context in itertools.product(FINDINGS.values(), CONTEXT):
        for spelling in spellings:
            words = {"x": spelling, "X": spelling[0].upper() + spelling[1:]}
            for template in DENIED:
                yield pytest.param(context + template.format(**words), {field: no})
            for template in AFFIRMED:
                yield pytest.param(context + template.format(**words), {field: yes})
            for template in OPEN:
                yield pytest.param(context + template.format(**words), {field: None})
    pairs = [("dural tail", "flow voids"), ("calcification", "haemorrhage"),
             ("cystic change", "syrinx"), ("bone erosion", "dural attachment"),
             ("enhancement", "dumbbell")]  # fmt: skip
    for (a, b), template in itertools.product(pairs, LISTS):
        (field_a, (x, *_), _, no_a), (field_b, (y, *_), _, no_b) = FINDINGS[a], FINDINGS[b]
        yield pytest.param(CONTEXT[0] + template.format(x=x, y=y), {field_a: no_a, field_b: no_b})


VARIANTS = list(_variants())


def test_the_suite_is_large_enough():
    assert len(VARIANTS) >= 300


@pytest.mark.parametrize(("text", "expected"), VARIANTS)
def test_each_variant_reads_with_its_polarity(text, expected):
    case = extract_case(text).case
    assert {field: case.get(field) for field in expected} == expected, text
