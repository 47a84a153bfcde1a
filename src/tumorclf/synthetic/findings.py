"""How each class looks, apart from how papers report it: two models and two readings.

A published case row is the product of two processes (a *selection model*
for data missing not at random; Little & Rubin, ch. 15):

* :class:`FindingModel`, the tumour: p(finding value | class), every field,
  children given the *true* value of their parent;
* :class:`ReportingModel`, the paper: p(a paper states the finding | its
  value, the paper's style), shared across classes ("remarkable findings
  get written"), with a few latent styles (a case report, a table that
  states every field).

A case is read one of two ways (:data:`READINGS`):

* ``"as_entered"`` (every user-facing default): stated fields are findings,
  fields not given are unknown and summed out; no reporting rate enters, so
  stating "no dural tail" moves the posterior by p(no tail | class) alone;
* ``"as_published"`` (for fitting and scoring published cases): the row is
  what a paper of an unknown style chose to write, silences included::

      p(row | c) = sum_z w_z prod_f  [ stated v: p(v | c) r_z(f, v) ;  silent: sum_v p(v | c) (1 - r_z(f, v)) ]

Table shapes (``C`` classes, ``K`` values of a field, ``Z`` styles):
``FindingModel.age`` ``(C, 101)``; ``.level`` ``(C, L * L)`` (top, bottom; L = 29 levels)
flattened; a root field ``(C, K)``; a child ``(C, K_parent, K)``, with an
all-zero row where the child cannot exist (no calcification site without
calcification); a field given the level's region (``FindingModel.by_region``)
``(C, R, K)``, R = 4 regions. ``ReportingModel.age`` and ``.level`` ``(Z,)`` (whether they
are stated does not depend on their value); a field ``(Z, K)``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.special import logsumexp

from tumorclf.schema import CODE_COLUMN, LEVELS, CaseArrays
from tumorclf.schema.vocabulary import READINGS
from tumorclf.synthetic.priors import AGES, PARENTS, TABLE_FIELDS, Priors

N_LEVELS = len(LEVELS)
#: The spine's regions; a level's region is that of its top level.
REGIONS: tuple[str, ...] = ("cervical", "thoracic", "lumbar", "sacral")
#: Each level's region, as an index into :data:`REGIONS`.
REGION_OF_LEVEL: np.ndarray = np.array([REGIONS.index({"C": "cervical", "T": "thoracic", "L": "lumbar",
                                                       "S": "sacral"}[name[0]]) for name in LEVELS], dtype=np.intp)
#: The parent named by a dependence on the level's region (not a field of the schema).
LEVEL_REGION = "level_region"
#: Dependences beyond the priors file's structure that the real cases may teach, by name: each adds
#: edges child -> parent (the child's table given the class *and* the parent's true value).
#: "erosion_by_compartment": bone erosion given the compartment (an extradural or dumbbell tumour
#: remodels bone; an intramedullary one does not), so that the two are not counted as independent.
#: "compartment_by_region": the compartment given the level's region (a tumour of the cauda equina
#: region is intradural extramedullary far more often than a cervical one of the same class).
#: Several are combined with "+", e.g. ``"compartment_by_region+erosion_by_compartment"``.
DEPENDENCES: dict[str, dict[str, str]] = {
    "erosion_by_compartment": {"bone_erosion": "compartment"},
    "compartment_by_region": {"compartment": LEVEL_REGION},
}


#: Every value a ``dependence`` setting may take: "none", each name, and the names combined in this order.
DEPENDENCE_SETTINGS: tuple[str, ...] = ("none", *(
    "+".join(name for name, keep in zip(DEPENDENCES, mask) if keep)
    for mask in itertools.product((False, True), repeat=len(DEPENDENCES)) if sum(mask) > 0))


def parse_dependence(dependence: str) -> tuple[str, ...]:
    """The named dependences a ``dependence`` setting stands for: ``"none"``, a name, or names joined by "+"."""
    if dependence == "none":
        return ()
    names = tuple(part.strip() for part in str(dependence).split("+"))
    unknown = [name for name in names if name not in DEPENDENCES]
    if unknown or len(set(names)) != len(names):
        raise ValueError(f"Unknown or repeated dependence in {dependence!r}; use 'none' or names from "
                         f"{', '.join(DEPENDENCES)} joined by '+'.")
    return names


def children_of(parents: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Each parent field with the fields that depend on its true value."""
    return {parent: tuple(child for child, p in parents.items() if p == parent)
            for parent in dict.fromkeys(parents.values())}


def lone_fields(parents: dict[str, str]) -> tuple[str, ...]:
    """Fields with neither a parent nor children: scored on their own given the class."""
    return tuple(f for f in TABLE_FIELDS if f not in parents and f not in parents.values())


