"""Every wording of a finding in a stretch of text, with what it states and its status.

Each rule of :mod:`tumorclf.extract.rules` is matched; the clause around a match decides whether
it is affirmed, denied or only entertained (:mod:`tumorclf.extract.negation`); a signal that is a
part's (:mod:`tumorclf.extract.signal`) and an intensity of enhancement ("avid") are words not
used, with why.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from tumorclf.extract import rules as _rules
from tumorclf.extract.negation import Status, reading
from tumorclf.extract.result import Mention, Span, Unused
from tumorclf.extract.signal import part_named

#: Rank of a mention: affirmed specific values first, then affirmed generic ("enhancing",
#: "calcified"), then what a denial states.
AFFIRMED, GENERIC, DENIED = 0, 1, 2
_SIGNAL_GROUPS = ("signal", "signal2", "signal3", "first", "relax")
#: Words for how strongly a lesion enhances: said, but not a field of the schema.
INTENSITY_WORD = re.compile(
    r"\b(?:avid|marked|intense|intensive|strong|mild|moderate|slight|faint|vivid|significant|"
    r"obvious|prominent|brisk|pronounced|weak|minimal|bright|striking)(?:ly)?\b",
    re.IGNORECASE,
)
_INTENSITY = re.compile(
    r"\b(?P<word>avid(?:ly)?|marked(?:ly)?|intense(?:ly)?|intensive(?:ly)?|strong(?:ly)?|"
    r"mild(?:ly)?|moderate(?:ly)?|slight(?:ly)?|faint(?:ly)?|vivid(?:ly)?|significant(?:ly)?|"
    r"obvious(?:ly)?|prominent(?:ly)?|brisk(?:ly)?|pronounced|weak(?:ly)?|minimal(?:ly)?|"
    r"bright(?:ly)?|striking(?:ly)?)\s+(?:(?:and\s+)?[\w-]+\s+){0,2}?(?:contrast\s+)?"
    r"(?:enhanc\w*|uptake)|\benhanc\w*\s+(?P<word2>avidly|markedly|intensely|strongly|mildly|"
    r"moderately|slightly|faintly|vividly|significantly|obviously|prominently|briskly|weakly|"
    r"minimally|brightly|strikingly)\b",
    re.IGNORECASE,
)
INTENSITY_REASON = "how strongly it enhances is not a field (its pattern is)"


@dataclass(frozen=True)
class Found:
    """A mention with its rank and position, for choosing among a field's mentions."""

    rank: int
    position: int
    mention: Mention
    trigger: str = ""  # the words that deny it or leave it open


def _signal_span(match: re.Match[str]) -> tuple[int, int] | None:
    """Where the signal word of a signal mention is, the whole word ("hypointense", "long T2")."""
    for name in _SIGNAL_GROUPS:
        if name in match.re.groupindex and match.group(name):
            start, end = match.span(name)
            rest = re.match(r"\w*(?:[\s-]*intens\w*)?", match.string[end:])
            return start, end + (rest.end() if rest else 0)
    return None


def rule_mentions(
    text: str,
    start: int = 0,
    end: int | None = None,
    fields: Collection[str] | None = None,
    breaks: Collection[int] = (),
) -> tuple[list[Found], list[Unused]]:
    """The mentions of findings in ``text[start:end]`` (of ``fields`` only, if given), and the
    words met there but not used. No wording runs across one of ``breaks`` (where a template's
    entry starts: "isointense / T2 signal: ..." is two entries, not a T2 signal)."""
    end = len(text) if end is None else end
    cuts = sorted(breaks)

    def crosses(match: re.Match[str]) -> bool:
        return any(match.start() < cut < match.end() for cut in cuts)

    found: list[Found] = []
    unused: list[Unused] = []
    for rule in _rules.RULES:
        if fields is not None and rule.field not in fields:
            continue
        for match in rule.pattern.finditer(text, start, end):
            if crosses(match):
                continue
            stated = rule.value_of(match)
            if callable(rule.value) and stated is None:
                continue  # the words name something else ("contrast-enhanced images")
            said = reading(text, match.start(), match.end())
            span = Span(said.start, said.end, text[said.start : said.end])
            if said.status is Status.AFFIRMED:
                value, rank = stated, GENERIC if rule.generic else AFFIRMED
                if rule.field in ("t1_signal", "t2_signal"):
                    where = _signal_span(match)
                    part = part_named(text, *where) if where else None
                    if part is not None:
                        reason = f"the signal of the {part.lower()}, not of the lesion"
                        unused.append(Unused(span, reason, rule.field))
                        continue
            elif said.status is Status.DENIED:
                value, rank = rule.denied, DENIED
            else:
                value, rank = stated if rule.value is not None else rule.denied, DENIED
            if value is None:
                continue
            mention = Mention(rule.field, value, span, said.status)
            found.append(Found(rank, match.start(), mention, said.trigger))
    if fields is None or "enhancement" in fields:
        for match in _INTENSITY.finditer(text, start, end):
            if crosses(match):
                continue
            said = reading(text, match.start(), match.end())
            if said.status is Status.AFFIRMED:
                span = Span(match.start(), match.end(), match.group())
                unused.append(Unused(span, INTENSITY_REASON, "enhancement"))
    return found, unused


__all__ = [
    "AFFIRMED",
    "DENIED",
    "GENERIC",
    "INTENSITY_REASON",
    "INTENSITY_WORD",
    "Found",
    "rule_mentions",
]
