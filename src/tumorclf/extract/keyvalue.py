"""A template's "Key: value" entry read for the field its key names.

"Dural tail: absent", "Calcification: none", "Flow voids - not seen" deny the finding; "Cystic
change: yes" affirms it; "Enhancement: avid, heterogeneous" gives the pattern (the intensity is a
word not used); "Age: 23", "Level: T6-T7", "Size: 2.8 cm" give their values. What cannot be read as
a value of the field is a word not used, with why.
"""

from __future__ import annotations

import re
from typing import Any

from tumorclf.extract import levels, mentions
from tumorclf.extract.demographics import age_problem, sex_of, years
from tumorclf.extract.layout import Item
from tumorclf.extract.mentions import AFFIRMED, DENIED, GENERIC, Found
from tumorclf.extract.negation import Status
from tumorclf.extract.result import Mention, Span, Unused
from tumorclf.extract.signal import PARTS
from tumorclf.schema.parsing import FIELD_PARSERS, InvalidValue, parse_size
from tumorclf.schema.vocabulary import BOOLEAN_FIELDS, COARSE_VALUES

_NEGATIVE = re.compile(
    r"^(?:no|none|nil|absent|negative|neg\.?|not\s+(?:seen|present|identified|detected|"
    r"demonstrated|visible|evident|noted|appreciated|observed)|n|[-\u2013\u2014\u00d7]|0)"
    r"(?=$|[\s,.;()])",
    re.IGNORECASE,
)
#: For a finding that is present or not: words that say it is not ("Bone: intact", "Neural
#: foramina: not widened").
_NORMAL = re.compile(
    r"^(?:normal|unremarkable|intact|preserved|no\s+abnormalit\w+|not\s+\w+)(?=$|[\s,.;()])",
    re.IGNORECASE,
)
#: Words that deny several lesions under a key that counts them ("Lesions: single").
_ONE = re.compile(r"^(?:single|one|solitary|1)\b", re.IGNORECASE)
#: Words that affirm a finding under a key that names a place ("Neural foramina: widened",
#: "Bone: C5-T2 vertebrae destroyed", "Dura: loosely attached").
_AFFIRMING = {
    "bone_erosion": re.compile(
        r"\b(?:widen\w*|enlarg\w*|expan\w*|erod\w*|erosions?|remodell?\w*|scallop\w*|destr\w*|"
        r"thinn\w*|lytic|osteoly\w*)\b",
        re.IGNORECASE,
    ),
    "multiple_lesions": re.compile(
        r"^(?:multiple|two|three|four|several|numerous|bilateral|multifocal|\d+)\b", re.IGNORECASE
    ),
    "dural_attachment": re.compile(
        r"\b(?:attach\w*|adher\w*|based|broad\s+base|contact|tail)\b", re.IGNORECASE
    ),
}
_POSITIVE = re.compile(
    r"^(?:yes|present|seen|positive|pos\.?|identified|noted|detected|visible|evident|observed|"
    r"y|\+)(?=$|[\s,.;()])",
    re.IGNORECASE,
)
_UNCERTAIN = re.compile(
    r"\b(?:possible|possibly|probable|probably|questionable|equivocal|indeterminate|uncertain|"
    r"cannot\s+be\s+(?:excluded|ruled\s+out)|not\s+excluded|suspected|suspicious)\b|\?",
    re.IGNORECASE,
)
_NOT_KNOWN = re.compile(
    r"^(?:n/?a|not\s+(?:reported|stated|known|assessed|evaluated|applicable|available)|unknown|"
    r"not\s+assessable|nr)(?=$|[\s,.;()])",
    re.IGNORECASE,
)
#: Denials that state a value of a categorical field.
_DENIED_VALUE = {"enhancement": "none", "calcification": "none", "syndrome": "none"}
_AFFIRMED_VALUE = {"enhancement": "present", "calcification": "present"}
_PIECES = re.compile(r"[,;/()]|\band\b|\bwith\b|\bbut\b|\bwhile\b", re.IGNORECASE)
_FILLER = re.compile(
    r"\b(?:slightly|mildly|markedly|mainly|predominantly|mostly|signal|intensity|pattern|"
    r"relative|to|the|cord|a|an|of|is|was|are|were|seen|noted|on|ct|mri|mr)\b",
    re.IGNORECASE,
)
_AGE_VALUE = re.compile(
    r"^(?P<minus>[-\u2212])?\s*(?P<n>\d{1,3})(?:\.\d+)?\s*(?:y|yo|yrs?|years?)?(?:\s*old)?\b",
    re.IGNORECASE,
)
_LENGTH = re.compile(
    r"\d+(?:\.\d+)?(?:\s*(?:x|\u00d7|\*|by)\s*\d+(?:\.\d+)?)*\s*(?:mm|cm)\b", re.IGNORECASE
)


