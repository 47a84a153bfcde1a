"""From a report to a case: its layout, its mentions, one value a field, the words not used."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tumorclf.extract.demographics import find_age_and_sex
from tumorclf.extract.keyvalue import read_entry
from tumorclf.extract.layout import Item, is_header, layout
from tumorclf.extract.levels import find_level, unused_levels
from tumorclf.extract.mentions import AFFIRMED, DENIED, GENERIC, Found, rule_mentions
from tumorclf.extract.negation import Status
from tumorclf.extract.opinion import opinions
from tumorclf.extract.result import Extraction, Span, Unused
from tumorclf.schema.vocabulary import COARSE_VALUES, SHOWN_FIELDS


class ReportError(ValueError):
    """A text from which no case can be read; the message says why and what would help."""


#: English function words and the words of radiology reports: English prose has one in every few
#: words, a template many; other languages few.
_ENGLISH = frozenset(
    "the a an of and or with on in at was were is are be been to from by for as it its this that "
    "there which not no without could would may showed revealed his her he she "
    "findings impression enhancement signal level age sex absent present none seen".split()
)
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
#: Dashes, hyphens and spaces that typesetting varies, read as the plain ones
#: ("von Hippel\u2013Lindau", "intra\u2010dural", a non-breaking space).
_PLAIN = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)
#: Fields in the order a case is shown.
ORDER = SHOWN_FIELDS
_FIELD_WORDS = {"t1_signal": "T1 signal", "t2_signal": "T2 signal"}


def _check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise ReportError(f"A report is text; got {type(text).__name__}.")
    if not text.strip():
        raise ReportError(
            "The report is empty: give the findings paragraph, e.g. "
            "'a dumbbell-shaped mass at T12-L2 with homogeneous enhancement and no dural tail'."
        )
    return text


def _looks_english(text: str) -> bool:
    words = [w.lower() for w in _WORDS.findall(text)]
    return bool(words) and sum(w in _ENGLISH for w in words) >= max(1, len(words) // 10)


def _inside(stretches: list[tuple[int, int]]) -> Callable[[int], bool]:
    return lambda position: any(start <= position < end for start, end in stretches)


def _words(field: str) -> str:
    return _FIELD_WORDS.get(field, field.replace("_", " "))


def _consistent(chosen: Found, other: Found) -> bool:
    """A mention that says no more than the one chosen: the same value, or a coarse form of it."""
    value, coarse = chosen.mention.value, other.mention.value
    members = COARSE_VALUES.get(chosen.mention.field, {}).get(coarse, ())
    return coarse == value or value in members


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _resolve(found: list[Found]) -> tuple[dict[str, Found], list[Unused]]:
    """Per field, the best mention (affirmed specific, then affirmed generic, then denied;
    earliest first), and why each other mention was not used."""
    chosen: dict[str, Found] = {}
    unused: list[Unused] = []
    for item in sorted(found, key=lambda f: (f.rank, f.position)):
        mention = item.mention
        if mention.status is Status.UNCERTAIN:
            unused.append(Unused(mention.span, f"uncertain: '{item.trigger}'", mention.field))
        elif mention.field not in chosen:
            chosen[mention.field] = item
        elif item.rank == GENERIC and chosen[mention.field].rank == AFFIRMED:
            continue  # a generic wording gives way to a specific one by design
        elif not _consistent(chosen[mention.field], item) and not _overlap(
            chosen[mention.field].mention.span, mention.span
        ):  # (the same words read two ways: the reading chosen covers them)
            first = chosen[mention.field]
            if item.rank == DENIED and first.rank != DENIED:
                reason = f"denied here, stated elsewhere ('{first.mention.span.text}')"
            else:
                reason = (
                    f"a second value for the {_words(mention.field)}: "
                    f"'{first.mention.span.text}' was read first"
                )
            unused.append(Unused(mention.span, reason, mention.field))
    return chosen, unused


def _dedupe(unused: list[Unused]) -> list[Unused]:
    seen: set[tuple[int, int, str]] = set()
    out = []
    for item in sorted(unused, key=lambda u: (u.span.start, u.span.end)):
        key = (item.span.start, item.span.end, item.reason)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _same_field_entry(keyed: list[Item]) -> Callable[[Found], bool]:
    """Whether a prose mention lies in a template entry of its own field (the entry decides)."""

    def inside(found: Found) -> bool:
        return any(
            item.field == found.mention.field and item.start <= found.position < item.end
            for item in keyed
        )

    return inside


def _field_from_key(text: str, item: Item) -> Item:
    """An entry whose key is no template key but names one finding ("Vertebral scalloping: no")
    is an entry of that finding's field."""
    if item.key is None or item.field is not None or is_header(item):
        return item
    found, _ = rule_mentions(text, item.start, item.value_start)
    fields = {f.mention.field for f in found}
    if len(fields) == 1:
        return replace(item, field=fields.pop())
    if item.dashed:  # "a mass - which ...": prose after all
        return replace(item, key=None, value_start=item.start, dashed=False)
    return item


