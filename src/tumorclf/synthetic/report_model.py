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

from tumorclf.schema import LEVELS
from tumorclf.synthetic.priors import AGES, PARENTS, TABLE_FIELDS, Priors

N_LEVELS = len(LEVELS)
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


__all__ = ["AGE_UNREPORTED", "LEVEL_UNREPORTED", "ReportModel", "from_priors"]
