"""Literature priors updated by real cases: a conjugate posterior per table row.

Every row of a :class:`~tumorclf.synthetic.report_model.ReportModel` table is a
distribution over reported outcomes: "not reported" with chance ``m``, and
the values with chances ``(1 - m) p``. Each part gets its own conjugate prior
and is updated by the real cases' counts to its posterior mean:

* the values, ``p``: the literature's distribution as a Dirichlet prior worth
  ``strength`` cases, updated by the values the real reports give::

      p_post = (strength * p_lit + value_counts) / (strength + n_reported)

* the silence, ``m``: a Beta prior centred on the rate at which the training
  reports of *every* class leave this field out, worth ``missing_strength``
  cases, updated by this class's reports::

      m_post = (missing_strength * m_pooled + n_unreported) / (missing_strength + n)

So with few real cases a row stays near the literature, with many it follows
the reports; a class's reports may leave a field out more or less often than
others ("reported when remarkable"), but a handful of reports in one style (a
review table that lists every field) cannot make silence impossible for that
class. A ``floor`` then mixes every row with the uniform distribution over
its possible outcomes, so that no class becomes impossible through one
unexpected finding. Ages are counted through a Gaussian kernel of
``age_bandwidth`` years and levels through a kernel that shifts a segment by
one level up or down, so that 40 cases teach a shape rather than 40 spikes.
"""

from __future__ import annotations

import numpy as np

from tumorclf.schema import CODE_COLUMN, CaseArrays
from tumorclf.synthetic.priors import AGES, PARENTS
from tumorclf.synthetic.report_model import (
    AGE_UNREPORTED,
    LEVEL_UNREPORTED,
    N_LEVELS,
    ReportModel,
    outcome_codes,
)

#: Weights of the level kernel: the reported segment, and one level up or down.
LEVEL_KERNEL = (0.25, 0.5, 0.25)


def _age_counts(age: np.ndarray, labels: np.ndarray, n_classes: int, bandwidth: float) -> np.ndarray:
    counts = np.zeros((n_classes, AGE_UNREPORTED + 1))
    seen = ~np.isnan(age)
    np.add.at(counts[:, AGE_UNREPORTED], labels[~seen], 1.0)
    if bandwidth > 0:
        kernel = np.exp(-0.5 * ((AGES[None, :] - age[seen, None]) / bandwidth) ** 2)
        kernel /= kernel.sum(axis=1, keepdims=True)  # truncated to 0-100: each case counts once
    else:
        kernel = np.eye(len(AGES))[np.clip(np.floor(age[seen] + 0.5), 0, AGES[-1]).astype(np.intp)]
    np.add.at(counts[:, :AGE_UNREPORTED], labels[seen], kernel)
    return counts