def _words(field: str) -> str:
    return field.replace("_", " ")


def _found(field: str, value: Any, span: Span, status: Status, rank: int) -> Found:
    return Found(rank, span.start, Mention(field, value, span, status))


def read_entry(text: str, item: Item) -> tuple[list[Found], list[Unused]]:
    """What a "Key: value" entry states of the field its key names, and its words not used."""
    field = item.field
    assert field is not None
    start, end = item.value_start, item.end
    while start < end and text[start] in " \t:=":
        start += 1
    while end > start and text[end - 1] in " \t.;,":
        end -= 1
    whole = Span(item.start, item.end, text[item.start : item.end])
    value = text[start:end]
    if not value:
        return [], []
    if (unsure := _UNCERTAIN.search(value)) is not None:
        return [], [Unused(whole, f"uncertain: '{unsure.group()}'", field)]
    if _NOT_KNOWN.match(value):
        return [], [Unused(whole, f"says {_words(field)} is not known", field)]
    if (
        _NEGATIVE.match(value)
        or (field in BOOLEAN_FIELDS and _NORMAL.match(value))
        or (field == "multiple_lesions" and _ONE.match(value))
    ):
        if field in BOOLEAN_FIELDS:
            return [_found(field, False, whole, Status.DENIED, DENIED)], []
        if field in _DENIED_VALUE:
            return [_found(field, _DENIED_VALUE[field], whole, Status.DENIED, DENIED)], []
        return [], [Unused(whole, f"a denial says nothing of the {_words(field)}", field)]
    if field == "age":
        return _age(value, whole)
    if field == "sex":
        sex = sex_of(value.split()[0].strip(".,;"))
        if sex is None:
            return [], [Unused(whole, "not a sex (M or F)", field)]
        return [_found(field, sex, whole, Status.AFFIRMED, AFFIRMED)], []
    if field == "level":
        return _level(text, start, end, whole)
    if field == "size":
        return _size(value, whole)
    named = bool(mentions.rule_mentions(text, item.start, item.value_start, fields={field})[0])
    return _finding(text, start, end, field, whole, named=named)


def _age(value: str, whole: Span) -> tuple[list[Found], list[Unused]]:
    """The age, and the sex where the entry gives both ("Age/Sex: 45/F")."""
    found: list[Found] = []
    sex = re.search(r"(?:^|[\s/,;-])(m|f|male|female|man|woman)\b", value, re.IGNORECASE)
    if sex is not None:
        found.append(_found("sex", sex_of(sex.group(1)), whole, Status.AFFIRMED, AFFIRMED))
        value = (value[: sex.start()] + value[sex.end() :]).strip(" /,;-")
    match = _AGE_VALUE.match(value)
    if match is None:
        return found, [Unused(whole, "not a number of years", "age")]
    age = years(match.group("n")) * (-1 if match.group("minus") else 1)
    if (problem := age_problem(age)) is not None:
        return found, [Unused(whole, problem, "age")]
    return [*found, _found("age", age, whole, Status.AFFIRMED, AFFIRMED)], []


def _level(text: str, start: int, end: int, whole: Span) -> tuple[list[Found], list[Unused]]:
    found = levels.level_in(text[start:end], start)
    if found is not None:
        return [_found("level", found[0], whole, Status.AFFIRMED, AFFIRMED)], []
    wrong = levels.unused_levels(text[:end], lambda position: position >= start)
    return [], wrong or [Unused(whole, "not a vertebral level or extent", "level")]


