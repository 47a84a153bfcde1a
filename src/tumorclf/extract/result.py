"""What reading a report gives: the case, the words behind each value, and the words not used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tumorclf.extract.negation import Status


@dataclass(frozen=True)
class Span:
    """Where in the text a value was read: ``text[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        return cls(start, end, text[start:end])


@dataclass(frozen=True)
class Mention:
    """One wording of a finding met in the text, and what was made of it."""

    field: str
    value: Any
    span: Span
    status: Status


@dataclass(frozen=True)
class Unused:
    """Words the reader met but did not use, and why ("T13 is not a vertebral level").

    ``field`` names the field the words were about, where there is one (an opinion has none).
    """

    span: Span
    reason: str
    field: str | None = None


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
    unused : list of Unused
        The words read but not used, each with why: uncertain ("could not exclude ..."), an
        opinion ("likely schwannoma"), a value out of range ("T13"), a second value for a field,
        the signal of a part of the lesion, a denial outweighed by a statement elsewhere.
    """

    text: str
    case: dict[str, Any]
    spans: dict[str, Span]
    unused: list[Unused] = field(default_factory=list)

    def __str__(self) -> str:
        width = max(map(len, self.case), default=5)
        lines = ["Read from the report (check each value against its words):"]
        for name, value in self.case.items():
            shown = (
                {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
            )
            lines.append(f'  {name:<{width}}  {shown!s:<26} "{self.spans[name].text}"')
        if self.unused:
            lines.append("Words not used:")
            lines += [f'  "{item.span.text}": {item.reason}' for item in self.unused]
        return "\n".join(lines)


__all__ = ["Extraction", "Mention", "Span", "Unused"]
