"""Inference: the likelihood of a case in both readings,
and the one posterior every part of tumorclf uses.

``"as_entered"`` scores the stated fields through the finding model alone,
the fields not given summed out. ``"as_published"`` scores the row as what
a paper of an unknown style chose to write, silences included::

    p(row | c) = sum_z w_z prod_f  [ stated v: p(v | c) r_z(f, v) ;
                                     silent: sum_v p(v | c) (1 - r_z(f, v)) ]

:func:`posterior` turns either into p(class | case) under a class prior; the
generator's oracle, the fitted estimator and the references all call it.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from tumorclf.model.readings import check_reading
from tumorclf.model.structure import (
    AGES,
    N_LEVELS,
    REGION_OF_LEVEL,
    FindingModel,
    ReportingModel,
    children_of,
    lone_fields,
    statements,
)
from tumorclf.schema import CODE_COLUMN, CaseArrays
from tumorclf.schema.vocabulary import REGIONS


def stated_rows(codes: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which codes are stated ``(n,)``, and the true values each stated code allows ``(n, K)``
    (0 where silent): the value's indicator, or several for a coarse statement
    (:func:`~tumorclf.model.structure.statements`)."""
    stated = codes >= 0
    rows = np.zeros((len(codes), allowed.shape[1]))
    rows[stated] = allowed[codes[stated]]
    return stated, rows


def value_weights(
    codes: np.ndarray, allowed: np.ndarray, rate: np.ndarray | None, per_class: bool = False
) -> np.ndarray:
    """What each value of a field contributes for each case, shape ``(Z, n, K)``.

    As entered (``rate`` None, Z = 1): the indicator of the true values the
    statement allows (``allowed``, :func:`~tumorclf.model.structure.statements`),
    or 1 for every value where unstated. As published: indicator x r(value)
    where stated, 1 - r(value) where silent; ``rate`` is shared ``(Z, K)``, or
    per class ``(Z, C, K)`` with ``per_class`` (then the result is ``(Z, n, C, K)``).
    A coarse statement ("present") is read as the field stated with one of the
    values it stands for: the finding model sums over them.
    """
    stated, onehot = stated_rows(codes, allowed)
    if rate is None:
        return np.where(stated[:, None], onehot, 1.0)[None]
    if per_class:
        return np.where(
            stated[None, :, None, None],
            onehot[None, :, None, :] * rate[:, None],
            (1.0 - rate)[:, None],
        )
    return np.where(stated[None, :, None], onehot[None] * rate[:, None, :], 1.0 - rate[:, None, :])


def _weights(codes: np.ndarray, name: str, reporting: ReportingModel | None) -> np.ndarray:
    """:func:`value_weights` of one field: ``(Z, n, K)``,
    or ``(Z, n, C, K)`` with class departures."""
    if reporting is None:
        return value_weights(codes[:, CODE_COLUMN[name]], statements(name), None)
    return value_weights(
        codes[:, CODE_COLUMN[name]],
        statements(name),
        reporting.rate(name),
        reporting.by_class is not None,
    )


def _per_class(weights: np.ndarray) -> np.ndarray:
    """Value weights with a class axis, ``(Z, n, C or 1, K)``."""
    return weights if weights.ndim == 4 else weights[:, :, None, :]


def region_weights(findings: FindingModel, codes: np.ndarray) -> np.ndarray:
    """p(region of the level | what the case says of its level, class), shape ``(n, C, R)``: the top
    level's region where stated, given the bottom level where only it is, else the class's."""
    top = codes[:, CODE_COLUMN["level_top"]].astype(np.intp)
    bottom = codes[:, CODE_COLUMN["level_bottom"]].astype(np.intp)
    given_bottom = findings.region_given_bottom()  # (C, R, L)
    out = np.empty((len(codes), given_bottom.shape[0], len(REGIONS)))
    unknown = (top < 0) & (bottom < 0)
    out[unknown] = given_bottom.sum(axis=-1)[None]
    only_bottom = (top < 0) & (bottom >= 0)
    out[only_bottom] = given_bottom[:, :, bottom[only_bottom]].transpose(2, 0, 1)
    known = top >= 0
    out[known] = np.eye(len(REGIONS))[REGION_OF_LEVEL[top[known]]][:, None, :]
    total = out.sum(axis=-1, keepdims=True)
    return np.divide(out, total, out=np.full_like(out, 1.0 / len(REGIONS)), where=total > 0)


def root_rows(findings: FindingModel, codes: np.ndarray, name: str) -> np.ndarray:
    """p(value | class) of a field with no finding parent: ``(C, K)``; for a field given the level's
    region, each case's own ``(n, C, K)``, the region summed out as the case's level allows."""
    table = findings.fields[name]
    if name not in findings.by_region:
        return table
    return np.einsum("ncr,crk->nck", region_weights(findings, codes), table)


def child_factors(
    findings: FindingModel, codes: np.ndarray, child: str, reporting: ReportingModel | None
) -> np.ndarray:
    """p(what the case says of ``child`` | class, true parent value),
    shape ``(Z, n, C, K_parent)``."""
    table = findings.fields[child]  # (C, Kp, K)
    weights = _weights(codes, child, reporting)  # (Z, n, K), or (Z, n, C, K) per class
    factor = np.einsum("znck,cpk->zncp" if weights.ndim == 4 else "znk,cpk->zncp", weights, table)
    structural = table.sum(axis=-1) == 0  # the child cannot exist under this parent value
    silent = codes[:, CODE_COLUMN[child]] < 0
    return np.where(silent[None, :, None, None] & structural[None, None], 1.0, factor)


