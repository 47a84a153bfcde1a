"""Is a finding affirmed, denied or only entertained? A NegEx-style reading of its clause.

NegEx (Chapman et al., J Biomed Inform 2001;34:301-10) decides a finding's
status from trigger phrases within a few words of it, in the same clause:
"no dural tail", "without calcification", "calcification was absent" deny
it; "could not exclude invasion", "possible dural tail", "suspicious for"
leave it open. A clause ends at a sentence end, a semicolon, or a word
such as "but" or "however". Triggers are matched as whole words.
"""

from __future__ import annotations

import re
from enum import Enum


class Status(Enum):
    """What the text says of a finding."""

    AFFIRMED = "affirmed"
    DENIED = "denied"
    UNCERTAIN = "uncertain"


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
    "non",
)
#: Phrases after a finding that deny it ("calcification was absent").
POST_NEGATION = (
    "absent",
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
    "not excluded",
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
WINDOW = 8

_CLAUSE_END = re.compile(r"[.;:!?\n]|\b(?:{})\b".format("|".join(TERMINATORS)), re.IGNORECASE)


def _phrase(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(w) for w in words), key=len, reverse=True)
    return re.compile(r"(?:(?<=\W)|^)(?:{})(?=\W|$)".format("|".join(alternatives)), re.IGNORECASE)


_PRE_NEG, _POST_NEG = _phrase(PRE_NEGATION), _phrase(POST_NEGATION)
_PRE_UNC, _POST_UNC = _phrase(PRE_UNCERTAIN), _phrase(POST_UNCERTAIN)
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
        clause[: words[min(len(words), 5) - 1].end()] + ("?" if clause.endswith("?") else "")
        if words
        else clause
    )


def status(text: str, start: int, end: int) -> Status:
    """The status of the finding at ``text[start:end]``."""
    return reading(text, start, end)[0]


def reading(text: str, start: int, end: int) -> tuple[Status, int, int]:
    """The status of the finding at ``text[start:end]``, and the extent of the words that decide it
    (the finding with its trigger, e.g. "without calcification").

    A finding inside parentheses names the phrase before them ("without
    thickening of the adjacent dura (the dural tail sign)"), so it is read
    from where the parentheses open.
    """
    opened = text.rfind("(", 0, start)
    anchor = opened if opened >= 0 and ")" not in text[opened:start] else start
    before, begin = _clause_before(text, anchor)
    after = _clause_after(text, end)
    for trigger, state in ((_PRE_UNC, Status.UNCERTAIN), (_PRE_NEG, Status.DENIED)):
        if (found := trigger.search(before)) is not None:
            return state, begin + found.start(), end
    for trigger, state in ((_POST_UNC, Status.UNCERTAIN), (_POST_NEG, Status.DENIED)):
        if (found := trigger.search(after)) is not None:
            return state, start, end + found.end()
    return Status.AFFIRMED, start, end


__all__ = ["Status", "reading", "status"]