def _level_counts(top: np.ndarray, bottom: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts over (top, bottom) cells, each case spread over its segment shifted by -1, 0, +1."""
    counts = np.zeros((n_classes, LEVEL_UNREPORTED + 1))
    both = (top >= 0) & (bottom >= 0)
    np.add.at(counts[:, LEVEL_UNREPORTED], labels[(top < 0) & (bottom < 0)], 1.0)
    t, b, c = top[both], bottom[both], labels[both]
    shifts = np.array([-1, 0, 1])
    weights = np.array(LEVEL_KERNEL)
    tt, bb = t[:, None] + shifts, b[:, None] + shifts
    valid = (tt >= 0) & (bb < N_LEVELS)
    w = np.where(valid, weights, 0.0)
    w /= w.sum(axis=1, keepdims=True)
    cells = np.clip(tt, 0, N_LEVELS - 1) * N_LEVELS + np.clip(bb, 0, N_LEVELS - 1)
    np.add.at(counts, (np.repeat(c, 3), cells.ravel()), w.ravel())
    # A case with only one end reported adds nothing here: rare, and it would need a guess.
    return counts


def _normalised(rows: np.ndarray) -> np.ndarray:
    total = rows.sum(axis=-1, keepdims=True)
    return np.divide(rows, total, out=np.zeros_like(rows), where=total > 0)


def _posterior_rows(prior: np.ndarray, counts: np.ndarray, strength: float, missing_strength: float,
                    floor: float) -> np.ndarray:
    """Posterior mean of each row (last axis: values, then "not reported"), then a uniform floor.

    Rows are indexed by class first; the pooled silence rate sums over classes.
    """
    values, unreported = counts[..., :-1], counts[..., -1]
    p_lit = _normalised(prior[..., :-1])
    p_post = _normalised(strength * p_lit + values)
    n = counts.sum(axis=-1)
    # Silence pooled over classes, with the literature's rate as one pseudo-case.
    pooled = (unreported.sum(axis=0) + prior[..., -1].mean(axis=0)) / (n.sum(axis=0) + 1.0)
    m_post = (missing_strength * pooled + unreported) / (missing_strength + n)
    structural = p_lit.sum(axis=-1) == 0  # a child that cannot exist under this parent value
    m_post = np.where(structural, 1.0, m_post)
    post = np.concatenate([p_post * (1 - m_post)[..., None], m_post[..., None]], axis=-1)
    if floor > 0:
        support = (prior > 0).astype(float)
        post = (1 - floor) * post + floor * support / support.sum(axis=-1, keepdims=True)
    return post


def field_counts(arrays: CaseArrays, labels: np.ndarray, n_classes: int, name: str,
                 shape: tuple[int, ...]) -> np.ndarray:
    """Counts of reported outcomes of one field per class (and parent outcome)."""
    counts = np.zeros((n_classes, *shape))
    child = outcome_codes(arrays.codes[:, CODE_COLUMN[name]], shape[-1] - 1)
    if name in PARENTS:
        parent = outcome_codes(arrays.codes[:, CODE_COLUMN[PARENTS[name]]], shape[0] - 1)
        np.add.at(counts, (labels, parent, child), 1.0)
    else:
        np.add.at(counts, (labels, child), 1.0)
    return counts


def update_model(
    base: ReportModel,
    arrays: CaseArrays,
    labels: np.ndarray,
    *,
    strength: float,
    missing_strength: float = 10.0,
    floor: float = 0.0,
    age_bandwidth: float = 4.0,
) -> ReportModel:
    """The posterior model given real cases.

    Parameters
    ----------
    base : ReportModel
        The literature model (:func:`~tumorclf.synthetic.report_model.from_priors`).
    arrays : CaseArrays
        The real cases.
    labels : ndarray of int
        Each case's class, as an index into ``base.classes``.
    strength : float
        Pseudo-cases the literature's values are worth in every table row (> 0).
    missing_strength : float
        Pseudo-cases the pooled silence rate is worth in every table row (> 0).
    floor : float
        Weight of the uniform distribution mixed into every row, in [0, 1).
    age_bandwidth : float
        Standard deviation, in years, of the kernel ages are counted through.
    """
    if not strength > 0:
        raise ValueError(f"The 'strength' parameter must be a positive number. Got {strength!r} instead.")
    if not missing_strength > 0:
        raise ValueError(f"The 'missing_strength' parameter must be a positive number. Got {missing_strength!r} instead.")
    if not 0 <= floor < 1:
        raise ValueError(f"The 'floor' parameter must be in [0, 1). Got {floor!r} instead.")
    labels = np.asarray(labels, dtype=np.intp)
    n_classes = len(base.classes)
    fields = {
        name: _posterior_rows(table, field_counts(arrays, labels, n_classes, name, table.shape[1:]),
                              strength, missing_strength, floor)
        for name, table in base.fields.items()
    }
    top, bottom = arrays.column("level_top"), arrays.column("level_bottom")
    return ReportModel(
        classes=base.classes,
        age=_posterior_rows(base.age, _age_counts(arrays.age, labels, n_classes, age_bandwidth),
                            strength, missing_strength, floor),
        level=_posterior_rows(base.level, _level_counts(top, bottom, labels, n_classes),
                              strength, missing_strength, floor),
        fields=fields,
    )


__all__ = ["LEVEL_KERNEL", "field_counts", "update_model"]
