"""The reader's opinion: a diagnosis named in the text is not a finding.

"Likely schwannoma", "consistent with meningioma", an impression's "? ependymoma": the radiologist
or the authors name a tumour. tumorclf is there to weigh that question from the findings, so a named
diagnosis is set aside and shown as an opinion, never read as a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tumorclf.extract.result import Span, Unused

#: Names of intraspinal tumours (and their mimics) a report may give as its diagnosis.
DIAGNOSES = (
    r"(?:schwannom\w*|neurinom\w*|neurilemm?om\w*|meningiom\w*|neurofibrom\w*|"
    r"h(?:a)?emangioblastom\w*|ependymom\w*|chondrosarcom\w*|solitary\s+fibrous\s+tumou?rs?|"
    r"h(?:a)?emangiopericytom\w*|paragangliom\w*|metasta\w+|lymphom\w*|astrocytom\w*|gliom\w*|"
    r"(?:peripheral\s+)?nerve\s+sheath\s+tumou?rs?|neurogenic\s+tumou?rs?|sarcom\w*|cavernom\w*|"
    r"cavernous\s+malformations?|chordom\w*|lipom\w*|(?:epi)?dermoid\w*|abscess\w*|SFT|MCS|MPE|"
    r"HPC|PNST)"
)
#: Words that put a diagnosis forward as an opinion.
HEDGES = (
    r"(?:(?:most\s+)?likely|probabl[ey]|possibl[ey]|presumabl[ey]|presumed|consistent\s+with|"
    r"compatible\s+with|suggestive\s+of|suggest(?:s|ing|ed)?|in\s+keeping\s+with|"
    r"favou?r(?:s|ing|ed)?|suspicious\s+for|suspected|concerning\s+for|representing|"
    r"represents?|thought\s+to\s+be|considered|differential(?:\s+diagnos[ie]s)?(?:\s+includes?)?|"
    r"ddx|d/dx|\?|query|raises?\s+the\s+possibility\s+of|typical\s+of|characteristic\s+of)"
)
_OPINION = re.compile(
    rf"\b{HEDGES}\s*:?\s*(?:an?\s+|the\s+)?(?:[\w-]+\s+){{0,3}}?{DIAGNOSES}\b(?:\s*(?:,|or|and|"
    rf"vs\.?|versus|/)\s*(?:an?\s+)?(?:[\w-]+\s+){{0,2}}?{DIAGNOSES}\b)*",
    re.IGNORECASE,
)
_DIAGNOSIS = re.compile(rf"\b{DIAGNOSES}\b", re.IGNORECASE)
REASON = "an opinion, not a finding"


def opinions(text: str, stretches: Iterable[tuple[int, int]]) -> list[Unused]:
    """The opinions in ``text``: every hedged diagnosis; and, in ``stretches`` (an impression read
    as opinion), every diagnosis named."""
    found: list[Unused] = [
        Unused(Span(m.start(), m.end(), m.group()), REASON) for m in _OPINION.finditer(text)
    ]
    taken = [(u.span.start, u.span.end) for u in found]
    for start, end in stretches:
        for match in _DIAGNOSIS.finditer(text, start, end):
            if not any(a <= match.start() < b for a, b in taken):
                found.append(Unused(Span(match.start(), match.end(), match.group()), REASON))
    return sorted(found, key=lambda u: u.span.start)


__all__ = ["DIAGNOSES", "REASON", "opinions"]
