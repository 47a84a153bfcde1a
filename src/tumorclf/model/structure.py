"""How each class looks, apart from how papers report it: the structure of the two models.

A published case row is the product of two processes (a *selection model*
for data missing not at random; Little & Rubin, ch. 15):

* :class:`FindingModel`, the tumour: p(finding value | class), every field,
  children given the *true* value of their parent;
* :class:`ReportingModel`, the paper: p(a paper states the finding | its
  value, the paper's style), shared across classes ("remarkable findings
  get written"), with a few latent styles (a case report, a table that
  states every field).

A case is read one of the two ways of :mod:`tumorclf.model.readings`; the
likelihood of both is :mod:`tumorclf.model.inference`.

The structure is fixed here, the numbers come from the priors file
(:mod:`tumorclf.model.priors`) and the real cases (:mod:`tumorclf.model.em`):

* ``age``: per class, whole years 0-100;
* ``level``: per class, the joint of the top and bottom levels;
* a child given the class and its parent's true value (:data:`PARENTS`):
  ``dumbbell`` given ``compartment``; ``calcification_site`` and
  ``enhancement`` given ``calcification``; ``dural_tail`` given
  ``dural_attachment``; the other fields given the class alone;
* the named :data:`DEPENDENCES` the real cases may teach beyond that.

Table shapes (``C`` classes, ``K`` values of a field, ``Z`` styles):
``FindingModel.age`` ``(C, 101)``; ``.level`` ``(C, L * L)`` (top, bottom; L = 29 levels)
flattened; a root field ``(C, K)``; a child ``(C, K_parent, K)``, with an
all-zero row where the child cannot exist (no calcification site without
calcification); a field given the level's region (``FindingModel.by_region``)
``(C, R, K)``, R = 4 regions. ``ReportingModel.age`` and ``.level`` ``(Z,)`` (whether they
are stated does not depend on their value); a field ``(Z, K)``.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tumorclf.schema import BOOLEAN_FIELDS, CATEGORICAL_FIELDS, FIELDS, LEVELS
from tumorclf.schema.vocabulary import AGE_RANGE, COARSE_VALUES, LEVEL_REGIONS, REGIONS

N_LEVELS = len(LEVELS)
#: Whole years of age, the support of ``FindingModel.age``.
AGES = np.arange(int(AGE_RANGE[0]), int(AGE_RANGE[1]) + 1)
#: Each level's region, as an index into :data:`~tumorclf.schema.vocabulary.REGIONS`.
REGION_OF_LEVEL: np.ndarray = np.array(
    [REGIONS.index(LEVEL_REGIONS[name]) for name in LEVELS], dtype=np.intp
)

#: Fields whose distribution may (or, for the site, must) depend on another field.
PARENTS: dict[str, str] = {
    "dumbbell": "compartment",
    "calcification_site": "calcification",
    "enhancement": "calcification",
    "dural_tail": "dural_attachment",
}
#: Parent values under which a child is never reported (structural absence).
STRUCTURAL_NONE: dict[str, str] = {"calcification_site": "none"}
#: Fields that carry a per-class distribution table (all but age and level).
TABLE_FIELDS: tuple[str, ...] = tuple(
    f for f in FIELDS if f not in ("age", "level_top", "level_bottom")
)
#: Fields with no parent in the priors file's structure.
ROOT_FIELDS: tuple[str, ...] = tuple(f for f in TABLE_FIELDS if f not in PARENTS)

#: The parent named by a dependence on the level's region (not a field of the schema).
LEVEL_REGION = "level_region"
#: Dependences beyond the priors file's structure that the real cases may teach, by name: each adds
#: edges child -> parent (the child's table given the class *and* the parent's true value).
#: "erosion_by_compartment": bone erosion given the compartment (an extradural or dumbbell tumour
#: remodels bone; an intramedullary one does not), so that the two are not counted as independent.
#: "compartment_by_region": the compartment given the level's region (a tumour of the cauda equina
#: region is intradural extramedullary far more often than a cervical one of the same class).
#: "enhancement_by_cyst": the enhancement pattern given cystic change (a cyst's wall enhances at
#: the rim, so a cystic tumour's pattern is peripheral or heterogeneous), in place of the priors
#: file's enhancement given calcification.
#: Several are combined with "+", e.g. ``"compartment_by_region+erosion_by_compartment"``.
DEPENDENCES: dict[str, dict[str, str]] = {
    "erosion_by_compartment": {"bone_erosion": "compartment"},
    "compartment_by_region": {"compartment": LEVEL_REGION},
    "enhancement_by_cyst": {"enhancement": "cystic_change"},
}
#: Every value a ``dependence`` setting may take: "none", each name,
#: and the names combined in this order.
DEPENDENCE_SETTINGS: tuple[str, ...] = (
    "none",
    *(
        "+".join(name for name, keep in zip(DEPENDENCES, mask, strict=True) if keep)
        for mask in itertools.product((False, True), repeat=len(DEPENDENCES))
        if sum(mask) > 0
    ),
)


def values_of(field_name: str) -> tuple[Any, ...]:
    """The values a tumour may have for a field, in code order (False/True for booleans): a
    table's support. A coarse value ("present") is a way of stating, not a value of its own."""
    if field_name in BOOLEAN_FIELDS:
        return (False, True)
    coarse = COARSE_VALUES.get(field_name, {})
    return tuple(v for v in CATEGORICAL_FIELDS[field_name] if v not in coarse)


