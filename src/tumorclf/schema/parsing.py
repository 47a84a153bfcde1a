"""Parse one raw value of one field into its canonical form.

Each parser takes what a user or a paper wrote (a string, a number, a bool,
``None``) and returns the canonical value, ``None`` for "not reported", or
raises :class:`InvalidValue` with a short reason. Batch handling and error
collection are in :mod:`tumorclf.schema.validation`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from tumorclf.schema.vocabulary import (
    AGE_RANGE,
    BOOLEAN_FIELDS,
    BOOLEAN_SPELLINGS,
    CATEGORICAL_FIELDS,
    LEVEL_INDEX,
    MISSING_SPELLINGS,
    SIZE_BINS_MM,
    SYNONYMS,
)


class InvalidValue(ValueError):
    """A single value that does not fit its field; ``reason`` says why."""

    def __init__(self, reason: str = "is not allowed") -> None:
        super().__init__(reason)
        self.reason = reason


def is_missing(value: Any) -> bool:
    """True for the spellings of "not reported": None, NaN, pandas NA, '', 'N/A'..."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip().lower() in MISSING_SPELLINGS
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas.NA, pandas.NaT
        return True
    try:  # numpy floating NaN and friends
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    return " ".join(str(value).strip().lower().split())


def make_categorical_parser(field: str) -> Callable[[Any], str | None]:
    """Parser for one categorical field, accepting its synonyms case-insensitively."""
    lookup = {v.lower(): v for v in CATEGORICAL_FIELDS[field]}
    lookup.update(SYNONYMS.get(field, {}))

    def parse(value: Any) -> str | None:
        if is_missing(value):
            return None
        if not isinstance(value, str):
            raise InvalidValue("is not one of the allowed values")
        text = _text(value).replace("_", " ")
        canonical = lookup.get(text) or lookup.get(text.replace(" ", "_"))
        if canonical is None:
            raise InvalidValue("is not one of the allowed values")
        return canonical

    return parse


def parse_boolean(value: Any) -> bool | None:
    """true/false, yes/no, 1/0, +/- and their relatives; None when missing."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        parsed = BOOLEAN_SPELLINGS.get(_text(value))
        if parsed is not None:
            return parsed
    # numpy.bool_ and friends
    if type(value).__name__ in ("bool_", "bool") and hasattr(value, "item"):
        return bool(value.item())
    raise InvalidValue("is not a yes/no value")


_AGE_TEXT = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:y|yo|yr|yrs|year|years|years old|y/o)?$")


def parse_age(value: Any) -> float | None:
    """Age in years, 0-100; accepts numbers and text such as '19', '19 y', '19 years'."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise InvalidValue("is not a number of years")
    if isinstance(value, str):
        match = _AGE_TEXT.match(_text(value))
        if match is None:
            raise InvalidValue("is not a number of years")
        years = float(match.group(1))
    else:
        try:
            years = float(value)
        except (TypeError, ValueError):
            raise InvalidValue("is not a number of years") from None
    if not AGE_RANGE[0] <= years <= AGE_RANGE[1]:
        raise InvalidValue("is out of range")
    return years


#: Thoracic levels as papers also write them: 'Th11', 'D11' (dorsal).
_THORACIC_SPELLING = re.compile(r"^(?:TH|D)(\d{1,2})$")


def parse_level(value: Any) -> str | None:
    """One vertebral level such as 'T7' (case and spaces forgiven; 'Th7' and 'D7' are T7)."""
    if is_missing(value):
        return None
    if not isinstance(value, str):
        raise InvalidValue("is not a vertebral level")
    text = value.strip().upper().replace(" ", "")
    if (thoracic := _THORACIC_SPELLING.match(text)) is not None:
        text = f"T{int(thoracic.group(1))}"
    if text not in LEVEL_INDEX:
        raise InvalidValue("is not a vertebral level")
    return text


#: Between the two ends of a range: a hyphen or dash, 'to', a slash ('L5/S1', 'C4/5') or a tilde.
_RANGE_SPLIT = re.compile(r"\s*(?:-|\u2013|\u2014|/|~|\u223c|\bto\b)\s*", re.IGNORECASE)


def parse_level_range(value: Any) -> tuple[str, str] | None:
    """'T12-L2' -> ('T12', 'L2'); 'T7' -> ('T7', 'T7'); 'T3-4', 'Th3/4', 'D3~D4' -> ('T3', 'T4')."""
    if is_missing(value):
        return None
    if not isinstance(value, str):
        raise InvalidValue("is not a level or range of levels")
    text = re.sub(r"\(.*?\)", "", value).strip()
    parts = [p for p in _RANGE_SPLIT.split(text) if p]
    if len(parts) == 1:
        level = parse_level(parts[0])
        return (level, level) if level else None
    if len(parts) != 2:
        raise InvalidValue("is not a level or range of levels")
    top = parse_level(parts[0])
    bottom_text = parts[1].strip().upper()
    if bottom_text.replace(" ", "").isdigit() and top:
        bottom_text = top[0] + bottom_text.replace(" ", "")
    bottom = parse_level(bottom_text)
    if top is None or bottom is None:
        raise InvalidValue("is not a level or range of levels")
    if LEVEL_INDEX[top] > LEVEL_INDEX[bottom]:
        raise InvalidValue("has its top below its bottom")
    return top, bottom


#: A size as papers write it: "28 mm", "2.8 cm", "3.2 x 2.1 x 1.5 cm"
#: (the largest dimension counts), "28".
_SIZE_TEXT = re.compile(
    r"^(?P<numbers>\d+(?:\.\d+)?(?:\s*(?:x|\u00d7|\*|by)\s*\d+(?:\.\d+)?)*)\s*(?P<unit>mm|cm)?$"
)
_parse_size_category = make_categorical_parser("size")


def size_bin(millimetres: float) -> str:
    """The ``size`` bin of a largest dimension in millimetres."""
    return [name for name, low in SIZE_BINS_MM if millimetres >= low][-1]


def parse_size(value: Any) -> str | None:
    """The size bin: a bin name, or the largest dimension as a number of mm or text in mm or cm."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise InvalidValue("is not a size")
    if isinstance(value, str):
        match = _SIZE_TEXT.match(_text(value))
        if match is None:
            try:
                return _parse_size_category(value)
            except InvalidValue:
                raise InvalidValue("is not a size bin or a length in mm or cm") from None
        largest = max(float(n) for n in re.findall(r"\d+(?:\.\d+)?", match.group("numbers")))
        millimetres = largest * 10 if match.group("unit") == "cm" else largest
    else:
        try:
            millimetres = float(value)
        except (TypeError, ValueError):
            raise InvalidValue("is not a size bin or a length in mm or cm") from None
    if not 0 < millimetres <= 1000:
        raise InvalidValue("is out of range (a length above 0 and up to 1000 mm)")
    return size_bin(millimetres)


FIELD_PARSERS: dict[str, Callable[[Any], Any]] = {
    "age": parse_age,
    "level_top": parse_level,
    "level_bottom": parse_level,
    **{field: make_categorical_parser(field) for field in CATEGORICAL_FIELDS},
    **dict.fromkeys(BOOLEAN_FIELDS, parse_boolean),
    "size": parse_size,
}
