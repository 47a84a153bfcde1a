"""Diagnosis labels: canonical class names and the spellings papers use for them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tumorclf.schema.parsing import InvalidValue, is_missing

#: Common names of the default classes; a class added in the priors file is
#: matched by its own name without an entry here.
LABEL_SYNONYMS = {
    "mesenchymal_chondrosarcoma": "mcs",
    "neurilemmoma": "schwannoma",
    "neurinoma": "schwannoma",
    "haemangioblastoma": "hemangioblastoma",
    "mpe": "myxopapillary_ependymoma",
    "sft": "solitary_fibrous_tumor",
    "solitary_fibrous_tumour": "solitary_fibrous_tumor",
    "sft/hpc": "solitary_fibrous_tumor",
    "hemangiopericytoma": "solitary_fibrous_tumor",
}

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def parse_label(value: Any, classes: Sequence[str] | None = None) -> str:
    """Canonical class name for a diagnosis; raises InvalidValue if not a known class."""
    if is_missing(value):
        raise InvalidValue("is missing; labelled cases need a diagnosis")
    if not isinstance(value, str):
        raise InvalidValue("is not a class name")
    key = "_".join(value.strip().lower().replace("-", " ").split())
    key = LABEL_SYNONYMS.get(key, key)
    if classes is not None:
        if key not in classes:
            raise InvalidValue("is not one of the classes")
    elif not _IDENTIFIER.match(key):
        raise InvalidValue("is not a class name")
    return key