@functools.cache
def statements(field_name: str) -> np.ndarray:
    """Which true values each stated code allows, ``(codes, K)``: the identity for the values of
    :func:`values_of`, then one row per coarse value marking the values it stands for (the
    likelihood of "present" enhancement sums over the patterns)."""
    support = values_of(field_name)
    rows = [np.eye(len(support))]
    for members in COARSE_VALUES.get(field_name, {}).values():
        rows.append(np.isin(np.array(support, dtype=object), members)[None].astype(float))
    out = np.concatenate(rows)
    out.setflags(write=False)
    return out


def parse_dependence(dependence: str) -> tuple[str, ...]:
    """The named dependences a ``dependence`` setting stands for: ``"none"``, a name,
    or names joined by "+"."""
    if dependence == "none":
        return ()
    names = tuple(part.strip() for part in str(dependence).split("+"))
    unknown = [name for name in names if name not in DEPENDENCES]
    if unknown or len(set(names)) != len(names):
        raise ValueError(
            f"Unknown or repeated dependence in {dependence!r}; use 'none' or names from "
            f"{', '.join(DEPENDENCES)} joined by '+'."
        )
    return names


def children_of(parents: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Each parent field with the fields that depend on its true value."""
    return {
        parent: tuple(child for child, p in parents.items() if p == parent)
        for parent in dict.fromkeys(parents.values())
    }


def lone_fields(parents: dict[str, str]) -> tuple[str, ...]:
    """Fields with neither a parent nor children: scored on their own given the class."""
    return tuple(f for f in TABLE_FIELDS if f not in parents and f not in parents.values())


def sampling_order(parents: dict[str, str]) -> tuple[str, ...]:
    """Fields in an order where every parent comes before its children."""
    return (*(f for f in TABLE_FIELDS if f not in parents), *parents)


@dataclass(frozen=True)
class FindingModel:
    """p(finding value | class) for every field: how each tumour looks.

    ``parents`` is the structure: a child's table is given the class and its
    parent's true value (``(C, K_parent, K)``); every other field's given the class.
    A field in ``by_region`` (one without a finding parent) is given the class
    and the region of the level (``(C, R, K)``, :data:`~tumorclf.schema.vocabulary.REGIONS`).
    """

    classes: tuple[str, ...]
    age: np.ndarray
    level: np.ndarray
    fields: dict[str, np.ndarray]
    parents: dict[str, str] = field(default_factory=lambda: dict(PARENTS))
    by_region: tuple[str, ...] = ()

    @property
    def table_names(self) -> tuple[str, ...]:
        """Every table by name: each field's, then "age" and "level"."""
        return (*self.fields, "age", "level")

    def table(self, name: str) -> np.ndarray:
        """One table by name (a field's, "age" or "level")."""
        return getattr(self, name) if name in ("age", "level") else self.fields[name]

    def with_table(self, name: str, table: np.ndarray) -> FindingModel:
        """This model with one table (a field's, "age" or "level") replaced."""
        if name in ("age", "level"):
            return replace(self, **{name: table})
        return replace(self, fields={**self.fields, name: table})

    def level_joint(self) -> np.ndarray:
        """p(top, bottom | class), shape ``(C, L, L)``."""
        return self.level.reshape(-1, N_LEVELS, N_LEVELS)

    def region_given_bottom(self) -> np.ndarray:
        """p(region of the top level, bottom level | class), shape ``(C, R, L)``."""
        return np.einsum("ctb,tr->crb", self.level_joint(), np.eye(len(REGIONS))[REGION_OF_LEVEL])


@dataclass(frozen=True)
class ReportingModel:
    """p(stated | value, style): how papers report, shared across classes.

    Attributes
    ----------
    styles : tuple of str
        Names of the latent publication styles.
    weights : ndarray of shape (Z,)
        How common each style is among published rows.
    age, level : ndarray of shape (Z,)
        Chance the age (the level) is stated, whatever its value.
    fields : dict of str to ndarray of shape (Z, K)
        Chance each value of a field is stated, shared across classes.
    by_class : dict of str to ndarray of shape (Z, C, K), optional
        Each class's own rates, where the fit allowed classes to depart from
        the shared ones (shrunk towards them); None: reporting is shared.
    """

    styles: tuple[str, ...]
    weights: np.ndarray
    age: np.ndarray
    level: np.ndarray
    fields: dict[str, np.ndarray]
    by_class: dict[str, np.ndarray] | None = None

    def rate(self, name: str, labels: np.ndarray | None = None) -> np.ndarray:
        """A field's stated rates: ``(Z, K)`` shared; with class departures ``(Z, C, K)``, or with
        ``labels`` each case's own class ``(Z, n, K)``."""
        if self.by_class is None:
            return self.fields[name]
        rates = self.by_class[name]
        return rates if labels is None else rates[:, labels, :]


__all__ = [
    "AGES",
    "DEPENDENCES",
    "DEPENDENCE_SETTINGS",
    "LEVEL_REGION",
    "N_LEVELS",
    "PARENTS",
    "REGION_OF_LEVEL",
    "ROOT_FIELDS",
    "STRUCTURAL_NONE",
    "TABLE_FIELDS",
    "FindingModel",
    "ReportingModel",
    "children_of",
    "lone_fields",
    "parse_dependence",
    "sampling_order",
    "statements",
    "values_of",
]
