"""Canonical vocabularies of the case schema.

Everything here is data: the field names, their allowed values, the vertebral
levels and the spellings that case reports use for them. Parsing and
validation live in :mod:`tumorclf.schema.parsing` and
:mod:`tumorclf.schema.validation`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

SCHEMA_VERSION: Final = "1.0"

#: Vertebral levels from the top of the spine down; the index is the ordinal position.
LEVELS: Final[tuple[str, ...]] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
)
LEVEL_INDEX: Final = MappingProxyType({name: i for i, name in enumerate(LEVELS)})

#: Region of each vertebral level, keyed by the level's letter.
REGIONS: Final = MappingProxyType(
    {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}
)

CATEGORICAL_FIELDS: Final = MappingProxyType(
    {
        "sex": ("M", "F"),
        "compartment": (
            "intradural_extramedullary",
            "extradural",
            "intra_extradural",
            "intramedullary",
        ),
        "enhancement": ("homogeneous", "heterogeneous", "peripheral", "none"),
        "calcification": ("none", "punctate", "massive", "rings_arcs"),
        "calcification_site": ("central", "peripheral", "diffuse"),
        "t2_signal": ("hypo", "iso", "hyper", "heterogeneous"),
    }
)

BOOLEAN_FIELDS: Final[tuple[str, ...]] = (
    "dumbbell",
    "dural_tail",
    "dural_attachment",
    "cystic_change",
    "flow_voids",
    "bone_erosion",
)

LEVEL_FIELDS: Final[tuple[str, ...]] = ("level_top", "level_bottom")

AGE_RANGE: Final = (0.0, 100.0)

#: Every case field, in the canonical column order of a validated frame.
FIELDS: Final[tuple[str, ...]] = (
    "age",
    "sex",
    "level_top",
    "level_bottom",
    "compartment",
    "dumbbell",
    "enhancement",
    "calcification",
    "calcification_site",
    "dural_tail",
    "dural_attachment",
    "cystic_change",
    "flow_voids",
    "bone_erosion",
    "t2_signal",
)

#: Columns accepted besides the fields: a convenience spelling of the levels,
#: the label of labelled data, and metadata passed through untouched (a real
#: case's citation, its supporting quote and the extractor's remarks).
LEVEL_SHORTHAND: Final = "level"
LABEL: Final = "diagnosis"
PASSTHROUGH: Final[tuple[str, ...]] = ("id", "source", "quote", "remarks")

#: The two ways a case is read. ``as_entered`` (every user-facing default): the
#: stated fields are findings, the rest unknown. ``as_published``: a published
#: row, whose choice of what to state is modelled too.
READINGS: Final[tuple[str, ...]] = ("as_entered", "as_published")

#: Values that mean "not reported", compared after lower-casing and stripping.
MISSING_SPELLINGS: Final = frozenset(
    {"", "n/a", "na", "nan", "none reported", "not reported", "unknown", "?", "nr", "null"}
)

BOOLEAN_SPELLINGS: Final = MappingProxyType(
    {
        **dict.fromkeys(("true", "yes", "y", "1", "+", "present", "positive"), True),
        **dict.fromkeys(
            ("false", "no", "n", "0", "-", "\u2013", "\u2212", "absent", "negative"), False
        ),
    }
)

#: Spellings seen in case reports, mapped to canonical values (keys lower-case).
SYNONYMS: Final = MappingProxyType(
    {
        "sex": {
            "m": "M", "male": "M", "man": "M", "boy": "M",
            "f": "F", "female": "F", "woman": "F", "girl": "F",
        },
        "compartment": {
            "idem": "intradural_extramedullary",
            "id-em": "intradural_extramedullary",
            "id/em": "intradural_extramedullary",
            "intradural extramedullary": "intradural_extramedullary",
            "intradural-extramedullary": "intradural_extramedullary",
            "intra-dural, extra-medullary": "intradural_extramedullary",
            "intradural, extramedullary": "intradural_extramedullary",
            "intradural extra-axial": "intradural_extramedullary",
            "ed": "extradural",
            "epidural": "extradural",
            "i&ed": "intra_extradural",
            "i/ed": "intra_extradural",
            "id/ed": "intra_extradural",
            "id+ed": "intra_extradural",
            "intra-extradural": "intra_extradural",
            "intra- and extradural": "intra_extradural",
            "intra and extradural": "intra_extradural",
            "intradural and extradural": "intra_extradural",
            "intradural-extradural": "intra_extradural",
            "extra- and intradural": "intra_extradural",
            "extradural and intradural": "intra_extradural",
            "im": "intramedullary",
        },
        "enhancement": {
            "homogenous": "homogeneous",
            "uniform": "homogeneous",
            "diffuse": "homogeneous",
            "inhomogeneous": "heterogeneous",
            "inhomogenous": "heterogeneous",
            "heterogenous": "heterogeneous",
            "patchy": "heterogeneous",
            "rim": "peripheral",
            "ring": "peripheral",
            "no": "none",
            "absent": "none",
            "-": "none",
            "\u2013": "none",
        },
        "calcification": {
            "no": "none",
            "absent": "none",
            "-": "none",
            "\u2013": "none",
            "punctuate": "punctate",
            "stippled": "punctate",
            "speckled": "punctate",
            "dense": "massive",
            "extensive": "massive",
            "ossified": "massive",
            "ossification": "massive",
            "rings and arcs": "rings_arcs",
            "rings-and-arcs": "rings_arcs",
            "ring-and-arc": "rings_arcs",
            "ring and arc": "rings_arcs",
            "chondroid": "rings_arcs",
        },
        "calcification_site": {"centre": "central", "center": "central"},
        "t2_signal": {
            "hypointense": "hypo",
            "low": "hypo",
            "isointense": "iso",
            "hyperintense": "hyper",
            "high": "hyper",
            "bright": "hyper",
            "mixed": "heterogeneous",
            "heterogenous": "heterogeneous",
            "inhomogeneous": "heterogeneous",
        },
    }
)


def allowed_values(field: str) -> str:
    """Describe the values a field accepts, for error messages."""
    if field in CATEGORICAL_FIELDS:
        return ", ".join(CATEGORICAL_FIELDS[field])
    if field in BOOLEAN_FIELDS:
        return "true/false (also yes/no, 1/0, +/-)"
    if field in LEVEL_FIELDS:
        return "a vertebral level C1-C7, T1-T12, L1-L5 or S1-S5"
    if field == LEVEL_SHORTHAND:
        return 'a level or a range of levels, e.g. "T7", "T12-L2", "L5-S1"'
    if field == "age":
        return f"years from {AGE_RANGE[0]:g} to {AGE_RANGE[1]:g}"
    if field == LABEL:
        return "a class name"
    return "no value: this column is not part of the schema"