def group_terms(
    findings: FindingModel, codes: np.ndarray, parent: str, reporting: ReportingModel | None
) -> np.ndarray:
    """p(what the case says of a parent and its children, true parent value | class),
    ``(Z, n, C, K_parent)``."""
    table = root_rows(findings, codes, parent)  # (C, Kp), or (n, C, Kp) given the level's region
    weights = _per_class(_weights(codes, parent, reporting))
    terms = weights * (table[None] if table.ndim == 3 else table[None, None])
    for child in children_of(findings.parents)[parent]:
        terms = terms * child_factors(findings, codes, child, reporting)
    return terms


def age_level_log_terms(findings: FindingModel, arrays: CaseArrays) -> np.ndarray:
    """log p(the age and level the case states | class), ``(n, C)`` (0 for what it leaves out)."""
    out = np.zeros((len(arrays), len(findings.classes)))

    def add(mask: np.ndarray, table: np.ndarray, columns: np.ndarray) -> None:
        """Add log table[class, column] for the cases in ``mask``."""
        out[mask] += np.log(table[:, columns]).T

    with np.errstate(divide="ignore"):
        age = arrays.age
        seen = ~np.isnan(age)
        add(
            seen,
            findings.age,
            np.clip(np.floor(np.nan_to_num(age[seen]) + 0.5), 0, AGES[-1]).astype(np.intp),
        )
        top = arrays.column("level_top").astype(np.intp)
        bottom = arrays.column("level_bottom").astype(np.intp)
        joint = findings.level_joint()
        both = (top >= 0) & (bottom >= 0)
        add(both, findings.level, top[both] * N_LEVELS + bottom[both])
        only = (top >= 0) & (bottom < 0)
        add(only, joint.sum(axis=2), top[only])
        only = (top < 0) & (bottom >= 0)
        add(only, joint.sum(axis=1), bottom[only])
    return out


def style_log_likelihood(
    findings: FindingModel, arrays: CaseArrays, reporting: ReportingModel | None = None
) -> np.ndarray:
    """log p(case | class, style), shape ``(Z, n, C)``; without ``reporting``,
    Z = 1 and the case is read as entered."""
    codes = arrays.codes
    ll = age_level_log_terms(findings, arrays)[None]
    if (
        reporting is not None
    ):  # whether age and level are stated is class-free, but it weighs the styles
        level_seen = (arrays.column("level_top") >= 0) | (arrays.column("level_bottom") >= 0)
        for stated, rate in ((~np.isnan(arrays.age), reporting.age), (level_seen, reporting.level)):
            ll = (
                ll
                + np.where(stated[None, :], np.log(rate)[:, None], np.log1p(-rate)[:, None])[
                    :, :, None
                ]
            )
    with np.errstate(divide="ignore"):
        for name in lone_fields(findings.parents):
            table = root_rows(findings, codes, name)
            weights = _weights(codes, name, reporting)
            if table.ndim == 3:  # given the level's region: each case's own rows
                ll = ll + np.log((_per_class(weights) * table[None]).sum(axis=-1))
            else:
                ll = ll + np.log(
                    np.einsum(
                        "znck,ck->znc" if weights.ndim == 4 else "znk,ck->znc", weights, table
                    )
                )
        for parent in children_of(findings.parents):
            ll = ll + np.log(group_terms(findings, codes, parent, reporting).sum(axis=-1))
    return ll


def log_likelihood(
    findings: FindingModel,
    arrays: CaseArrays,
    reading: str = "as_entered",
    reporting: ReportingModel | None = None,
) -> np.ndarray:
    """log p(case | class) in one of the two readings, shape ``(n, C)``.

    ``"as_published"`` needs ``reporting`` and sums over its styles.
    """
    if check_reading(reading) == "as_entered":
        return style_log_likelihood(findings, arrays)[0]
    if reporting is None:
        raise ValueError("Reading a case as published needs a reporting model.")
    per_style = style_log_likelihood(findings, arrays, reporting)
    return logsumexp(per_style + np.log(reporting.weights)[:, None, None], axis=0)


def posterior(
    findings: FindingModel,
    arrays: CaseArrays,
    class_prior: np.ndarray,
    *,
    reading: str = "as_entered",
    reporting: ReportingModel | None = None,
    temperature: float = 1.0,
) -> np.ndarray:
    """p(class | case) in ``reading``, shape ``(n, C)`` in ``findings.classes`` order.

    Bayes' rule with the likelihood raised to ``temperature`` (1: the exact
    posterior; below 1: a tempered one) and ``class_prior`` a probability
    vector over the classes.

    Raises
    ------
    ValueError
        For cases that no class can have produced under this prior.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        joint = temperature * log_likelihood(findings, arrays, reading, reporting) + np.log(
            class_prior
        )
        result = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
    impossible = ~np.isfinite(result).all(axis=1)
    if impossible.any():
        rows = np.flatnonzero(impossible)[:10].tolist()
        raise ValueError(
            f"Cases at positions {rows} have zero probability under every class with this prior."
        )
    return result


__all__ = [
    "age_level_log_terms",
    "child_factors",
    "group_terms",
    "log_likelihood",
    "posterior",
    "region_weights",
    "root_rows",
    "stated_rows",
    "style_log_likelihood",
    "value_weights",
]