def _size(value: str, whole: Span) -> tuple[list[Found], list[Unused]]:
    for candidate in (value, *(m.group() for m in _LENGTH.finditer(value))):
        try:
            size = parse_size(candidate)
        except InvalidValue:
            continue
        if size is not None:
            return [_found("size", size, whole, Status.AFFIRMED, AFFIRMED)], []
    return [], [Unused(whole, "not a size (a length in mm or cm, or a size bin)", "size")]


def _parse_piece(field: str, piece: str) -> Any:
    """A value of ``field`` from a few words ("heterogeneous", "avid", "T2 bright"), or None."""
    parse = FIELD_PARSERS[field]
    cleaned = " ".join(_FILLER.sub(" ", piece).split())
    for candidate in (piece, cleaned, *cleaned.split()):
        try:
            value = parse(candidate.strip(" .:-"))
        except InvalidValue:
            continue
        if value is not None:
            return value
    return None


def _finding(
    text: str, start: int, end: int, field: str, whole: Span, *, named: bool = False
) -> tuple[list[Found], list[Unused]]:
    """A finding's value from the words after its key: a bare yes, the field's own wordings, or
    the pieces of a list ("avid, heterogeneous"). ``named``: the key names the finding itself
    ("Syrinx", not "Bone"), so that words describing it say it is there."""
    value = text[start:end]
    out: list[Found] = []
    found, unused = mentions.rule_mentions(text, start, end, fields={field})
    out += found
    positive = _POSITIVE.match(value) or (field in _AFFIRMING and _AFFIRMING[field].search(value))
    if positive is not None and field in BOOLEAN_FIELDS:
        out.append(_found(field, True, whole, Status.AFFIRMED, AFFIRMED))
    elif positive is not None and field in _AFFIRMED_VALUE:
        out.append(_found(field, _AFFIRMED_VALUE[field], whole, Status.AFFIRMED, GENERIC))
    if field not in BOOLEAN_FIELDS and not found:  # the field's own wordings first
        position = start
        for piece in _PIECES.split(value):
            offset = text.index(piece, position) if piece else position
            position = offset + len(piece)
            if not piece.strip():
                continue
            parsed = _parse_piece(field, piece)
            lead = len(piece) - len(piece.lstrip())
            words = piece.strip()
            span = Span(offset + lead, offset + lead + len(words), words)
            if parsed is None:
                continue
            part = re.search(rf"\b{PARTS}\b", piece, re.IGNORECASE)
            if field in ("t1_signal", "t2_signal") and part is not None:
                reason = f"the signal of the {part.group().lower()}, not of the lesion"
                unused.append(Unused(span, reason, field))
                continue
            coarse = parsed in COARSE_VALUES.get(field, {})
            out.append(
                _found(field, parsed, whole, Status.AFFIRMED, GENERIC if coarse else AFFIRMED)
            )
    if field == "enhancement" and not unused:
        for word in mentions.INTENSITY_WORD.finditer(text, start, end):
            span = Span(word.start(), word.end(), word.group())
            reason = mentions.INTENSITY_REASON
            unused.append(Unused(span, reason, field))
    if not out and field in BOOLEAN_FIELDS and named:  # "Syrinx: C2-C5": described, so there
        out.append(_found(field, True, whole, Status.AFFIRMED, AFFIRMED))
    if not out:
        unused.append(Unused(whole, f"could not read a value of the {_words(field)} here", field))
    return _mixed_signal(field, out, whole), unused


def _mixed_signal(field: str, found: list[Found], whole: Span) -> list[Found]:
    """Two signals of the lesion in one entry ("T2: hypo- and hyperintense") are heterogeneous."""
    if field not in ("t1_signal", "t2_signal"):
        return found
    values = {f.mention.value for f in found if f.rank == AFFIRMED}
    if len(values & {"hypo", "iso", "hyper"}) > 1:
        return [_found(field, "heterogeneous", whole, Status.AFFIRMED, AFFIRMED)]
    return found


__all__ = ["read_entry"]
