"""From a report to a case: every field with the words that support it, and the words not used.

>>> from tumorclf.extract import extract_case
>>> found = extract_case("A 19-year-old male. MRI showed a dumbbell-shaped mass at T12-L2 with "
...                      "homogeneous enhancement and no dural tail. CT: punctate calcification.")
>>> found.case["level"], found.case["dural_tail"], found.case["calcification"]
('T12-L2', False, 'punctate')
>>> found.spans["dural_tail"].text
'no dural tail'
>>> template = extract_case("FINDINGS: - Age: 23 - Level: T13 - Dural tail: absent "
...                         "- Enhancement: avid\\nIMPRESSION: likely schwannoma")
>>> template.case
{'age': 23, 'enhancement': 'present', 'dural_tail': False}
>>> for item in template.unused:
...     print(f"{item.span.text!r}: {item.reason}")
'T13': T13 is not a vertebral level (the T1-T12 levels are)
'avid': how strongly it enhances is not a field (its pattern is)
'likely schwannoma': an opinion, not a finding

Rules, not a model: prose and templates alike (:mod:`~tumorclf.extract.layout`: sections,
"Key: value" lines, bullets), the wordings of :mod:`~tumorclf.extract.rules`, a NegEx-style
reading of negation and uncertainty before and after the noun
(:mod:`~tumorclf.extract.negation`), the lesion's signal apart from its parts'
(:mod:`~tumorclf.extract.signal`), and the reader's opinion set aside
(:mod:`~tumorclf.extract.opinion`). Pure Python and standard library: nothing is downloaded,
and the prediction path does not import it unless a report is given.
"""

from __future__ import annotations

from tumorclf.extract.negation import Status
from tumorclf.extract.reader import ORDER, ReportError, extract_case
from tumorclf.extract.result import Extraction, Mention, Span, Unused

__all__ = [
    "ORDER",
    "Extraction",
    "Mention",
    "ReportError",
    "Span",
    "Status",
    "Unused",
    "extract_case",
]