def extract_case(text: str) -> Extraction:
    """Read a case from a findings paragraph, a case presentation or a structured report.

    Returns
    -------
    Extraction
        The case (schema fields, only those stated), the words behind each
        value, and the words not used, each with why.

    Raises
    ------
    ReportError
        For an empty text, a text that is not English, or one in which no
        finding of the schema is recognised.
    """
    original = _check_text(text)
    text = original.translate(_PLAIN)  # one character for one: every span still points at its words
    items = layout(text)
    technique = [(i.start, i.end) for i in items if i.section == "technique"]
    impression = [(i.start, i.end) for i in items if i.section == "impression"]
    keys = [(i.start, i.value_start) for i in items if i.key and (i.field or is_header(i))]
    items = [_field_from_key(text, item) for item in items]
    keyed = [i for i in items if i.field is not None and i.section != "technique"]
    if not keyed and len(_WORDS.findall(text)) >= 4 and not _looks_english(text):
        raise ReportError(
            "The report does not look like English; tumorclf reads English findings, as prose "
            "('intradural extramedullary mass at T7 with homogeneous enhancement') or as a "
            "template ('Level: T7', 'Enhancement: homogeneous')."
        )
    skipped = _inside(technique + keys)
    in_impression = _inside(impression)
    in_entry = _same_field_entry(keyed)
    breaks = [i.start for i in items if i.key is not None]
    prose, unused = rule_mentions(text, breaks=breaks)
    # A finding named inside an opinion ("consistent with a filum terminale ependymoma") is part of
    # the diagnosis put forward, not a finding.
    in_hedge = _inside([(u.span.start, u.span.end) for u in opinions(text, [])])
    prose = [
        f for f in prose if not skipped(f.position) and not in_entry(f) and not in_hedge(f.position)
    ]
    unused = [u for u in unused if not skipped(u.span.start)]
    entries: list[Found] = []
    for item in keyed:
        found, words = read_entry(text, item)
        entries += found
        unused += words
    # The findings come from the findings; an impression's diagnosis is an opinion, and what it
    # restates of the findings counts only where the findings say nothing of a field.
    both = [*entries, *prose]
    main = [f for f in both if not in_impression(f.position)]
    chosen, outweighed = _resolve(main)
    restated, _ = _resolve([f for f in both if in_impression(f.position)])
    for name, found in restated.items():
        chosen.setdefault(name, found)
    unused += outweighed + opinions(text, impression if main else [])
    values: dict[str, tuple[Any, Span]] = {
        name: (f.mention.value, f.mention.span) for name, f in chosen.items()
    }
    if "calcification_site" in values and values.get("calcification", (None,))[0] == "none":
        del values["calcification_site"]  # no site without calcification
    readable: Callable[[int], bool] = lambda p: not skipped(p)  # noqa: E731
    in_findings: Callable[[int], bool] = lambda p: readable(p) and not in_impression(p)  # noqa: E731
    demographics, ages = find_age_and_sex(text, readable)
    unused += ages
    for name, value in demographics.items():
        values.setdefault(name, value)
    level = find_level(text, in_findings) or find_level(text, readable)
    if "level" not in values and level is not None:
        values["level"] = level
    unused += [u for u in unused_levels(text, readable) if not _inside(keys)(u.span.start)]
    unused = _dedupe(unused)
    if not values:
        raise ReportError(_nothing_found(unused))
    ordered = {name: values[name] for name in ORDER if name in values}
    return Extraction(
        text=original,
        case={name: value for name, (value, _) in ordered.items()},
        spans={name: Span.of(original, s.start, s.end) for name, (_, s) in ordered.items()},
        unused=[replace(u, span=Span.of(original, u.span.start, u.span.end)) for u in unused],
    )


def _nothing_found(unused: list[Unused]) -> str:
    uncertain = "; ".join(f'"{u.span.text}"' for u in unused if u.reason.startswith("uncertain"))
    other = "; ".join(
        f'"{u.span.text}" ({u.reason})' for u in unused if not u.reason.startswith("uncertain")
    )
    return (
        "No finding was recognised in the report: "
        "no age, sex, level, compartment, enhancement, "
        "calcification, dural sign, cyst, flow void, bone erosion, T1 or T2 signal, syndrome, "
        "named site, syrinx, haemorrhage, multiplicity or size"
        + (f" (only uncertain wording: {uncertain})" if uncertain else "")
        + (f" (words not used: {other})" if other else "")
        + ". Give the imaging findings paragraph; a differential from nothing would only "
        "repeat the prior."
    )


__all__ = ["ORDER", "ReportError", "extract_case"]
