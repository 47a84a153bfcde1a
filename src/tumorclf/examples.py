"""The case the project grew from, as an example to try the API, the CLI and the page with.

Chen & Lai, BMC Neurology 2022 (``shared/seed``): a 19-year-old man with a
T12-L2 intra- and extradural dumbbell mesenchymal chondrosarcoma,
homogeneously enhancing, with punctate calcification and no dural tail.

>>> from tumorclf.examples import SEED_CASE
>>> SEED_CASE["level"], SEED_CASE["calcification"]
('T12-L2', 'punctate')
"""

from __future__ import annotations

from typing import Any, Final

#: The seed paper's case, as a report states it, in the schema's own spellings (copy it to change
#: it).
SEED_CASE: Final[dict[str, Any]] = {
    "age": 19,
    "sex": "M",
    "level": "T12-L2",
    "compartment": "intra_extradural",
    "dumbbell": True,
    "enhancement": "homogeneous",
    "calcification": "punctate",
    "dural_tail": False,
}

__all__ = ["SEED_CASE"]
