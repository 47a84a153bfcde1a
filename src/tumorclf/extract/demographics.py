"""The patient's age and sex, and the ages that cannot be used ("a 300-year-old man", "-5").

An age is a number of years before "year-old" (also "aged 45", "45 yo", "age 45", "eighteen
year old"); the sex a word for it ("woman", "male"), else a pronoun for the patient.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tumorclf.extract.result import Span, Unused
from tumorclf.schema.vocabulary import AGE_RANGE

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip
_NUMBER_WORDS = (
    rf"(?:(?:{'|'.join(_TENS)})(?:[\s-]+(?:{'|'.join(_UNITS[1:10])}))?|{'|'.join(_UNITS[1:])})"
)
_WHO = (
    r"man|woman|women|male|female|boy|girl|gentleman|lady|patient|child|adult|individual|"
    r"Caucasian|Asian|African|white|black"
)
#: A number of years is an age when "old" or "of age" follows, or a word for the patient comes
#: right before or after ("Man, 35 years", "44 years, male"); not "4 years earlier".
_AGE = re.compile(
    rf"(?P<minus>(?<![\w-])[-\u2212])?\b(?P<age>\d{{1,3}}|{_NUMBER_WORDS})[\s-]*"
    rf"(?:years?|yrs?|y)[\s-]*(?:old|of\s+age)[\s-]*(?P<who>{_WHO})?\b|"
    rf"(?P<minus2>(?<![\w-])[-\u2212])?\b(?P<age4>\d{{1,3}})[\s-]*(?:years?|yrs?|y)\b[\s,-]*"
    rf"(?P<who2>{_WHO})\b|"
    rf"\b(?:{_WHO})[,:]?\s+(?P<age5>\d{{1,3}})\s*(?:years?|yrs?|y)\b(?!\s+(?:ago|earlier|later|before|"
    rf"after|previously|of\s+(?!age)))|"
    rf"\b(?:man|woman|male|female|boy|girl)[,:]?\s+(?P<age6>\d{{1,3}})(?=\s*(?:[,.;/]|$))|"
    rf"\baged?\s+(?:of\s+)?(?P<age2>\d{{1,3}})\b(?!\s*(?:%|mm|cm|months?|weeks?|days?))|"
    rf"\b(?P<age3>\d{{1,3}})\s*(?:yo|y/o|y\.o\.)(?!\w)",
    re.IGNORECASE,
)
_SEX = re.compile(
    r"\b(?P<who>man|men|woman|women|males?|females?|boys?|girls?|gentleman|lady|serviceman|servicewoman|"
    r"pregnant)\b",
    re.IGNORECASE,
)
#: A pronoun for the patient, when no word names the sex.
_PRONOUN = re.compile(r"\b(?P<who>he|she|his|him|her)\b", re.IGNORECASE)
MALE = frozenset(
    {
        "man",
        "men",
        "male",
        "males",
        "boy",
        "boys",
        "gentleman",
        "serviceman",
        "he",
        "his",
        "him",
        "m",
    }
)
_SEX_WORDS = MALE | {
    "woman", "women", "female", "females", "girl", "girls", "lady", "servicewoman", "pregnant",
    "she", "her", "f",
}  # fmt: skip


def years(words: str) -> int:
    """'45' or 'forty-five' as a number."""
    words = words.lower().strip()
    if words.isdigit():
        return int(words)
    parts = re.split(r"[\s-]+", words)
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_UNITS.index(parts[1]) if len(parts) > 1 else 0)
    return _UNITS.index(parts[0])


def age_problem(value: float) -> str | None:
    """Why an age cannot be used, or None."""
    low, high = AGE_RANGE
    if value < low:
        return f"age {value:g} is negative"
    if value > high:
        return f"age {value:g} is out of range ({low:g}-{high:g})"
    return None


def sex_of(word: str) -> str | None:
    """'woman' -> 'F', 'M' -> 'M'; None for a word that is no sex."""
    word = word.lower()
    if word not in _SEX_WORDS:
        return None
    return "M" if word in MALE else "F"


def find_age_and_sex(
    text: str, readable: Callable[[int], bool]
) -> tuple[dict[str, tuple[Any, Span]], list[Unused]]:
    """The age and sex a text states, each with its words; and the ages that cannot be used."""
    out: dict[str, tuple[Any, Span]] = {}
    unused: list[Unused] = []
    for match in _AGE.finditer(text):
        if not readable(match.start()):
            continue
        groups = ("age", "age2", "age3", "age4", "age5", "age6")
        words = next(match.group(g) for g in groups if match.group(g))
        value = years(words) * (-1 if match.group("minus") or match.group("minus2") else 1)
        words = match.group().rstrip(" -")
        span = Span(match.start(), match.start() + len(words), words)
        if (problem := age_problem(value)) is not None:
            unused.append(Unused(span, problem, "age"))
            continue
        if "age" not in out:
            out["age"] = (value, span)
            if (sex := sex_of(match.group("who") or match.group("who2") or "")) is not None:
                out["sex"] = (sex, span)
    for finder in (_SEX, _PRONOUN):  # a word for the sex, else a pronoun for the patient
        if "sex" in out:
            break
        for sex in finder.finditer(text):
            if readable(sex.start()):
                out["sex"] = (sex_of(sex.group("who")), Span(sex.start(), sex.end(), sex.group()))
                break
    return out, unused


__all__ = ["MALE", "age_problem", "find_age_and_sex", "sex_of", "years"]
