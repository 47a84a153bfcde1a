"""The one error raised for invalid cases, listing every problem of a batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

#: How many problems the message spells out before summarising the rest.
MAX_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is, what it is, and what would have been accepted.

    ``row`` is ``None`` for a problem with a whole column (an unknown field).
    """

    row: Hashable | None
    field: str
    value: Any
    reason: str
    allowed: str

    def describe(self, row_label: str = "row") -> str:
        if self.row is None:
            return f"column {self.field!r} {self.reason}; allowed: {self.allowed}"
        return (
            f"{row_label} {self.row}, field {self.field!r}: {self.value!r} {self.reason};"
            f" allowed: {self.allowed}"
        )


class CaseValidationError(ValueError):
    """Cases that do not fit the schema; ``problems`` lists every one of them."""

    def __init__(self, problems: Sequence[Problem], row_label: str = "row") -> None:
        self.problems = list(problems)
        self.row_label = row_label
        super().__init__(self._message())

    @property
    def rows(self) -> list[Hashable]:
        """The rows with at least one problem, in order of first appearance."""
        return list(dict.fromkeys(p.row for p in self.problems if p.row is not None))

    def _message(self) -> str:
        n_rows = len(self.rows)
        head = (
            f"{len(self.problems):,} problem{'s' if len(self.problems) != 1 else ''}"
            f" in the cases ({n_rows:,} {self.row_label}{'s' if n_rows != 1 else ''} affected):"
        )
        lines = [head, *("  " + p.describe(self.row_label) for p in self.problems[:MAX_SHOWN])]
        rest = self.problems[MAX_SHOWN:]
        if rest:
            by_field = Counter(p.field for p in rest)
            summary = ", ".join(f"{field!r}: {count:,}" for field, count in by_field.most_common())
            lines.append(f"  ... and {len(rest):,} more ({summary})")
        return "\n".join(lines)


class NotCasesError(CaseValidationError, TypeError):
    """Input that is not cases at all (a number, a string):
    a :class:`CaseValidationError`, and a TypeError."""

    def __init__(self, value: object) -> None:
        super().__init__(
            [
                Problem(
                    None,
                    "<cases>",
                    type(value).__name__,
                    "is not cases",
                    "a dict, a list of dicts or a DataFrame",
                )
            ]
        )

    def _message(self) -> str:
        kind = self.problems[0].value
        return f"cases must be a dict, a list of dicts or a DataFrame; got {kind}"
