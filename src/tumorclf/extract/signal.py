"""The lesion's signal apart from its parts': a rim, a cap, a cyst or the cord's oedema.

"Heterogeneous on T2 with a hypointense rim" states the lesion heterogeneous and its rim
hypointense; "the cystic component was hyperintense on T2" is the cyst's signal; "peritumoral
oedema hyperintense on T2" is the cord's. A signal word names a part when the part follows it
closely ("a hypointense rim") or is the last thing named before it in its clause ("the cyst was
hyperintense"). A signal compared with a structure ("hyperintense to the cord") is the lesion's.
"""

from __future__ import annotations

import re

from tumorclf.extract.rules import MASS

#: Parts of a lesion, and what lies around it, whose signal is not the lesion's.
PARTS = (
    r"(?:rims?|caps?|capsules?|cysts?|cystic\s+(?:components?|parts?|portions?|areas?|"
    r"cavit(?:y|ies)|spaces?|changes?)|(?:mural\s+)?nodules?|septa|septum|septations?|o?edema|"
    r"syrinx|syringomyelia|fluid(?:[\s-]+levels?)?|ha?emosiderin|margins?|walls?|halo|rings?|"
    r"periphery|cent(?:re|er)|core|areas|foci|focus|spots?|components?|portions?|strands?|"
    r"bands?|clefts?|vessels?|flow\s+voids?|fat|marrow|(?:spinal\s+)?cord|CSF|signal\s+voids?|"
    r"regions?|zones?|parts?|bone|vertebra\w*|dura|nerve\s+roots?|calcifications?|"
    r"ha?emorrhages?|blood|clots?|(?:peri)?tumou?ral\s+\w+|dots?|flecks?|septal?)"
)
_COMPARED = r"(?:to|than|with|relative\s+to|compared\s+(?:to|with)|like)"
#: After the signal word: a few describing words, then a part (never across a lesion's name, a
#: preposition or a comparison).
_PART_AFTER = re.compile(
    rf"^(?:[\s-]*(?:signal(?:\s+intensity)?|intensity|T[12](?:WI|W)?|-?weighted|images?))*"
    rf"[\s,-]+(?:(?!(?:{MASS.pattern[2:-2]}|with|and|or|of|to|in|on|at|than|relative|compared|"
    rf"the|a|an|was|were|is|are)\b)[\w-]+\s+){{0,2}}(?P<part>{PARTS})\b",
    re.IGNORECASE,
)
_PART_BEFORE = re.compile(rf"(?P<part>{PARTS})\b", re.IGNORECASE)
#: Where the words naming what a signal belongs to stop, going back from the signal.
_SUBJECT_STOP = re.compile(
    r"[.;:!?\n,()]|\b(?:and|with|that|which|but|however|whereas|while|showed|shows|revealed|"
    r"demonstrated|on|in)\b",
    re.IGNORECASE,
)
#: The subject of a signal is in the last few words before it ("the cystic component was").
_SUBJECT_WORDS = 4


def part_named(text: str, start: int, end: int) -> str | None:
    """The part of the lesion whose signal the signal word ``text[start:end]`` gives, or None
    when it is the lesion's own."""
    after = _PART_AFTER.match(text[end : end + 60])
    if after is not None:
        return after.group("part")
    head = text[max(0, start - 120) : start]
    stops = list(_SUBJECT_STOP.finditer(head))
    clause = head[stops[-1].end() :] if stops else head
    clause = " ".join(clause.split()[-_SUBJECT_WORDS:])
    last_part = None
    for match in _PART_BEFORE.finditer(clause):
        last_part = match
    if last_part is None:
        return None
    before_part = clause[: last_part.start()]
    if re.search(rf"\b{_COMPARED}\s+(?:the\s+)?(?:normal\s+)?$", before_part, re.IGNORECASE):
        return None  # a comparison: "hyperintense relative to the cord"
    if MASS.search(clause[last_part.end() :]):
        return None  # the lesion is named after the part: the signal is the lesion's
    return last_part.group("part")


__all__ = ["PARTS", "part_named"]
