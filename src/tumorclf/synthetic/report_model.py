"""What a case report says, as a probability model: values *and* silences.

A published report leaves many findings out, and what it leaves out depends
on the tumour and on the finding ("reported when remarkable": a dural tail is
mentioned when present far more often than when absent). So the model here
is over what is *reported*: every field has one more outcome than it has
values, "not reported", and each table gives p(reported outcome | class),
children given their parent's reported outcome. Under this model nothing is
left to marginalise: an unreported field is the outcome "not reported", whose
probability already sums over every value the report could have left out.

:class:`ReportModel` holds the tables; :func:`from_priors` builds them from
the literature priors (missing at random, at the file's per-field rates), and
:func:`tumorclf.synthetic.update.update_model` turns them into a posterior
with real cases.

Table shapes (``C`` classes, ``K`` values of a field, the last column is
"not reported"):

* ``age``: ``(C, 102)``, whole years 0-100;
* ``level``: ``(C, 22 * 22 + 1)``, the joint (top, bottom) flattened;
* a root field: ``(C, K + 1)``;
* a child field: ``(C, K_parent + 1, K + 1)``, the parent's "not reported" last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tumorclf.schema import CODE_COLUMN, LEVELS, CaseArrays
from tumorclf.synthetic.priors import AGES, PARENTS, TABLE_FIELDS, Priors

N_LEVELS = len(LEVELS)
#: Fields scored on their own, given the class.
ROOT_FIELDS: tuple[str, ...] = tuple(f for f in TABLE_FIELDS if f not in PARENTS)
#: Each parent field with the fields that depend on it.
CHILDREN: dict[str, tuple[str, ...]] = {
    parent: tuple(child for child, p in PARENTS.items() if p == parent) for parent in dict.fromkeys(PARENTS.values())
}
#: What an unreported field means to :func:`log_likelihood`.
UNREPORTED_MODES = ("evidence", "marginalised")
#: Column of the "not reported" outcome in the age and level tables.
AGE_UNREPORTED = len(AGES)
LEVEL_UNREPORTED = N_LEVELS * N_LEVELS


@dataclass(frozen=True)
class ReportModel:
    """p(reported outcome | class) for every field; rows sum to 1.

    Attributes
    ----------
    classes : tuple of str
    age, level : ndarray
        See the module docstring for shapes.
    fields : dict of str to ndarray
        One table per field of :data:`~tumorclf.synthetic.priors.TABLE_FIELDS`.
    """

    classes: tuple[str, ...]
    age: np.ndarray
    level: np.ndarray
    fields: dict[str, np.ndarray]

    def level_joint(self) -> np.ndarray:
        """p(top, bottom reported | class), shape ``(C, 22, 22)``."""
        return self.level[:, :LEVEL_UNREPORTED].reshape(-1, N_LEVELS, N_LEVELS)


def _with_missing(p: np.ndarray, missing: float) -> np.ndarray:
    """Append "not reported" at rate ``missing`` to distributions along the last axis."""
    return np.concatenate([p * (1 - missing), np.full(p.shape[:-1] + (1,), missing)], axis=-1)


def from_priors(priors: Priors) -> ReportModel:
    """The literature model: values as in the priors, each field unreported at its file rate.

    A child given an unreported parent follows the parent's distribution
    (missing at random); a child that cannot exist under a parent value
    (a calcification site without calcification) is always unreported there.
    """
    m = priors.missing
    fields: dict[str, np.ndarray] = {}
    for name in TABLE_FIELDS:
        table = priors.tables[name]
        if name not in PARENTS:
            fields[name] = _with_missing(table, m[name])
            continue
        parent = priors.tables[PARENTS[name]]  # (C, Kp)
        rows = _with_missing(table, m[name])
        structural = table.sum(axis=2) == 0  # (C, Kp): this child cannot exist here
        rows[structural] = np.eye(rows.shape[-1])[-1]
        unreported_parent = np.einsum("ck,ckv->cv", parent, rows)[:, None, :]
        fields[name] = np.concatenate([rows, unreported_parent], axis=1)
    joint = priors.level_joint.reshape(len(priors.classes), -1)
    return ReportModel(
        classes=priors.classes,
        age=_with_missing(priors.age_pmf, m["age"]),
        level=_with_missing(joint, m["level"]),
        fields=fields,
    )


def outcome_codes(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Field codes with "not reported" (-1) as the last outcome ``n_values``."""
    return np.where(codes < 0, n_values, codes).astype(np.intp)


