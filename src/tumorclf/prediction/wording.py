"""A prediction in a radiologist's words: findings, classes, the reading, the set and the alert."""

from __future__ import annotations

from typing import Any

import numpy as np

from tumorclf.model.readings import reading_words
from tumorclf.schema import CODE_COLUMN, CODE_VALUES, CaseArrays

#: Findings as a radiologist names them, per field and canonical value.
FINDING_WORDS: dict[str, dict[Any, str]] = {
    "sex": {"M": "male", "F": "female"},
    "compartment": {
        "intradural_extramedullary": "intradural extramedullary",
        "extradural": "extradural",
        "intra_extradural": "intra- and extradural",
        "intramedullary": "intramedullary",
    },
    "enhancement": {
        "homogeneous": "homogeneous enhancement",
        "heterogeneous": "heterogeneous enhancement",
        "peripheral": "peripheral enhancement",
        "none": "no enhancement",
        "present": "enhancement (pattern not stated)",
    },
    "calcification": {
        "none": "no calcification",
        "punctate": "punctate calcification",
        "massive": "massive calcification",
        "rings_arcs": "rings-and-arcs calcification",
        "present": "calcification (kind not stated)",
    },
    "calcification_site": {
        "central": "central calcification",
        "peripheral": "peripheral calcification",
        "diffuse": "diffuse calcification",
    },
    "t2_signal": {
        "hypo": "T2 hypointense",
        "iso": "T2 isointense",
        "hyper": "T2 hyperintense",
        "heterogeneous": "heterogeneous T2 signal",
    },
    "dumbbell": {True: "dumbbell shape", False: "no dumbbell shape"},
    "dural_tail": {True: "dural tail", False: "no dural tail"},
    "dural_attachment": {True: "dural attachment", False: "no dural attachment"},
    "cystic_change": {True: "cystic change", False: "no cystic change"},
    "flow_voids": {True: "flow voids", False: "no flow voids"},
    "bone_erosion": {True: "bone erosion", False: "no bone erosion"},
    "syndrome": {
        "none": "no tumour syndrome",
        "vhl": "von Hippel-Lindau disease",
        "nf1": "neurofibromatosis type 1",
        "nf2": "neurofibromatosis type 2",
    },
    "named_site": {
        "conus_medullaris": "at the conus medullaris",
        "filum_terminale": "arising from the filum terminale",
        "cauda_equina": "in the cauda equina",
        "nerve_root": "arising from a nerve root",
        "other": "away from the conus, filum, cauda equina and nerve roots",
    },
    "syrinx": {True: "syrinx", False: "no syrinx"},
    "haemorrhage": {True: "haemorrhage or haemosiderin", False: "no haemorrhage"},
    "t1_signal": {
        "hypo": "T1 hypointense",
        "iso": "T1 isointense",
        "hyper": "T1 hyperintense",
        "heterogeneous": "heterogeneous T1 signal",
    },
    "multiple_lesions": {True: "multiple lesions", False: "a single lesion"},
    "size": {
        "under_2cm": "under 2 cm",
        "2_to_4cm": "2-4 cm",
        "4_to_6cm": "4-6 cm",
        "6cm_or_more": "6 cm or more",
    },
}


def class_words(name: str) -> str:
    """A class as a person names it: "MCS", "solitary fibrous tumor"."""
    return "MCS" if name == "mcs" else name.replace("_", " ")


def finding_words(arrays: CaseArrays, finding: str) -> str:
    """The first case's ``finding`` in words
    ("age 19", "level T12-L2", "punctate calcification")."""
    if finding == "age":
        return f"age {arrays.age[0]:g}"
    if finding == "level":
        top, bottom = (
            arrays.codes[0, CODE_COLUMN["level_top"]],
            arrays.codes[0, CODE_COLUMN["level_bottom"]],
        )
        names = [CODE_VALUES["level_top"][c] for c in (top, bottom) if c >= 0]
        return "level " + "-".join(dict.fromkeys(names))
    value = CODE_VALUES[finding][arrays.codes[0, CODE_COLUMN[finding]]]
    return FINDING_WORDS[finding][value]


def differential_column(
    proba: np.ndarray, classes: list[str], threshold: float = 0.01, min_classes: int = 3
) -> np.ndarray:
    """Every row's differential as text ("mcs 0.812; schwannoma 0.103; ..."), built with array
    operations (no per-row Python).

    Classes in falling probability, down to ``threshold`` but never fewer than
    ``min_classes``; ties keep the column order.
    """
    order = np.argsort(-proba, axis=1, kind="stable")
    ranked = np.take_along_axis(proba, order, axis=1)
    # Every "name 0.123" a cell can hold, looked up by class and thousandths.
    scaled = ranked * 1000
    thousandths = np.floor(scaled + 0.5)
    halfway = (
        np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    )  # let Python's own rounding decide these few
    thousandths[halfway] = [round(float(f"{p:.3f}") * 1000) for p in ranked[halfway]]
    thousandths = np.clip(thousandths, 0, 1000).astype(np.intp)
    labels = np.array(
        [[f"{name} {t / 1000:.3f}" for t in range(1001)] for name in classes], dtype=object
    )
    out = labels[order[:, 0], thousandths[:, 0]].copy()
    for k in range(1, proba.shape[1]):
        keep = (ranked[:, k] >= threshold) | (k < min_classes)
        if not keep.any():
            break
        rows = np.flatnonzero(keep)
        out[rows] = out[rows] + "; " + labels[order[rows, k], thousandths[rows, k]]
    return out


def names_in_order(proba: np.ndarray, kept: np.ndarray, classes: list[str]) -> np.ndarray:
    """Every row's kept classes (``kept``: ``(n, C)`` booleans) as text, most probable first, joined
    by "; " ("mcs; neurofibroma"; "" for none), built with array operations (no per-row Python)."""
    order = np.argsort(-proba, axis=1, kind="stable")
    ranked = np.take_along_axis(kept, order, axis=1)
    names = np.asarray(classes, dtype=object)
    out = np.full(len(proba), "", dtype=object)
    for k in range(proba.shape[1]):
        rows = np.flatnonzero(ranked[:, k])
        if not len(rows):
            continue
        name = names[order[rows, k]]
        out[rows] = np.where(out[rows] == "", name, out[rows] + "; " + name)
    return out


__all__ = [
    "FINDING_WORDS",
    "class_words",
    "differential_column",
    "finding_words",
    "names_in_order",
    "reading_words",
]
