"""95% intervals for real-case figures: a bootstrap over sources.

The real cases come from a few hundred papers, several of them series: the
unit that varies from one literature sample to another is the paper, not the
patient. Each bootstrap replicate draws sources with replacement (every
patient of a drawn source comes along, as often as it is drawn) and
recomputes the figure on the pooled out-of-fold predictions; the interval is
the bias-corrected 2.5th and 97.5th percentiles of ``n_boot`` replicates
(Efron & Tibshirani 1993, ch. 13-14; a cluster bootstrap, Field & Welsh
2007). The
replicates are weighted sums, so the figures are computed for all replicates
at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tumorclf.training.metrics import INTERVAL_FIGURES, POSITIVE, weighted_calibration_errors


def source_bootstrap(
    y: np.ndarray,
    proba: np.ndarray,
    groups: np.ndarray,
    classes: Sequence[str],
    *,
    n_boot: int = 1000,
    random_state: int = 0,
    level: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """``{figure: (low, high)}`` for :data:`INTERVAL_FIGURES`, resampling ``groups`` (one per
    source)."""
    y = np.asarray(y, dtype=np.intp)
    proba = np.clip(np.asarray(proba, dtype=float), 1e-15, 1.0)
    _, group_index = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    rng = np.random.default_rng(random_state)
    n_groups = group_index.max() + 1
    counts = rng.multinomial(
        n_groups, np.full(n_groups, 1.0 / n_groups), size=n_boot
    )  # (B, groups)
    weights = counts[:, group_index].astype(float)  # (B, n): how often each case is drawn
    weights = np.vstack(
        [weights, np.ones(len(y))]
    )  # the last row: the sample itself, the point estimate
    order = np.argsort(-proba, axis=1, kind="stable")
    rank = (order == y[:, None]).argmax(axis=1)  # 0 = first
    per_case = {
        "log_loss": -np.log(proba[np.arange(len(y)), y]),
        "top1_acc": (rank == 0).astype(float),
        "top3_acc": (rank < 3).astype(float),
    }
    out = {}
    total = weights.sum(axis=1)
    for name, values in per_case.items():
        out[name] = weights @ values / total
    out["ece_pooled"] = weighted_calibration_errors(y, proba, weights)
    if POSITIVE in classes:
        j = list(classes).index(POSITIVE)
        is_pos = y == j
        mcs_rank = (order == j).argmax(axis=1)
        in_top3 = (mcs_rank < 3).astype(float)
        w_pos, w_neg = weights[:, is_pos], weights[:, ~is_pos]
        with np.errstate(invalid="ignore", divide="ignore"):
            out["mcs_top3_sensitivity"] = w_pos @ in_top3[is_pos] / w_pos.sum(axis=1)
            out["mcs_top3_false_alarm"] = w_neg @ in_top3[~is_pos] / w_neg.sum(axis=1)
            score = proba[:, j]
            above = (score[is_pos][:, None] > score[~is_pos][None, :]) + 0.5 * (
                score[is_pos][:, None] == score[~is_pos][None, :]
            )  # (pos, neg)
            out["mcs_auroc"] = np.einsum("bp,pn,bn->b", w_pos, above, w_neg) / (
                w_pos.sum(axis=1) * w_neg.sum(axis=1)
            )
    return {
        name: _bias_corrected(v[:-1], v[-1], level)
        for name, v in out.items()
        if np.isfinite(v[:-1]).any()
    }


def _bias_corrected(replicates: np.ndarray, estimate: float, level: float) -> tuple[float, float]:
    """The bias-corrected percentile interval (Efron 1981; Efron & Tibshirani 1993, 14.3): the
    percentiles shift by how far the replicates' median sits from the estimate. For a figure the
    bootstrap does not bias it is the plain percentile interval; the ECE, which resampling pushes
    upwards, needs it."""
    from scipy.stats import norm

    replicates = replicates[np.isfinite(replicates)]
    below = (np.sum(replicates < estimate) + 0.5 * np.sum(replicates == estimate)) / len(replicates)
    z0 = norm.ppf(
        np.clip(below, 1 / (len(replicates) + 1), len(replicates) / (len(replicates) + 1))
    )
    z = norm.ppf(0.5 + level / 2)
    low, high = norm.cdf(2 * z0 - z), norm.cdf(2 * z0 + z)
    return float(np.percentile(replicates, 100 * low)), float(np.percentile(replicates, 100 * high))


__all__ = ["INTERVAL_FIGURES", "source_bootstrap"]
