"""From a findings paragraph to a case: every field with the words that support it.

>>> from tumorclf.extract import extract_case
>>> found = extract_case("A 19-year-old male. MRI showed a dumbbell-shaped mass at T12-L2 with "
...                      "homogeneous enhancement and no dural tail. CT: punctate calcification.")
>>> found.case["level"], found.case["dural_tail"], found.case["calcification"]
('T12-L2', False, 'punctate')
>>> found.spans["dural_tail"].text
'no dural tail'

Rules, not a model: the wordings of :mod:`tumorclf.extract.rules`, and a
NegEx-style reading of negation and uncertainty (:mod:`tumorclf.extract.negation`):
"no dural tail" is ``dural_tail: false``; "could not exclude invasion" is
no finding. Pure Python and standard library: nothing is downloaded, and the
prediction path does not import it unless a report is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tumorclf.extract import rules as _rules
from tumorclf.extract.negation import Status, reading
from tumorclf.schema.vocabulary import LEVEL_INDEX, SHOWN_FIELDS


class ReportError(ValueError):
    """A text from which no case can be read; the message says why and what would help."""


@dataclass(frozen=True)
class Span:
    """Where in the text a value was read: ``text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    """One wording of a finding met in the text, and what was made of it."""

    field: str
    value: Any
    span: Span
    status: Status


