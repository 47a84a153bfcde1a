"""The layout of a report: its sections, and its "Key: value" lines, bullets and numbered items.

Radiologists write templates as often as prose: section headers (CLINICAL, TECHNIQUE, FINDINGS,
IMPRESSION), "Key: value" lines, bullets and numbered lists, sometimes run together on one line
("Findings: - Age: 23 - Sex: F - Dural tail: absent"). :func:`layout` cuts a text into items, each
with its section and, where it has one, its key and the schema field the key names; prose is one
item per line. The findings are read from every section but the technique; an impression is read
for findings only when the report has no findings of its own (otherwise it is the reader's
opinion, :mod:`tumorclf.extract.opinion`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _keys(**patterns: str) -> dict[str, re.Pattern[str]]:
    return {name: re.compile(rf"(?:{p})", re.IGNORECASE) for name, p in patterns.items()}


#: The keys a template uses for each field, matched against the whole key.
FIELD_KEYS: dict[str, re.Pattern[str]] = _keys(
    age=r"(?:patient'?s?\s+)?age(?:\s*\(y(?:ears?)?\))?|age\s*(?:/|&|,|and)\s*(?:sex|gender)|"
    r"(?:sex|gender)\s*(?:/|&|,|and)\s*age",
    sex=r"sex|gender",
    level=r"(?:vertebral\s+|spinal\s+)?levels?(?:\(s\))?|extent|segments?",
    compartment=r"compartment|space|location\s*\(compartment\)",
    dumbbell=r"dumb-?\s*bell(?:\s+(?:shape|configuration|morphology|component))?|hour-?\s*glass|"
    r"(?:extra-?\s*)?foraminal\s+(?:extension|component)|extension\s+through\s+(?:the\s+)?foramen",
    enhancement=r"(?:contrast\s+|post-?\s*contrast\s+|gadolinium\s+|gd\s+)?enhancement"
    r"(?:\s+pattern)?|post-?\s*(?:contrast|gad\w*|gd)(?:\s+t1(?:wi)?)?|contrast|gadolinium|"
    r"enhancing|t1\s*(?:\+\s*c|post-?\s*contrast|with\s+contrast|c\+)",
    calcification=r"calcifications?(?:\s*\(ct\))?|ct\s+calcifications?|calcified|mineralisation|"
    r"mineralization",
    calcification_site=r"calcification\s+(?:site|location|distribution)",
    dural_tail=r"dural[\s-]+tail(?:\s+sign)?|tail\s+sign",
    dural_attachment=r"dural\s+(?:attachment|base|contact)|(?:broad\s+)?dural\s+base|attachment|"
    r"dura(?:\s+mater)?",
    cystic_change=r"cysts?|cystic(?:\s+(?:change|changes|components?|areas?|degeneration))?",
    flow_voids=r"(?:vascular\s+)?(?:flow|signal)[\s-]+voids?",
    bone_erosion=r"(?:bone|bony|osseous)(?:\s+(?:erosion|changes?|involvement|remodell?ing|"
    r"scalloping))?|(?:bone\s+)?erosion|scalloping|remodell?ing|foraminal\s+(?:widening|"
    r"enlargement)|(?:neural\s+|intervertebral\s+)?foram(?:en|ina)",
    t2_signal=r"t2(?:\s*-?\s*weighted)?(?:\s*(?:wi|w|images?))?(?:\s+signal(?:\s+intensity)?)?|"
    r"t2\s*wi|t2\s*/\s*stir|stir",
    t1_signal=r"t1(?:\s*-?\s*weighted)?(?:\s*(?:wi|w|images?))?(?:\s+signal(?:\s+intensity)?)?|"
    r"t1\s*wi|pre-?\s*contrast\s+t1",
    syndrome=r"(?:tumou?r\s+|genetic\s+)?syndrome|phakomatosis|neurofibromatosis|nf\s*[12]?|vhl|"
    r"von\s+hippel[\s-]+lindau(?:\s+disease)?",
    named_site=r"named\s+site|origin|site\s+of\s+origin|arising\s+from",
    syrinx=r"syrinx|syringomyelia|syringohydromyelia|hydromyelia",
    haemorrhage=r"ha?emorrhage|blood\s+products|ha?emosiderin|bleeding",
    multiple_lesions=r"(?:number\s+of\s+)?(?:lesions|tumou?rs|masses)|multiplicity|"
    r"multiple(?:\s+lesions)?",
    size=r"size|dimensions?|measurements?|largest\s+(?:dimension|diameter)|diameter",
)

#: Section headers, matched against the whole key.
SECTION_KEYS: dict[str, re.Pattern[str]] = _keys(
    clinical=r"clinical(?:\s+(?:information|history|details|indications?|data|notes))?|"
    r"history|indications?|reason\s+for\s+(?:exam(?:ination)?|study|referral)|presentation",
    technique=r"technique|protocol|sequences|comparison|procedure",
    findings=r"findings?|report|description|(?:mri?|mr|ct|imaging)\s+findings|observations?",
    impression=r"impressions?|conclusions?|opinion|diagnosis|summary|interpretation|assessment|"
    r"comments?|recommendations?|differential(?:\s+diagnosis)?",
)
_KNOWN = "|".join(p.pattern for p in (*FIELD_KEYS.values(), *SECTION_KEYS.values()))
#: A key at the start of an item: a few words, then ":" or "=" (or a dash after a known key).
_KEY = re.compile(
    r"[*#_]*(?P<key>[A-Za-z][A-Za-z0-9 /()&'+,-]{0,40}?)[*_]*\s*(?P<sep>[:=]|\s[-\u2013\u2014]\s)"
)
#: A header alone on its line, with or without a colon or Markdown ("FINDINGS", "## Impression").
_HEADER_LINE = re.compile(r"[*#_\s]*(?P<key>[A-Za-z][A-Za-z ]{0,40}?)[*#_\s]*:?[*#_\s]*")
_MARKER = re.compile(r"[ \t]*(?:[-\u2022*\u00b7\u25aa\u2013\u2014]|\(?\d{1,2}[.)]|[a-h][.)])[ \t]+")
#: Where an item starts inside a line: a bullet before a key, or a sentence end before a known key.
_INLINE_START = re.compile(
    rf"(?:(?<=\S)[ \t]+[-\u2022*\u00b7\u2013\u2014][ \t]+|(?<=[.;])[ \t]+)"
    rf"(?=(?:{_KNOWN})\s*(?:[:=]|\s[-\u2013\u2014]\s))|"
    rf"(?<=[.;])[ \t]+(?=(?-i:[A-Z])[A-Za-z-]*(?:[ \t]+[A-Za-z-]+){{0,3}}[ \t]*"
    rf"(?::|\s[-\u2013\u2014]\s))",
    re.IGNORECASE,
)
#: The sections whose words are findings (the impression: only when nothing else states them).
READ_SECTIONS = ("", "clinical", "findings")


@dataclass(frozen=True)
class Item:
    """One line, bullet or "Key: value" entry of a report.

    ``start``-``end`` is the item in the text (its marker excluded), ``value_start`` where the words
    after the key begin (``start`` for prose). ``field`` is the schema field the key names, if
    any; ``section`` the section the item is in ("" before the first header).
    """

    start: int
    end: int
    value_start: int
    section: str
    key: str | None = None
    field: str | None = None
    dashed: bool = False  # the key ends with a dash, not a colon: a key only if it names a field


def _section_of(key: str) -> str | None:
    key = " ".join(key.split())
    return next((name for name, p in SECTION_KEYS.items() if p.fullmatch(key)), None)


def _field_of(key: str) -> str | None:
    key = " ".join(key.split())
    return next((name for name, p in FIELD_KEYS.items() if p.fullmatch(key)), None)


def _pieces(text: str) -> list[tuple[int, int]]:
    """Lines, and the items run together inside a line, as (start, end), markers dropped."""
    out = []
    for line in re.finditer(r"[^\n\r]+", text):
        first = line.start()
        if (marker := _MARKER.match(text, first, line.end())) is not None:
            first = marker.end()
        inline = list(_INLINE_START.finditer(text, first, line.end()))
        starts = [first] + [m.end() for m in inline]
        ends = [m.start() for m in inline] + [line.end()]
        for start, end in zip(starts, ends, strict=True):
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                out.append((start, end))
    return out


def layout(text: str) -> list[Item]:
    """Cut a report into items: lines, bullets, "Key: value" entries, each in its section."""
    items: list[Item] = []
    section = ""
    for start, end in _pieces(text):
        key = field = None
        value_start = start
        alone = _HEADER_LINE.fullmatch(text, start, end)
        if alone is not None and _section_of(alone.group("key")) is not None:
            section = _section_of(alone.group("key")) or section
            items.append(Item(start, end, end, section, alone.group("key").lower()))
            continue
        match = _KEY.match(text, start, end)
        if match is not None:
            words = match.group("key").strip()
            field, header = _field_of(words), _section_of(words)
            dash = match.group("sep").strip() not in (":", "=")
            if header is not None and field is None and not dash:
                section = header
            key, value_start = words.lower(), match.end()
        items.append(Item(start, end, value_start, section, key, field, match is not None and dash))
    return items


def is_header(item: Item) -> bool:
    """A section header (with or without words after it on its line)."""
    return (
        item.key is not None
        and item.field is None
        and not item.dashed
        and _section_of(item.key) is not None
    )


__all__ = ["FIELD_KEYS", "READ_SECTIONS", "SECTION_KEYS", "Item", "is_header", "layout"]