#: Fields with no parent in the priors file's structure.
ROOT_FIELDS: tuple[str, ...] = tuple(f for f in TABLE_FIELDS if f not in PARENTS)


def check_reading(reading: str) -> str:
    if reading not in READINGS:
        raise ValueError(f"The 'reading' parameter must be one of {READINGS}. Got {reading!r} instead.")
    return reading


@dataclass(frozen=True)
class FindingModel:
    """p(finding value | class) for every field: how each tumour looks.

    ``parents`` is the structure: a child's table is given the class and its
    parent's true value (``(C, K_parent, K)``); every other field's given the class.
    A field in ``by_region`` (one without a finding parent) is given the class
    and the region of the level (``(C, R, K)``, :data:`REGIONS`).
    """

    classes: tuple[str, ...]
    age: np.ndarray
    level: np.ndarray
    fields: dict[str, np.ndarray]
    parents: dict[str, str] = field(default_factory=lambda: dict(PARENTS))
    by_region: tuple[str, ...] = ()

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


def findings_from_priors(priors: Priors, dependences: tuple[str, ...] = ()) -> FindingModel:
    """The literature's finding model: the priors file's tables, with the named :data:`DEPENDENCES` added.

    An added edge starts with no dependence (the child's literature row
    repeated under every parent value): only the real cases can teach one.
    """
    fields = {name: priors.tables[name] for name in TABLE_FIELDS}
    parents = dict(PARENTS)
    by_region: list[str] = []
    for name in dependences:
        if name not in DEPENDENCES:
            raise ValueError(f"Unknown dependence {name!r}; known: {', '.join(DEPENDENCES)}.")
        for child, parent in DEPENDENCES[name].items():
            if parent == LEVEL_REGION:
                fields[child] = np.repeat(fields[child][:, None, :], len(REGIONS), axis=1)
                by_region.append(child)
                continue
            k_parent = fields[parent].shape[-1]
            fields[child] = np.repeat(fields[child][:, None, :], k_parent, axis=1)
            parents[child] = parent
    return FindingModel(
        classes=priors.classes,
        age=priors.age_pmf,
        level=priors.level_joint.reshape(len(priors.classes), -1),
        fields=fields,
        parents=parents,
        by_region=tuple(by_region),
    )


def reporting_from_priors(priors: Priors, styles: tuple[str, ...] = ("literature",),
                          rates: dict[str, float] | None = None) -> ReportingModel:
    """Reporting at the priors file's per-field rates, whatever the value (missing at random).

    ``rates`` overrides the stated rate of every field of a style (by style
    name), e.g. ``{"tabulated": 0.9}`` for a style that states nearly everything.
    """
    rates = rates or {}

    def rate(style: str, field: str) -> float:
        return rates.get(style, 1.0 - priors.missing[field])

    fields = {
        name: np.array([[rate(z, name)] * priors.tables[name].shape[-1] for z in styles]) for name in TABLE_FIELDS
    }
    return ReportingModel(
        styles=tuple(styles),
        weights=np.full(len(styles), 1.0 / len(styles)),
        age=np.array([rate(z, "age") for z in styles]),
        level=np.array([rate(z, "level") for z in styles]),
        fields=fields,
    )


# -- likelihood ---------------------------------------------------------------------------

def value_weights(codes: np.ndarray, k: int, rate: np.ndarray | None, per_class: bool = False) -> np.ndarray:
    """What each value of a field contributes for each case, shape ``(Z, n, K)``.

    As entered (``rate`` None, Z = 1): the stated value's indicator, or 1 for
    every value where unstated. As published: indicator x r(value) where
    stated, 1 - r(value) where silent; ``rate`` is shared ``(Z, K)``, per case
    ``(Z, n, K)``, or per class ``(Z, C, K)`` with ``per_class`` (then the
    result is ``(Z, n, C, K)``).
    """
    stated = codes >= 0
    onehot = np.zeros((len(codes), k))
    onehot[np.flatnonzero(stated), codes[stated]] = 1.0
    if rate is None:
        return np.where(stated[:, None], onehot, 1.0)[None]
    if per_class:
        return np.where(stated[None, :, None, None], onehot[None, :, None, :] * rate[:, None], (1.0 - rate)[:, None])
    rate = rate[:, None, :] if rate.ndim == 2 else rate
    return np.where(stated[None, :, None], onehot[None] * rate, 1.0 - rate)


