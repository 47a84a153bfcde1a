"""Publication selection as a mixture: some papers are written about one salient finding.

The second form of selection (the first is the per-class tilt of :mod:`tumorclf.model.selection`).
A share ``1 - pi_c`` of class c's published cases are drawn from the consecutive finding model
unselected; a share ``pi_c`` were published for one salient finding f, chosen with weight ``w_f``
(shared across classes), whose value is drawn from the flattened row ``q_f proportional to
p_c(v) ** (1 - kappa)`` while the other findings keep their consecutive rates:

    p_pub,c(x) = (1 - pi_c) p_c(x) + pi_c sum_f w_f p_c(x) q_f(x_f) / p_c(x_f)

The parameters: ``pi_c`` one per class, the weights ``w_f`` (one per table, shrunk toward equal
by a Dirichlet of :data:`WEIGHT_STRENGTH` pseudo-papers) and one ``kappa`` shared by all. Fitted
by EM over which finding (if any) each paper was selected for, ``kappa`` by a grid. Each term
of the sum is the case's likelihood under the model with one table flattened, read as published
through the reporting model, except that a paper selected for a finding states it: the term is 0
where the finding is silent, and the finding's own chance of being stated is divided out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from tumorclf.model.inference import log_likelihood
from tumorclf.model.selection import class_cases, one_class, one_class_reporting, tilted_rows
from tumorclf.model.structure import FindingModel, ReportingModel
from tumorclf.schema import CaseArrays

#: The flattenings tried for the salient finding's value (kappa).
FLATTENINGS: tuple[float, ...] = (0.3, 0.6, 0.9)
#: Pseudo-papers per finding pulling the salience weights toward equal.
WEIGHT_STRENGTH = 2.0
#: EM rounds over the shares and weights at each flattening.
_EM_ROUNDS = 60


@dataclass(frozen=True)
class Salience:
    """A fitted salience mixture: each class's selected share, each table's weight, the
    flattening."""

    shares: np.ndarray  # (C,)
    weights: dict[str, float]
    flatten: float

    def marginal_model(self, findings: FindingModel) -> FindingModel:
        """The published finding model with each table replaced by its mixture marginal,
        ``(1 - pi_c w_f) p + pi_c w_f q_f``: exact field by field, not jointly."""
        out = findings
        for name, weight in self.weights.items():
            raw = findings.table(name)
            mix = (self.shares * weight).reshape(-1, *([1] * (raw.ndim - 1)))
            flat = tilted_rows(raw, 1.0 - self.flatten)
            out = out.with_table(name, (1 - mix) * raw + mix * flat)
        return out


def component_log_likelihoods(
    findings: FindingModel,
    reporting: ReportingModel | None,
    arrays: CaseArrays,
    c: int,
    flatten: float,
    reading: str = "as_published",
) -> np.ndarray:
    """log p(case | class c, selected for nothing or for table f), ``(n, 1 + F)``: column 0 the
    unselected model, then one per table (``findings.table_names``)."""
    own = one_class(findings, c)
    seen = one_class_reporting(reporting, c) if reporting is not None else None
    columns = [log_likelihood(own, arrays, reading, seen)[:, 0]]
    for name in findings.table_names:
        swapped = own.with_table(name, tilted_rows(own.table(name), 1.0 - flatten))
        term = log_likelihood(swapped, arrays, reading, seen)[:, 0]
        stated, rate = _stated(name, arrays, seen)
        with np.errstate(divide="ignore"):
            columns.append(np.where(stated, term - np.log(rate), -np.inf))
    return np.stack(columns, axis=1)


def _stated(
    name: str, arrays: CaseArrays, reporting: ReportingModel | None
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each case states a table ``(n,)``, and the chance a paper of an unknown style
    states it with that value (1 as entered, or for a coarse statement): a paper selected for a
    finding states it, so that finding's statement is no longer the reporting model's chance."""
    if name == "age":
        stated = ~np.isnan(arrays.age)
        rate = float(reporting.weights @ reporting.age) if reporting is not None else 1.0
        return stated, np.full(len(stated), rate)
    if name == "level":
        stated = (arrays.column("level_top") >= 0) | (arrays.column("level_bottom") >= 0)
        rate = float(reporting.weights @ reporting.level) if reporting is not None else 1.0
        return stated, np.full(len(stated), rate)
    codes = arrays.column(name)
    stated = codes >= 0
    if reporting is None:
        return stated, np.ones(len(codes))
    rates = reporting.rate(name)
    rates = rates[:, 0] if rates.ndim == 3 else rates  # one class's own
    mean = reporting.weights @ rates  # (K,)
    exact = stated & (codes < len(mean))
    out = np.ones(len(codes))
    out[exact] = mean[codes[exact]]
    return stated, out


def mixture_log_likelihood(components: np.ndarray, share: float, weights: np.ndarray) -> np.ndarray:
    """log p_pub(case | class) from :func:`component_log_likelihoods`, ``(n,)``."""
    with np.errstate(divide="ignore"):
        log_mix = np.log(np.concatenate([[1 - share], share * weights]))
    return logsumexp(components + log_mix[None], axis=1)


def fit_salience(
    findings: FindingModel,
    reporting: ReportingModel,
    arrays: CaseArrays,
    labels: np.ndarray,
    fitted: np.ndarray,
    flattenings: tuple[float, ...] = FLATTENINGS,
) -> tuple[Salience, float]:
    """The salience mixture of the classes in ``fitted`` by EM on their published cases read as
    published; ``kappa`` the grid value of highest likelihood. Returns it with that
    log-likelihood. Classes outside ``fitted`` get a share of 0."""
    names = findings.table_names
    best: tuple[Salience, float] | None = None
    for flatten in flattenings:
        parts = {
            c: component_log_likelihoods(findings, reporting, cases, c, flatten)
            for c in np.flatnonzero(fitted)
            if (cases := class_cases(arrays, labels, c)) is not None
        }
        shares = np.zeros(len(findings.classes))
        shares[list(parts)] = 0.3
        weights = np.full(len(names), 1.0 / len(names))
        total = -np.inf
        for _ in range(_EM_ROUNDS):
            per_table = np.full(len(names), WEIGHT_STRENGTH)
            total = 0.0
            for c, comp in parts.items():
                joint = comp + np.log(np.concatenate([[1 - shares[c]], shares[c] * weights]))
                norm = logsumexp(joint, axis=1, keepdims=True)
                total += float(norm.sum())
                resp = np.exp(joint - norm)
                shares[c] = float(np.clip(resp[:, 1:].sum() / len(comp), 1e-4, 1 - 1e-4))
                per_table += resp[:, 1:].sum(axis=0)
            weights = per_table / per_table.sum()
        fit = Salience(shares, dict(zip(names, weights.tolist(), strict=True)), flatten)
        if best is None or total > best[1]:
            best = (fit, total)
    assert best is not None
    return best


__all__ = [
    "FLATTENINGS",
    "WEIGHT_STRENGTH",
    "Salience",
    "component_log_likelihoods",
    "fit_salience",
    "mixture_log_likelihood",
]
