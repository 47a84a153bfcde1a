"""The two ways a case is read: defined here once for the package, the CLI, the page and MLflow.

* ``"as_entered"`` (every user-facing default): the stated fields are
  findings, the fields not given are unknown and summed out; only the
  finding model counts, so stating "no dural tail" moves the posterior by
  p(no tail | class) alone;
* ``"as_published"`` (for fitting and scoring published cases): the row is
  what a paper of an unknown style chose to write, silences included, read
  through the reporting model.
"""

from __future__ import annotations

import copy
from typing import Any, Final

READINGS: Final[tuple[str, ...]] = ("as_entered", "as_published")
#: The reading of every user-facing default.
DEFAULT_READING: Final = READINGS[0]


def check_reading(reading: str) -> str:
    """``reading`` itself, or a ValueError naming the readings there are."""
    if reading not in READINGS:
        raise ValueError(
            f"The 'reading' parameter must be one of {READINGS}. Got {reading!r} instead."
        )
    return reading


def reading_words(reading: str) -> str:
    """How a reading is named to a person."""
    return {
        "as_entered": "read as entered: fields not given are unknown",
        "as_published": "read as published: silences as papers keep them",
    }.get(reading, reading)


def reading_parameters(model: Any) -> list[str]:
    """The names under which a fitted model takes a ``reading`` (``"reading"``, or
    ``"model__reading"`` routed through a Pipeline): none for a model with one reading, the one its
    training rows taught."""
    return [
        name
        for name in model.get_params(deep=True)
        if name == "reading" or name.endswith("__reading")
    ]


def in_reading(model: Any, reading: str) -> Any:
    """The fitted ``model`` reading cases ``reading``.

    A model with a ``reading`` parameter is copied with it set (``set_params``,
    which a Pipeline routes to its step), so the model given is never changed
    and each reading has its own object: concurrent callers in both readings
    never see each other's. A model with one reading is returned as it is.
    """
    names = reading_parameters(model)
    if not names:
        return model
    check_reading(reading)
    current = model.get_params(deep=True)
    if all(current[name] == reading for name in names):
        return model
    return copy.deepcopy(model).set_params(**dict.fromkeys(names, reading))


__all__ = [
    "DEFAULT_READING",
    "READINGS",
    "check_reading",
    "in_reading",
    "reading_parameters",
    "reading_words",
]