@dataclass
class Extraction:
    """A case read from a text.

    Attributes
    ----------
    text : str
    case : dict
        Schema fields (``level`` as ``"T12-L2"``), only those the text states.
    spans : dict of str to Span
        For each field of ``case``, the words it was read from.
    set_aside : list of Mention
        Wordings met but not used: uncertain ("could not exclude ..."), or
        outweighed by another mention of the same field.
    """

    text: str
    case: dict[str, Any]
    spans: dict[str, Span]
    set_aside: list[Mention] = field(default_factory=list)

    def __str__(self) -> str:
        width = max(map(len, self.case), default=5)
        lines = ["Read from the report (check each value against its words):"]
        for name, value in self.case.items():
            shown = (
                {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
            )
            lines.append(f'  {name:<{width}}  {shown!s:<26} "{self.spans[name].text}"')
        uncertain = [m for m in self.set_aside if m.status is Status.UNCERTAIN]
        if uncertain:
            lines.append(
                "Not counted (uncertain): " + "; ".join(f'"{m.span.text}"' for m in uncertain)
            )
        return "\n".join(lines)


#: English function words: prose in English has one in every few words; other languages have few.
_ENGLISH = frozenset(
    "the a an of and or with on in at was were is are be been to from by for as it its this that "
    "there which not no without could would may showed revealed his her he she".split()
)
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
#: Fields in the order a case is shown.
ORDER = SHOWN_FIELDS
#: Rank of a mention: affirmed specific values first, then affirmed generic,
#: then what a denial states.
_AFFIRMED, _GENERIC, _DENIED = 0, 1, 2


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


def _rule_mentions(text: str) -> list[tuple[int, int, Mention]]:
    found = []
    for rule in _rules.RULES:
        for match in rule.pattern.finditer(text):
            said, start, end = reading(text, match.start(), match.end())
            span = Span(start, end, text[start:end])
            if said is Status.AFFIRMED:
                value, rank = rule.value_of(match), _GENERIC if rule.generic else _AFFIRMED
            elif said is Status.DENIED:
                value, rank = rule.denied, _DENIED
            else:
                value, rank = (
                    rule.value_of(match) if rule.value is not None else rule.denied,
                    _DENIED,
                )
            if value is None:
                continue
            found.append((rank, match.start(), Mention(rule.field, value, span, said)))
    return found


def _age_and_sex(text: str) -> dict[str, tuple[Any, Span]]:
    out: dict[str, tuple[Any, Span]] = {}
    match = _rules._AGE_SEX.search(text)
    if match is not None:
        years = next(
            int(g) for g in (match.group("age"), match.group("age2"), match.group("age3")) if g
        )
        if years <= 100:
            out["age"] = (years, Span(match.start(), match.end(), match.group()))
        who = (match.group("who") or "").lower()
        if who in ("man", "woman", "male", "female", "boy", "girl", "gentleman", "lady"):
            out["sex"] = (
                "M" if who in _rules._MALE else "F",
                Span(match.start(), match.end(), match.group()),
            )
    for finder in (
        _rules._SEX,
        _rules._PRONOUN,
    ):  # a word for the sex, else a pronoun for the patient
        if "sex" not in out and (sex := finder.search(text)) is not None:
            out["sex"] = (
                "M" if sex.group("who").lower() in _rules._MALE else "F",
                Span(sex.start(), sex.end(), sex.group()),
            )
    return out


_NOT_A_LEVEL_AFTER = re.compile(
    r"^\s*(?:/\s*T[12]\s*)?(?:and\s+T[12]\s*)?-?\s*(?:weighted|w\b|wi\b|images?|imaging|"
    r"sequences?|signal|hyper|hypo|iso|flair|stir|fat|post|pre|contrast|\*)",
    re.IGNORECASE,
)
_NOT_A_LEVEL_BEFORE = re.compile(r"(?:\bon|\bin)\s*$", re.IGNORECASE)


def _sequence_not_level(text: str, match: re.Match[str]) -> bool:
    """'T2' in 'T2-weighted' or 'on T2' is an MRI sequence, not the second thoracic vertebra."""
    top = _rules.level_name(match.group("top"))
    if top not in ("T1", "T2") or match.group("bottom"):
        return False
    return bool(
        _NOT_A_LEVEL_AFTER.match(text[match.end() :])
        or (
            _NOT_A_LEVEL_BEFORE.search(text[: match.start()])
            and not re.match(r"\s*(?:-|to)\s*[CTLS]", text[match.end() :])
        )
    )


def _level(text: str) -> tuple[str, Span] | None:
    """The first vertebral extent named in a sentence about the mass, else in any sentence
    that is not about a procedure, a dermatome or a disc."""
    sentences = [
        s
        for s in _rules._SENTENCE.finditer(text)
        if not _rules._NOT_A_TUMOUR_LEVEL.search(s.group())
    ]
    about_mass = [s for s in sentences if _rules._MASS.search(s.group())]
    for sentence in (*about_mass, *(s for s in sentences if s not in about_mass)):
        if (found := _level_in(sentence.group(), sentence.start())) is not None:
            return found
    return None


def _level_in(body: str, offset: int) -> tuple[str, Span] | None:
    """The first valid vertebral extent in one sentence
    (``offset``: where it starts in the text)."""
    candidates: list[tuple[int, str, str, Span]] = []
    for match in _rules._SPANNING.finditer(body):
        top, bottom = (
            _rules.level_name(match.group("top")),
            _rules.level_name(match.group("bottom")),
        )
        candidates.append(
            (
                match.start(),
                top,
                bottom,
                Span(offset + match.start(), offset + match.end(), match.group()),
            )
        )
    for match in _rules._LEVEL_RANGE.finditer(body):
        if _sequence_not_level(body, match):
            continue
        top = _rules.level_name(match.group("top"))
        bottom_raw = match.group("bottom")
        bottom = (
            top
            if not bottom_raw
            else (
                top[0] + bottom_raw.strip()
                if bottom_raw.strip().isdigit()
                else _rules.level_name(bottom_raw)
            )
        )
        candidates.append(
            (
                match.start(),
                top,
                bottom,
                Span(offset + match.start(), offset + match.end(), match.group()),
            )
        )
    for match in _rules._ORDINAL_LEVEL.finditer(body):
        letter = {"cervical": "C", "thoracic": "T", "dorsal": "T", "lumbar": "L", "sacral": "S"}[
            match.group("region").lower()
        ]
        top = f"{letter}{int(match.group('n'))}"
        bottom = f"{letter}{int(match.group('n2'))}" if match.group("n2") else top
        candidates.append(
            (
                match.start(),
                top,
                bottom,
                Span(offset + match.start(), offset + match.end(), match.group()),
            )
        )
    for _, top, bottom, span in sorted(candidates, key=lambda c: c[0]):
        if top in LEVEL_INDEX and bottom in LEVEL_INDEX and LEVEL_INDEX[top] <= LEVEL_INDEX[bottom]:
            return (top if top == bottom else f"{top}-{bottom}"), span
    return None


def _resolve(mentions: list[tuple[int, int, Mention]]) -> tuple[dict[str, Mention], list[Mention]]:
    """Per field, the best mention: affirmed specific, then affirmed generic,
    then denied; earliest first."""
    chosen: dict[str, tuple[int, int, Mention]] = {}
    set_aside = []
    for rank, position, mention in sorted(mentions, key=lambda m: (m[0], m[1])):
        if mention.status is Status.UNCERTAIN:
            set_aside.append(mention)
        elif mention.field not in chosen:
            chosen[mention.field] = (rank, position, mention)
        elif mention.value != chosen[mention.field][2].value:
            set_aside.append(mention)
    return {f: m for f, (_, _, m) in chosen.items()}, set_aside


def extract_case(text: str) -> Extraction:
    """Read a case from a findings paragraph or case presentation.

    Returns
    -------
    Extraction
        The case (schema fields, only those stated), the words behind each
        value, and the wordings set aside.

    Raises
    ------
    ReportError
        For an empty text, a text that is not English prose, or one in which
        no finding of the schema is recognised.
    """
    text = _check_text(text)
    if len(_WORDS.findall(text)) >= 4 and not _looks_english(text):
        raise ReportError(
            "The report does not look like English prose; tumorclf reads English findings "
            "(e.g. 'intradural extramedullary mass at T7 with homogeneous enhancement')."
        )
    chosen, set_aside = _resolve(_rule_mentions(text))
    found: dict[str, tuple[Any, Span]] = {f: (m.value, m.span) for f, m in chosen.items()}
    if "calcification_site" in found and found.get("calcification", (None,))[0] == "none":
        del found["calcification_site"]  # no site without calcification
    found.update(_age_and_sex(text))
    if (level := _level(text)) is not None:
        found["level"] = level
    if not found:
        uncertain = "; ".join(f'"{m.span.text}"' for m in set_aside if m.status is Status.UNCERTAIN)
        raise ReportError(
            "No finding was recognised in the report: "
            "no age, sex, level, compartment, enhancement, "
            "calcification, dural sign, cyst, flow void, bone erosion, T1 or T2 signal, syndrome, "
            "named site, syrinx, haemorrhage, multiplicity or size"
            + (f" (only uncertain wording: {uncertain})" if uncertain else "")
            + ". Give the imaging findings paragraph; a differential from nothing would only "
            "repeat the prior."
        )
    ordered = {name: found[name] for name in ORDER if name in found}
    return Extraction(
        text=text,
        case={name: value for name, (value, _) in ordered.items()},
        spans={name: span for name, (_, span) in ordered.items()},
        set_aside=set_aside,
    )


__all__ = ["Extraction", "Mention", "ReportError", "Span", "Status", "extract_case"]