def _weights(codes: np.ndarray, name: str, k: int, reporting: ReportingModel | None,
             labels: np.ndarray | None) -> np.ndarray:
    """:func:`value_weights` of one field: ``(Z, n, K)``, or ``(Z, n, C, K)`` with class departures."""
    if reporting is None:
        return value_weights(codes[:, CODE_COLUMN[name]], k, None)
    per_class = reporting.by_class is not None and labels is None
    return value_weights(codes[:, CODE_COLUMN[name]], k, reporting.rate(name, labels), per_class)


def region_weights(findings: FindingModel, codes: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
    """p(region of the level | what the case says of its level, class), shape ``(n, C, R)`` (``(n, 1, R)`` with
    ``labels``): the top level's region where stated, given the bottom level where only it is, else the class's."""
    top = codes[:, CODE_COLUMN["level_top"]].astype(np.intp)
    bottom = codes[:, CODE_COLUMN["level_bottom"]].astype(np.intp)
    given_bottom = findings.region_given_bottom()  # (C, R, L)
    n_classes = given_bottom.shape[0] if labels is None else 1
    out = np.empty((len(codes), n_classes, len(REGIONS)))
    unknown = (top < 0) & (bottom < 0)
    marginal = given_bottom.sum(axis=-1)  # (C, R)
    out[unknown] = marginal[None] if labels is None else marginal[labels[unknown]][:, None]
    only_bottom = (top < 0) & (bottom >= 0)
    rows = given_bottom[:, :, bottom[only_bottom]].transpose(2, 0, 1)  # (m, C, R)
    out[only_bottom] = rows if labels is None else rows[np.arange(len(rows)), labels[only_bottom]][:, None]
    known = top >= 0
    out[known] = np.eye(len(REGIONS))[REGION_OF_LEVEL[top[known]]][:, None, :]
    total = out.sum(axis=-1, keepdims=True)
    return np.divide(out, total, out=np.full_like(out, 1.0 / len(REGIONS)), where=total > 0)


def root_rows(findings: FindingModel, codes: np.ndarray, name: str, labels: np.ndarray | None = None) -> np.ndarray:
    """p(value | class) of a field with no finding parent: ``(C, K)``; for a field given the level's region,
    each case's own ``(n, C, K)``, the region summed out as the case's level allows.
    With ``labels``, each case's own class: ``(n, K)``."""
    table = findings.fields[name]
    if name not in findings.by_region:
        return table if labels is None else table[labels]
    weights = region_weights(findings, codes, labels)
    if labels is None:
        return np.einsum("ncr,crk->nck", weights, table)
    return np.einsum("nr,nrk->nk", weights[:, 0], table[labels])


def _class_rows(table: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
    """A table's class axis: every class ``(C, ...)``, or each case's own class ``(n, ...)``."""
    return table if labels is None else table[labels]


def child_factors(findings: FindingModel, codes: np.ndarray, child: str, reporting: ReportingModel | None,
                  labels: np.ndarray | None = None) -> np.ndarray:
    """p(what the case says of ``child`` | class, true parent value), shape ``(Z, n, C, K_parent)``.

    With ``labels`` (each case's class index), only that class: ``(Z, n, 1, K_parent)``.
    """
    table = _class_rows(findings.fields[child], labels)  # (C or n, Kp, K)
    child_codes = codes[:, CODE_COLUMN[child]]
    weights = _weights(codes, child, table.shape[-1], reporting, labels)
    structural = table.sum(axis=-1) == 0  # the child cannot exist under this parent value
    silent = child_codes < 0
    if labels is None:
        factor = np.einsum("znck,cpk->zncp" if weights.ndim == 4 else "znk,cpk->zncp", weights, table)
        return np.where(silent[None, :, None, None] & structural[None, None], 1.0, factor)
    factor = np.einsum("znk,npk->znp", weights, table)
    return np.where((silent[:, None] & structural)[None], 1.0, factor)[:, :, None, :]


def group_terms(findings: FindingModel, codes: np.ndarray, parent: str, reporting: ReportingModel | None,
                labels: np.ndarray | None = None) -> np.ndarray:
    """p(what the case says of a parent and its children, true parent value | class), ``(Z, n, C, K_parent)``.

    With ``labels``, only each case's own class: ``(Z, n, 1, K_parent)``.
    """
    table = root_rows(findings, codes, parent, labels)  # (C, Kp), (n, C, Kp) or, with labels, (n, Kp)
    weights = _weights(codes, parent, table.shape[-1], reporting, labels)  # (Z, n, Kp) or (Z, n, C, Kp)
    rows = table[None] if table.ndim == 3 else table[None, None] if labels is None else table[None, :, None, :]
    terms = (weights if weights.ndim == 4 else weights[:, :, None, :]) * rows
    for child in children_of(findings.parents)[parent]:
        terms = terms * child_factors(findings, codes, child, reporting, labels)
    return terms


def _age_level_log_terms(findings: FindingModel, arrays: CaseArrays, reporting: ReportingModel | None,
                         labels: np.ndarray | None = None) -> np.ndarray:
    """log p(what the case says of age and level | class), ``(Z, n, C)`` (``(Z, n, 1)`` with ``labels``)."""
    n = len(arrays)
    c = len(findings.classes) if labels is None else 1
    z = 1 if reporting is None else len(reporting.styles)
    out = np.zeros((z, n, c))

    def add(mask: np.ndarray, table: np.ndarray, columns: np.ndarray) -> None:
        """Add log table[class, column] for the cases in ``mask``."""
        if labels is None:
            out[:, mask] += np.log(table[:, columns]).T[None]
        else:
            out[:, mask, 0] += np.log(table[labels[mask], columns])[None]

    with np.errstate(divide="ignore"):
        age = arrays.age
        seen = ~np.isnan(age)
        add(seen, findings.age, np.clip(np.floor(np.nan_to_num(age[seen]) + 0.5), 0, AGES[-1]).astype(np.intp))
        codes = arrays.codes
        top = codes[:, CODE_COLUMN["level_top"]].astype(np.intp)
        bottom = codes[:, CODE_COLUMN["level_bottom"]].astype(np.intp)
        joint = findings.level_joint()
        both = (top >= 0) & (bottom >= 0)
        add(both, findings.level, top[both] * N_LEVELS + bottom[both])
        only = (top >= 0) & (bottom < 0)
        add(only, joint.sum(axis=2), top[only])
        only = (top < 0) & (bottom >= 0)
        add(only, joint.sum(axis=1), bottom[only])
        if reporting is not None:  # class-free, but they weigh the styles
            level_seen = (top >= 0) | (bottom >= 0)
            for stated, rate in ((seen, reporting.age), (level_seen, reporting.level)):
                out += np.where(stated[None, :], np.log(rate)[:, None], np.log1p(-rate)[:, None])[:, :, None]
    return out


def style_log_likelihood(findings: FindingModel, arrays: CaseArrays, reporting: ReportingModel | None = None,
                         labels: np.ndarray | None = None) -> np.ndarray:
    """log p(case | class, style), shape ``(Z, n, C)``; without ``reporting``, Z = 1 and the case is read as entered.

    With ``labels`` (each case's class index, as in fitting), only that class: ``(Z, n, 1)``.
    """
    codes = arrays.codes
    ll = _age_level_log_terms(findings, arrays, reporting, labels)
    with np.errstate(divide="ignore"):
        for name in lone_fields(findings.parents):
            table = root_rows(findings, codes, name, labels)
            weights = _weights(codes, name, table.shape[-1], reporting, labels)
            if labels is None and table.ndim == 3:  # given the level's region: each case's own rows
                ll += np.log(((weights if weights.ndim == 4 else weights[:, :, None, :]) * table[None]).sum(axis=-1))
            elif labels is None:
                ll += np.log(np.einsum("znck,ck->znc" if weights.ndim == 4 else "znk,ck->znc", weights, table))
            else:
                ll += np.log((weights * table[None]).sum(axis=-1))[..., None]  # table: each case's own class row
        for parent in children_of(findings.parents):
            ll += np.log(group_terms(findings, codes, parent, reporting, labels).sum(axis=-1))
    return ll


def log_likelihood(findings: FindingModel, arrays: CaseArrays, reading: str = "as_entered",
                   reporting: ReportingModel | None = None) -> np.ndarray:
    """log p(case | class) in one of the two readings, shape ``(n, C)``.

    ``"as_published"`` needs ``reporting`` and sums over its styles.
    """
    if check_reading(reading) == "as_entered":
        return style_log_likelihood(findings, arrays)[0]
    if reporting is None:
        raise ValueError("Reading a case as published needs a reporting model.")
    per_style = style_log_likelihood(findings, arrays, reporting)
    return logsumexp(per_style + np.log(reporting.weights)[:, None, None], axis=0)


__all__ = [
    "DEPENDENCES",
    "DEPENDENCE_SETTINGS",
    "LEVEL_REGION",
    "READINGS",
    "REGIONS",
    "REGION_OF_LEVEL",
    "ROOT_FIELDS",
    "FindingModel",
    "ReportingModel",
    "check_reading",
    "children_of",
    "findings_from_priors",
    "group_terms",
    "log_likelihood",
    "lone_fields",
    "parse_dependence",
    "region_weights",
    "reporting_from_priors",
    "root_rows",
    "style_log_likelihood",
    "value_weights",
]
