"""Canonical vocabularies of the case schema.

Everything here is data: the field names, their allowed values, the vertebral
levels and the spellings that case reports use for them. Parsing and
validation live in :mod:`tumorclf.schema.parsing` and
:mod:`tumorclf.schema.validation`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

SCHEMA_VERSION: Final = "1.2"
#: Schema versions whose case files this version still reads: 1.1 only added optional fields, 1.2
#: only the value "present" for enhancement and calcification.
COMPATIBLE_SCHEMA_VERSIONS: Final[tuple[str, ...]] = ("1.0", "1.1", "1.2")
#: What each schema version added, in words (for the message that refuses an older model).
SCHEMA_CHANGES: Final = MappingProxyType(
    {
        "1.1": "the fields syndrome, named_site, syrinx, haemorrhage, t1_signal, "
        "multiple_lesions and size",
        "1.2": "the value 'present' (pattern not stated) for enhancement and calcification",
    }
)

#: Vertebral levels from the top of the spine down; the index is the ordinal position.
LEVELS: Final[tuple[str, ...]] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
)
LEVEL_INDEX: Final = MappingProxyType({name: i for i, name in enumerate(LEVELS)})

#: The spine's regions, top down: the one definition every model and encoding uses.
REGIONS: Final[tuple[str, ...]] = ("cervical", "thoracic", "lumbar", "sacral")
#: Each vertebral level's region (a level's letter names it).
LEVEL_REGIONS: Final = MappingProxyType({name: REGIONS["CTLS".index(name[0])] for name in LEVELS})

CATEGORICAL_FIELDS: Final = MappingProxyType(
    {
        "sex": ("M", "F"),
        "compartment": (
            "intradural_extramedullary",
            "extradural",
            "intra_extradural",
            "intramedullary",
        ),
        # schema 1.2: "present", a finding stated without its pattern (always the last code)
        "enhancement": ("homogeneous", "heterogeneous", "peripheral", "none", "present"),
        "calcification": ("none", "punctate", "massive", "rings_arcs", "present"),
        "calcification_site": ("central", "peripheral", "diffuse"),
        "t2_signal": ("hypo", "iso", "hyper", "heterogeneous"),
        # schema 1.1
        "syndrome": ("none", "vhl", "nf1", "nf2"),
        "named_site": (
            "conus_medullaris",
            "filum_terminale",
            "cauda_equina",
            "nerve_root",
            "other",
        ),
        "t1_signal": ("hypo", "iso", "hyper", "heterogeneous"),
        "size": ("under_2cm", "2_to_4cm", "4_to_6cm", "6cm_or_more"),
    }
)
#: Coarse values (schema 1.2): a statement that the tumour has one of several values, unnamed.
#: "present" enhancement is one of the patterns; "present" calcification one of the kinds. A
#: tumour's true value is always one of the fine values; a report may state a coarse one.
COARSE_VALUES: Final = MappingProxyType(
    {
        "enhancement": MappingProxyType(
            {"present": ("homogeneous", "heterogeneous", "peripheral")}
        ),
        "calcification": MappingProxyType({"present": ("punctate", "massive", "rings_arcs")}),
    }
)
#: The bins of ``size`` (largest dimension), by their lower bound in millimetres.
SIZE_BINS_MM: Final[tuple[tuple[str, float], ...]] = (
    ("under_2cm", 0.0),
    ("2_to_4cm", 20.0),
    ("4_to_6cm", 40.0),
    ("6cm_or_more", 60.0),
)

BOOLEAN_FIELDS: Final[tuple[str, ...]] = (
    "dumbbell",
    "dural_tail",
    "dural_attachment",
    "cystic_change",
    "flow_voids",
    "bone_erosion",
    # schema 1.1
    "syrinx",
    "haemorrhage",
    "multiple_lesions",
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
    # schema 1.1: what reports also say
    "syndrome",
    "named_site",
    "syrinx",
    "haemorrhage",
    "t1_signal",
    "multiple_lesions",
    "size",
)
#: The fields schema 1.1 added; a 1.0 model has no table for them.
FIELDS_ADDED_IN_1_1: Final[tuple[str, ...]] = (
    "syndrome",
    "named_site",
    "syrinx",
    "haemorrhage",
    "t1_signal",
    "multiple_lesions",
    "size",
)

#: Columns accepted besides the fields: a convenience spelling of the levels,
#: the label of labelled data, and metadata passed through untouched (a real
#: case's citation, its supporting quote and the extractor's remarks).
LEVEL_SHORTHAND: Final = "level"
LABEL: Final = "diagnosis"
PASSTHROUGH: Final[tuple[str, ...]] = ("id", "source", "quote", "quote2", "remarks")
#: The findings in the order a case is shown to a person, the level as one (``level``).
SHOWN_FIELDS: Final[tuple[str, ...]] = (
    *FIELDS[:2],
    LEVEL_SHORTHAND,
    *(f for f in FIELDS if f not in LEVEL_FIELDS and f not in FIELDS[:2]),
)

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

#: The spellings of an MRI signal (T1 or T2) seen in case reports.
_SIGNAL_SYNONYMS: Final = {
    "hypointense": "hypo",
    "low": "hypo",
    "isointense": "iso",
    "hyperintense": "hyper",
    "high": "hyper",
    "bright": "hyper",
    "mixed": "heterogeneous",
    "heterogenous": "heterogeneous",
    "inhomogeneous": "heterogeneous",
}

#: Spellings seen in case reports, mapped to canonical values (keys lower-case).
SYNONYMS: Final = MappingProxyType(
    {
        "sex": {
            "m": "M",
            "male": "M",
            "man": "M",
            "boy": "M",
            "f": "F",
            "female": "F",
            "woman": "F",
            "girl": "F",
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
            "inhomogeneous": "heterogeneous",
            "inhomogenous": "heterogeneous",
            "heterogenous": "heterogeneous",
            "patchy": "heterogeneous",
            "variegated": "heterogeneous",
            "mottled": "heterogeneous",
            "uneven": "heterogeneous",
            "rim": "peripheral",
            "ring": "peripheral",
            "yes": "present",
            "+": "present",
            "enhancing": "present",
            "diffuse": "present",
            "avid": "present",
            "marked": "present",
            "intense": "present",
            "strong": "present",
            "no": "none",
            "absent": "none",
            "-": "none",
            "\u2013": "none",
        },
        "calcification": {
            "yes": "present",
            "+": "present",
            "calcified": "present",
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
        "syndrome": {
            "von hippel-lindau": "vhl",
            "von hippel lindau": "vhl",
            "von hippel-lindau disease": "vhl",
            "vhl disease": "vhl",
            "vhl syndrome": "vhl",
            "neurofibromatosis type 1": "nf1",
            "neurofibromatosis 1": "nf1",
            "nf-1": "nf1",
            "nf 1": "nf1",
            "von recklinghausen": "nf1",
            "von recklinghausen disease": "nf1",
            "neurofibromatosis type 2": "nf2",
            "neurofibromatosis 2": "nf2",
            "nf-2": "nf2",
            "nf 2": "nf2",
            "sporadic": "none",
            "no": "none",
            "absent": "none",
            "-": "none",
            "\u2013": "none",
        },
        "named_site": {
            "conus": "conus_medullaris",
            "filum": "filum_terminale",
            "cauda": "cauda_equina",
            "root": "nerve_root",
            "spinal nerve root": "nerve_root",
            "nerve": "nerve_root",
            "elsewhere": "other",
        },
        "t1_signal": _SIGNAL_SYNONYMS,
        "size": {
            "<2 cm": "under_2cm",
            "< 2 cm": "under_2cm",
            "<20 mm": "under_2cm",
            "small": "under_2cm",
            "2-4 cm": "2_to_4cm",
            "4-6 cm": "4_to_6cm",
            ">=6 cm": "6cm_or_more",
            ">6 cm": "6cm_or_more",
            "6 cm or more": "6cm_or_more",
        },
        "t2_signal": _SIGNAL_SYNONYMS,
    }
)


def allowed_values(field: str) -> str:
    """Describe the values a field accepts, for error messages."""
    if field == "size":
        return (
            f"{', '.join(CATEGORICAL_FIELDS[field])}, or the largest dimension, "
            f'e.g. 28 (mm), "28 mm", "2.8 cm"'
        )
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