def log_likelihood(model: ReportModel, arrays: CaseArrays, unreported: str = "evidence") -> np.ndarray:
    """log p(report | class) under ``model``, shape ``(n_cases, n_classes)``.

    With ``unreported="evidence"`` a field a case leaves out is the outcome
    "not reported"; with ``"marginalised"`` it is summed over every outcome.
    Either way a reported child (``dumbbell``) of an unreported parent
    (``compartment``) is weighed over the parent's outcomes the mode allows.
    Ages are scored in whole years.
    """
    if unreported not in UNREPORTED_MODES:
        raise ValueError(f"The 'unreported' parameter must be one of {UNREPORTED_MODES}. Got {unreported!r} instead.")
    evidence = unreported == "evidence"
    n = len(arrays)
    ll = np.zeros((n, len(model.classes)))
    with np.errstate(divide="ignore"):  # an impossible combination is log 0 = -inf
        age = arrays.age
        seen = ~np.isnan(age) if not evidence else np.ones(n, dtype=bool)
        years = np.where(np.isnan(age), AGE_UNREPORTED, np.floor(np.nan_to_num(age) + 0.5)).astype(np.intp)
        ll[seen] += np.log(model.age[:, years[seen]]).T

        codes = arrays.codes
        top, bottom = codes[:, CODE_COLUMN["level_top"]], codes[:, CODE_COLUMN["level_bottom"]]
        both = (top >= 0) & (bottom >= 0)
        cell = np.where(both, top.astype(np.intp) * N_LEVELS + bottom, LEVEL_UNREPORTED)
        seen = both | (evidence & (top < 0) & (bottom < 0))
        ll[seen] += np.log(model.level[:, cell[seen]]).T
        joint = model.level_joint()
        only = (top >= 0) & (bottom < 0)
        ll[only] += np.log(joint.sum(axis=2)[:, top[only]]).T
        only = (top < 0) & (bottom >= 0)
        ll[only] += np.log(joint.sum(axis=1)[:, bottom[only]]).T

        for name in ROOT_FIELDS:
            if name in CHILDREN:
                continue
            table = model.fields[name]
            field_codes = codes[:, CODE_COLUMN[name]]
            seen = (field_codes >= 0) | evidence
            ll[seen] += np.log(table[:, outcome_codes(field_codes[seen], table.shape[-1] - 1)]).T
        for parent, children in CHILDREN.items():
            if evidence:  # every outcome is observed: plain look-ups
                table = model.fields[parent]
                outcome = outcome_codes(codes[:, CODE_COLUMN[parent]], table.shape[-1] - 1)
                ll += np.log(table[:, outcome]).T
                for child in children:
                    child_table = model.fields[child]
                    child_outcome = outcome_codes(codes[:, CODE_COLUMN[child]], child_table.shape[-1] - 1)
                    ll += np.log(child_table[:, outcome, child_outcome]).T
            else:
                ll += np.log(_group_likelihood(model, codes, parent, children))
    return ll


def _group_likelihood(model: ReportModel, codes: np.ndarray, parent: str, children: tuple[str, ...]) -> np.ndarray:
    """p(reported parent and children | class), summing over the parent's outcomes where it is unreported."""
    table = model.fields[parent]  # (C, Kp + 1)
    k = table.shape[1]
    parent_codes = codes[:, CODE_COLUMN[parent]]
    seen = parent_codes >= 0
    mask = np.ones((len(codes), k))
    mask[seen] = np.eye(k)[outcome_codes(parent_codes[seen], k - 1)]
    weight = mask[:, None, :] * table[None, :, :]  # (n, C, Kp + 1)
    for child in children:
        child_table = model.fields[child]  # (C, Kp + 1, K + 1)
        child_codes = codes[:, CODE_COLUMN[child]]
        seen = child_codes >= 0
        outcomes = outcome_codes(child_codes[seen], child_table.shape[-1] - 1)
        weight[seen] *= np.moveaxis(child_table[:, :, outcomes], -1, 0)
    return weight.sum(axis=2)


__all__ = ["AGE_UNREPORTED", "CHILDREN", "LEVEL_UNREPORTED", "ROOT_FIELDS", "UNREPORTED_MODES", "ReportModel",
           "from_priors", "log_likelihood", "outcome_codes"]
