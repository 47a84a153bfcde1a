"""The vertebral levels a tumour spans, and the level-like words that are not levels.

"T2" is a vertebra in "a mass at T2" and a sequence in "hyperintense on T2"; "T1 and T2" is a pair
of sequences in "low T1 and T2 signal"; "T13" is no vertebra at all, and is said so rather than
dropped. The level comes from the first sentence about the mass that names a valid extent, else
from any sentence that is not about a procedure, a dermatome, a symptom or a disc.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tumorclf.extract import rules as _rules
from tumorclf.extract.result import Span, Unused
from tumorclf.schema.vocabulary import LEVEL_INDEX

_NOT_A_LEVEL_AFTER = re.compile(
    r"^\s*-?\s*(?:(?:/|and|&|,)\s*T[12]\s*)?-?\s*(?:weighted|w\b|wi\b|images?|imaging|"
    r"sequences?|signals?|hyper|hypo|iso|flair|stir|fat|post|pre|contrast|\*|[\w-]+\s+(?:intens\w*|"
    r"signals?)|[\s,]*(?:and|&)\s+"
    r"(?:T[12]\s*)?(?:weighted|signals?|images?|sequences?)|[\s,]*(?:and|&|/)\s*T2\s*(?:WI|W)\b)",
    re.IGNORECASE,
)
_NOT_A_LEVEL_BEFORE = re.compile(
    r"(?:\bon|\bin|\blow|\bhigh|\blong|\bshort|\bequal|\bbright|intense|intensity|signal|"
    r"sagittal|axial|coronal|contrast|weighted|enhanced|gadolinium)\s*$",
    re.IGNORECASE,
)
#: A pair of sequences, not a span of vertebrae: "T1 and T2", "T1/T2" next to words of signal.
_SEQUENCE_PAIR = re.compile(
    r"^\s*(?:-?\s*weighted\s*)?(?:images?\s*)?(?:signals?|intens\w*|weighted|images?|sequences?|"
    r"hyper|hypo|iso|WI\b)",
    re.IGNORECASE,
)
#: Words of a procedure, a symptom or a disc: a level named next to them (within a few words, same
#: clause) is not the tumour's ("a C2-3 laminoplasty", "S1 radicular symptoms").
NOT_A_TUMOUR_LEVEL = re.compile(
    r"\b(?:dermatomes?|laminectom\w*|laminotom\w*|laminoplast\w*|hemilaminectom\w*|corpectom\w*|"
    r"fixation|screws?|fusion|level of the conus|herniation|herniated|radicul\w+|sensory|"
    r"myelopath\w+|paresis|paraparesis|paraplegi\w+|decompress\w*|vertebroplast\w*|"
    r"instrumentation|arthrodesis|dermatomal|reflex\w*|hypoesthesia|numbness|weakness|pain)\b",
    re.IGNORECASE,
)
_NEAR_WORDS = 3


#: A level that names a nerve root ("the S-2 nerve root", "the L3 rootlet") is no vertebral level.
_A_ROOT_AFTER = re.compile(
    r"^\s*(?:spinal\s+|ventral\s+|dorsal\s+)?(?:nerve\s+)?root", re.IGNORECASE
)


#: An extent from a landmark above the spine ("from the clivus to C7") has no top level; an extent
#: of oedema, a syrinx or bleeding is theirs, not the tumour's.
_NOT_THE_TUMOURS_EXTENT = re.compile(
    r"(?:\b(?:clivus|medulla\w*|occiput|foramen\s+magnum|cervico-?\s*medullary\s+junction|"
    r"cranio-?\s*(?:cervical|vertebral)\s+junction|brain\s*stem|posterior\s+fossa|skull\s+base)\s+"
    r"(?:down\s+)?to\s+(?:the\s+)?(?:[\w-]+\s+){0,3}|\b(?:o?edema|syrinx|syringo\w*|hydromyelia|"
    r"h(?:a)?emorrhage|signal\s+change)\s+(?:[\w-]+\s+){0,3}(?:from|at|between)\s+(?:the\s+)?)$",
    re.IGNORECASE,
)


def _near_procedure(body: str, start: int, end: int) -> bool:
    """Whether a level at ``body[start:end]`` has a procedure or symptom word within a few words
    of it in its clause, or names a nerve root."""
    if _A_ROOT_AFTER.match(body[end:]) or _NOT_THE_TUMOURS_EXTENT.search(body[:start]):
        return True
    before = re.split(r"[,;:()]", body[:start])[-1]
    after = re.split(r"[,;:()]", body[end:])[0]
    near = " ".join(before.split()[-_NEAR_WORDS:] + after.split()[:_NEAR_WORDS])
    return NOT_A_TUMOUR_LEVEL.search(near) is not None


#: A level-like token: a letter of the spine and one or two digits.
_TOKEN = re.compile(r"\b(?P<letter>C|Th|T|D|L|S)\s?-?(?P<n>\d{1,2})\b(?!\s*-?\s*weighted|WI)")
_LIMITS = {"C": 7, "T": 12, "D": 12, "TH": 12, "L": 5, "S": 5}
#: Two levels joined by "and" are an extent when they are next to each other ("T6 and T7",
#: "surrounding C4 and C5"); otherwise they may be two lesions ("at T10 and T12").
_ADJACENT_PAIR = re.compile(
    r"\b(?P<top>(?:C|Th|T|D|L|S)\s?-?\d{1,2})\s+and\s+(?P<bottom>(?:C|Th|T|D|L|S)\s?-?\d{1,2})\b",
    re.IGNORECASE,
)


def _sequence_not_level(text: str, match: re.Match[str]) -> bool:
    """'T2' in 'T2-weighted' or 'on T2' is an MRI sequence, not the second thoracic vertebra;
    so is 'T1 and T2' in 'low T1 and T2 signal'."""
    top = _rules.level_name(match.group("top"))
    bottom = match.group("bottom")
    if top not in ("T1", "T2"):
        return False
    if bottom:
        if _rules.level_name(bottom) not in ("T2", "2") or "-" in match.group():
            return False
        return bool(
            _SEQUENCE_PAIR.match(text[match.end() :])
            or _NOT_A_LEVEL_BEFORE.search(text[: match.start()])
        )
    return bool(
        _NOT_A_LEVEL_AFTER.match(text[match.end() :])
        or (
            _NOT_A_LEVEL_BEFORE.search(text[: match.start()])
            and not re.match(r"\s*(?:-|to)\s*[CTLS]", text[match.end() :])
        )
    )


def find_level(text: str, readable: Callable[[int], bool]) -> tuple[str, Span] | None:
    """The first vertebral extent named in a sentence about the mass, else in any sentence
    that is not about a procedure, a dermatome, a symptom or a disc (``readable``: whether a
    position holds findings)."""
    sentences = list(_rules.SENTENCE.finditer(text))
    about_mass = [s for s in sentences if _rules.MASS.search(s.group())]
    for sentence in (*about_mass, *(s for s in sentences if s not in about_mass)):
        found = _level_in(sentence.group(), sentence.start(), readable)
        if found is not None:
            return found
    return None


def level_in(value: str, offset: int) -> tuple[str, Span] | None:
    """The first valid vertebral extent in ``value`` (a template's "Level:" entry), which starts
    at ``offset`` in the text."""
    return _level_in(value, offset)


def _candidates(body: str, offset: int) -> list[tuple[int, str, str, Span]]:
    out: list[tuple[int, str, str, Span]] = []

    def add(match: re.Match[str], top: str, bottom: str) -> None:
        span = Span(offset + match.start(), offset + match.end(), match.group())
        out.append((match.start(), top, bottom, span))

    for match in _ADJACENT_PAIR.finditer(body):  # "at the T6 and T7 levels", next to each other
        top, bottom = (_rules.level_name(match.group(g)) for g in ("top", "bottom"))
        if top in LEVEL_INDEX and LEVEL_INDEX.get(bottom) == LEVEL_INDEX[top] + 1:
            add(match, top, bottom)
    for match in _rules.SPANNING.finditer(body):
        top = match.group("top") or match.group("top2")
        bottom = match.group("bottom") or match.group("bottom2")
        add(match, _rules.level_name(top), _rules.level_name(bottom))
    for match in _rules.WORDED_LEVEL.finditer(body):
        top = _worded(match.group("region"), match.group("n"))
        bottom = _worded(match.group("region2") or match.group("region"), match.group("n2"))
        add(match, top, bottom if match.group("n2") else top)
    for match in _rules.LEVEL_RANGE.finditer(body):
        if _sequence_not_level(body, match):
            continue
        top = _rules.level_name(match.group("top"))
        raw = match.group("bottom")
        bottom = (
            top
            if not raw
            else (top[0] + raw.strip() if raw.strip().isdigit() else _rules.level_name(raw))
        )
        add(match, top, bottom)
    for match in _rules.ORDINAL_LEVEL.finditer(body):
        letter = {"cervical": "C", "thoracic": "T", "dorsal": "T", "lumbar": "L", "sacral": "S"}[
            match.group("region").lower()
        ]
        top = f"{letter}{_rules.ordinal(match.group('n'))}"
        bottom = f"{letter}{_rules.ordinal(match.group('n2'))}" if match.group("n2") else top
        add(match, top, bottom)
    return sorted(out, key=lambda c: c[0])


def _worded(region: str, n: str | None) -> str:
    letter = {"cervical": "C", "thoracic": "T", "dorsal": "T", "lumbar": "L", "sacral": "S"}
    return f"{letter[region.lower()]}{int(n)}" if n else ""


def _level_in(
    body: str, offset: int, readable: Callable[[int], bool] = lambda _: True
) -> tuple[str, Span] | None:
    for _, top, bottom, span in _candidates(body, offset):
        if not readable(span.start) or _near_procedure(
            body, span.start - offset, span.end - offset
        ):
            continue
        if top in LEVEL_INDEX and bottom in LEVEL_INDEX and LEVEL_INDEX[top] <= LEVEL_INDEX[bottom]:
            return (top if top == bottom else f"{top}-{bottom}"), span
    return None


def unused_levels(text: str, readable: Callable[[int], bool]) -> list[Unused]:
    """Level-like words that are no vertebral level ("T13", "S7"), and extents whose bottom is
    above their top, each with why."""
    out = []
    for match in _TOKEN.finditer(text):
        letter, n = match.group("letter").upper(), int(match.group("n"))
        if not readable(match.start()) or 1 <= n <= _LIMITS[letter]:
            continue
        name = f"{'T' if letter in ('TH', 'D') else letter}{n}"
        first = {"C": "C1-C7", "T": "T1-T12", "L": "L1-L5", "S": "S1-S5"}[name[0]]
        out.append(
            Unused(
                Span(match.start(), match.end(), match.group()),
                f"{name} is not a vertebral level (the {first} levels are)",
                "level",
            )
        )
    for sentence in _rules.SENTENCE.finditer(text):
        if not readable(sentence.start()):
            continue
        for _, top, bottom, span in _candidates(sentence.group(), sentence.start()):
            if (
                top in LEVEL_INDEX
                and bottom in LEVEL_INDEX
                and LEVEL_INDEX[top] > LEVEL_INDEX[bottom]
            ):
                out.append(Unused(span, f"{top} is below {bottom}: not an extent", "level"))
    return out


__all__ = ["NOT_A_TUMOUR_LEVEL", "find_level", "level_in", "unused_levels"]
