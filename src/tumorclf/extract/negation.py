"""Is a finding affirmed, denied or only entertained? A NegEx-style reading of its clause.

NegEx (Chapman et al., J Biomed Inform 2001;34:301-10) decides a finding's
status from trigger phrases within a few words of it, in the same clause:
"no dural tail", "without calcification", "calcification was absent" deny
it; "could not exclude invasion", "possible dural tail", "suspicious for"
leave it open. A clause ends at a sentence end, a semicolon, a colon, a
line break, or a word such as "but" or "however" (and ", with ...", ", and
there ..."). Triggers are matched as whole words; a trigger inside a
pseudo-negation ("no change in", "not only") is no trigger, and a denial
denied ("not absent", "not without") affirms.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import NamedTuple


class Status(Enum):
    """What the text says of a finding."""

    AFFIRMED = "affirmed"
    DENIED = "denied"
    UNCERTAIN = "uncertain"


class Reading(NamedTuple):
    """A finding's status, the extent of the words that decide it (the finding with its
    trigger, e.g. "without calcification"), and the trigger ("" when affirmed)."""

    status: Status
    start: int
    end: int
    trigger: str = ""


#: Phrases before a finding that deny it (within :data:`WINDOW` words, same clause).
PRE_NEGATION = (
    "no",
    "not",
    "without",
    "absence of",
    "absent",
    "negative for",
    "free of",
    "lack of",
    "lacking",
    "neither",
    "nor",
    "no evidence of",
    "no obvious evidence of",
    "no sign of",
    "no signs of",
    "none of",
)
#: Phrases that hold a negation word but deny nothing ("no change in the enhancing mass").
PSEUDO_NEGATION = (
    "no change",
    "no changes",
    "no interval change",
    "no significant change",
    "no increase",
    "no decrease",
    "no further",
    "not only",
    "not necessarily",
    "no longer",
    "without difficulty",
    "not exclude",
    "not be excluded",
    "not rule out",
    "not be ruled out",
    "not completely exclude",
    "no doubt",
    "with and without",
    "with or without",
    "without and with",
)
#: A denial of a denial: the finding is affirmed ("the dural tail was not absent").
DOUBLE_NEGATION = re.compile(
    r"\b(?:not|never|no)\s+(?:absent|without|lacking|missing)\b|\bno\s+(?:absence|lack)\s+of\b",
    re.IGNORECASE,
)
#: Phrases after a finding that deny it ("calcification was absent").
POST_NEGATION = (
    "absent",
    "nil",
    "none seen",
    "ruled out",
    "excluded",
    "not appreciated",
    "not evident",
    "not visible",
    "not demonstrated",
    "not noted",
    "not apparent",
    "not depicted",
    "not seen",
    "not present",
    "not observed",
    "not identified",
    "not detected",
    "not found",
    "was not",
    "were not",
    "is not",
    "are not",
    "negative",
)
#: Phrases before a finding that leave it open.
PRE_UNCERTAIN = (
    "could not exclude",
    "could not be excluded",
    "cannot exclude",
    "can not exclude",
    "cannot be excluded",
    "could not completely exclude",
    "not completely exclude",
    "possible",
    "possibly",
    "probable",
    "suspected",
    "suspicious for",
    "suspicion of",
    "questionable",
    "may",
    "might",
    "may represent",
    "differential",
    "rule out",
    "r/o",
    "versus",
    "vs",
)
#: Phrases after a finding that leave it open ("invasion could not be excluded").
POST_UNCERTAIN = (
    "could not be excluded",
    "cannot be excluded",
    "can not be excluded",
    "cannot be ruled out",
    "could not be ruled out",
    "can not be ruled out",
    "not ruled out",
    "not be excluded",
    "not be ruled out",
    "not excluded",
    "is possible",
    "was possible",
    "questionable",
    "equivocal",
    "or necrotic",
    "or necrosis",
    "vs",
    "versus",
    "was suspected",
    "is suspected",
    "?",
)
#: Words that end a trigger's reach.
TERMINATORS = (
    "but",
    "however",
    "although",
    "though",
    "except",
    "whereas",
    "while",
    "yet",
    "which",
    "that",
)
#: How many words before a finding a trigger may stand (a list: "no X, Y, Z or W").
WINDOW = 10
#: How many words after a finding a trigger may stand ("calcification at T4 could not be excluded").
POST_WINDOW = 7

_CLAUSE_END = re.compile(
    r"(?<!\bvs)(?<!\bFig)(?<!\bi\.e)(?<!\be\.g)(?<!\bcf)(?<!\bal)(?<!\bapprox)[.;:!?\n\r]|"
    r"\s[\u2013\u2014]\s|,\s*(?:with\b|and\s+(?:there|a|an|the|it)\b)|\b(?:{})\b".format(
        "|".join(TERMINATORS)
    ),
    re.IGNORECASE,
)


def _phrase(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(w) for w in words), key=len, reverse=True)
    return re.compile(r"(?:(?<=\W)|^)(?:{})(?=\W|$)".format("|".join(alternatives)), re.IGNORECASE)


_PRE_NEG, _POST_NEG = _phrase(PRE_NEGATION), _phrase(POST_NEGATION)
_PRE_UNC, _POST_UNC = _phrase(PRE_UNCERTAIN), _phrase(POST_UNCERTAIN)
_PSEUDO = _phrase(PSEUDO_NEGATION)


def _triggers(pattern: re.Pattern[str], words: str) -> list[re.Match[str]]:
    """The trigger phrases in ``words``, leaving out those inside a pseudo-negation."""
    pseudo = [m.span() for m in _PSEUDO.finditer(words)]
    return [
        m
        for m in pattern.finditer(words)
        if not any(start <= m.start() < end for start, end in pseudo)
    ]


_WORD = re.compile(r"[\w'-]+")


def _clause_before(text: str, start: int) -> tuple[str, int]:
    """The words of the clause before ``start`` (at most :data:`WINDOW`), and where they begin."""
    head = text[:start]
    ends = list(_CLAUSE_END.finditer(head))
    begin = ends[-1].end() if ends else 0
    words = list(_WORD.finditer(head, begin))
    if len(words) > WINDOW:
        begin = words[-WINDOW].start()
    return head[begin:], begin


def _clause_after(text: str, end: int) -> str:
    tail = text[end:]
    stop = _CLAUSE_END.search(tail)
    clause = tail[: stop.start()] if stop else tail
    if stop and stop.group() == "?":
        clause += "?"
    words = list(_WORD.finditer(clause))
    return (
        clause[: words[min(len(words), POST_WINDOW) - 1].end()]
        + ("?" if clause.endswith("?") else "")
        if words
        else clause
    )


def status(text: str, start: int, end: int) -> Status:
    """The status of the finding at ``text[start:end]``."""
    return reading(text, start, end)[0]


def reading(text: str, start: int, end: int) -> Reading:
    """The status of the finding at ``text[start:end]``, the extent of the words that decide it
    and the trigger that decided it.

    A finding inside parentheses names the phrase before them ("without
    thickening of the adjacent dura (the dural tail sign)"), so it is read
    from where the parentheses open.
    """
    opened = text.rfind("(", 0, start)
    anchor = opened if opened >= 0 and ")" not in text[opened:start] else start
    before, begin = _clause_before(text, anchor)
    after = _clause_after(text, end)
    if DOUBLE_NEGATION.search(before) or DOUBLE_NEGATION.search(after):
        return Reading(Status.AFFIRMED, start, end)
    for trigger, state in ((_PRE_UNC, Status.UNCERTAIN), (_PRE_NEG, Status.DENIED)):
        if found := _triggers(trigger, before):
            return Reading(state, begin + found[0].start(), end, found[0].group())
    if after.rstrip().endswith("?"):  # asked, not stated: "dural tail?"
        return Reading(Status.UNCERTAIN, start, end + len(after.rstrip()), "?")
    for trigger, state in ((_POST_UNC, Status.UNCERTAIN), (_POST_NEG, Status.DENIED)):
        if found := _triggers(trigger, after):
            return Reading(state, start, end + found[0].end(), found[0].group())
    return Reading(Status.AFFIRMED, start, end)


__all__ = ["Reading", "Status", "reading", "status"]
