"""Metrics of probabilistic predictions, computed in an explicit class order.

scikit-learn's ``log_loss`` assumes probability columns in sorted label order;
our classes keep the priors file's order, so every metric here takes integer
labels (indices into ``classes``) and the matching probability columns.

Names, as logged to MLflow (with ``cv_`` / ``real_`` prefixes and ``_mean`` /
``_sd`` over folds):

``log_loss``, ``brier`` (mean squared error of the probability vector),
``balanced_accuracy``, ``macro_f1``, ``top1_acc``, ``top2_acc``, ``top3_acc``,
``mcs_sensitivity``, ``mcs_specificity`` (MCS against the rest, at the top
class), ``mcs_top3_sensitivity`` (MCS cases with MCS among their three most
likely classes), ``mcs_top3_false_alarm`` (other cases with MCS among their
three most likely classes), ``mcs_auroc`` (one-vs-rest on p(MCS)), ``ece``
(expected calibration error of the top class, 10 equal-width bins; per fold
it is biased upwards, so real cases also get ``ece_pooled`` over every
out-of-fold prediction, with ``ece_pooled_reference``, the ECE a perfectly
calibrated model would show on the same cases),
``oracle_ratio`` (log loss over the oracle's on the same fold).

On the vignettes (``vignette_``, :func:`vignette_metrics`): ``top1_acc``,
``top3_acc``, ``mcs_first`` (share of MCS vignettes with MCS ranked first),
``mcs_mean_rank`` and ``mcs_worst_rank`` (MCS's rank on the MCS vignettes, 1 = first),
``mcs_top3_false_alarm`` (other vignettes with MCS in their top three).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

EPS = 1e-15
POSITIVE = "mcs"
#: Metrics where lower is better (for selection and the summary table).
LOWER_IS_BETTER = {"log_loss", "brier", "ece", "oracle_ratio", "mcs_top3_false_alarm"}


#: The real-case figures shown first wherever candidates are compared
#: (``real_<name>_mean``/``_sd``).
REAL_HEADLINE = (
    "log_loss",
    "top1_acc",
    "top3_acc",
    "mcs_top3_sensitivity",
    "mcs_top3_false_alarm",
    "mcs_auroc",
    "brier",
    "ece",
)
#: Real-case figures given a 95% interval by a bootstrap over sources (``real_<name>_lo``/``_hi``).
INTERVAL_FIGURES = (
    "log_loss",
    "top1_acc",
    "top3_acc",
    "mcs_top3_sensitivity",
    "mcs_top3_false_alarm",
    "mcs_auroc",
    "ece_pooled",
)
#: Synthetic-CV diagnostics shown after them (``cv_<name>_mean``).
SYNTHETIC_DIAGNOSTICS = ("log_loss", "oracle_ratio", "balanced_accuracy", "ece")
#: Vignette figures (fully reported textbook cases, read as entered; never used to choose).
VIGNETTE_METRICS = (
    "top1_acc",
    "top3_acc",
    "mcs_first",
    "mcs_mean_rank",
    "mcs_worst_rank",
    "mcs_top3_false_alarm",
)
#: Every metric column of a comparison row: real cases read as entered (``real_``), then as
#: published (``real_published_``), the vignettes, then the synthetic diagnostics.
COMPARISON_COLUMNS = (
    *(f"real_{m}_{s}" for m in REAL_HEADLINE for s in ("mean", "sd")),
    "real_cases",
    "real_ece_pooled",
    "real_ece_pooled_reference",
    *(
        f"real_published_{m}_{s}"
        for m in (
            "log_loss",
            "top1_acc",
            "top3_acc",
            "mcs_top3_sensitivity",
            "mcs_top3_false_alarm",
            "mcs_auroc",
        )
        for s in ("mean", "sd")
    ),
    *(
        f"{p}_{m}_{s}"
        for p in ("real", "real_published")
        for m in INTERVAL_FIGURES
        for s in ("lo", "hi")
    ),
    *(f"vignette_{m}" for m in VIGNETTE_METRICS),
    "vignette_n",
    *(f"cv_{m}_mean" for m in SYNTHETIC_DIAGNOSTICS),
    "cv_log_loss_sd",
)


def _confidence_bins(proba: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Each case's top-class confidence and its bin, as a one-hot ``(n, bins)``."""
    confidence = proba.max(axis=1)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    return confidence, np.eye(bins)[which]


def weighted_calibration_errors(
    y: np.ndarray, proba: np.ndarray, weights: np.ndarray, bins: int = 10
) -> np.ndarray:
    """Top-label ECE under each row of case weights ``(B, n)`` (e.g. bootstrap counts): ``(B,)``."""
    confidence, member = _confidence_bins(proba, bins)
    correct = (proba.argmax(axis=1) == y).astype(float)
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    gap = weights @ (
        member * (correct - confidence)[:, None]
    )  # (B, bins): accuracy minus confidence, summed
    return np.abs(gap).sum(axis=1) / weights.sum(axis=1)


def expected_calibration_error(y: np.ndarray, proba: np.ndarray, bins: int = 10) -> float:
    """Top-label ECE: |accuracy - confidence| averaged over confidence bins, weighted by count."""
    proba = np.asarray(proba, dtype=float)
    return float(weighted_calibration_errors(np.asarray(y), proba, np.ones(len(proba)), bins)[0])


def calibrated_ece_reference(
    proba: np.ndarray, bins: int = 10, draws: int = 1000, random_state: int = 0
) -> float:
    """The ECE a perfectly calibrated model would show on these cases: the mean over ``draws`` label
    sets drawn from the probabilities themselves. ECE is biased upwards on few cases (every bin's
    accuracy is a noisy share), so an ECE is read beside this, not beside zero."""
    proba = np.asarray(proba, dtype=float)
    confidence, member = _confidence_bins(proba, bins)
    rng = np.random.default_rng(random_state)
    cumulative = np.cumsum(proba / proba.sum(axis=1, keepdims=True), axis=1)
    # A label drawn by inverse CDF, u ~ U(0, 1), is the top class exactly when u falls in the top
    # class's stretch of the cumulative (the draw is the count of cumulative values below u): no
    # (draws, n, C) array.
    n_classes, rows, top = proba.shape[1], np.arange(len(proba)), proba.argmax(axis=1)
    low = np.where(top > 0, cumulative[rows, np.maximum(top - 1, 0)], -np.inf)
    high = np.where(top < n_classes - 1, cumulative[rows, np.minimum(top, n_classes - 2)], np.inf)
    u = rng.random((draws, len(proba)))
    correct = ((u > low) & (u <= high)).astype(float)  # (draws, n)
    gap = (correct - confidence) @ member  # (draws, bins)
    return float((np.abs(gap).sum(axis=1) / len(proba)).mean())


def in_top_k(proba: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Per row: is ``labels[i]`` among the ``k`` most probable classes of row ``i``?"""
    ranks = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    return (ranks == np.asarray(labels)[:, None]).any(axis=1)


def top_k_accuracy(y: np.ndarray, proba: np.ndarray, k: int) -> float:
    return float(in_top_k(proba, y, k).mean())


def log_loss(y: np.ndarray, proba: np.ndarray) -> float:
    return float(-np.log(np.clip(proba[np.arange(len(y)), y], EPS, 1.0)).mean())


def classification_metrics(
    y: np.ndarray, proba: np.ndarray, classes: Sequence[str]
) -> dict[str, float]:
    """Every metric of one fold; those undefined on it (e.g. AUROC with one class) are left out."""
    y = np.asarray(y, dtype=np.intp)
    proba = np.asarray(proba, dtype=float)
    predicted = proba.argmax(axis=1)
    onehot = np.eye(len(classes))[y]
    present = np.unique(y)
    recalls = [(predicted[y == c] == c).mean() for c in present]
    out = {
        "log_loss": log_loss(y, proba),
        "brier": float(((proba - onehot) ** 2).sum(axis=1).mean()),
        "balanced_accuracy": float(np.mean(recalls)),
        "macro_f1": float(f1_score(y, predicted, labels=present, average="macro", zero_division=0)),
        "top1_acc": float((predicted == y).mean()),
        "top2_acc": top_k_accuracy(y, proba, 2),
        "top3_acc": top_k_accuracy(y, proba, 3),
        "ece": expected_calibration_error(y, proba),
    }
    if POSITIVE in classes:
        positive = list(classes).index(POSITIVE)
        is_pos, said_pos = y == positive, predicted == positive
        in_top3 = in_top_k(proba, np.full(len(y), positive), 3)
        if is_pos.any():
            out["mcs_sensitivity"] = float(said_pos[is_pos].mean())
            out["mcs_top3_sensitivity"] = float(in_top3[is_pos].mean())
        if (~is_pos).any():
            out["mcs_specificity"] = float((~said_pos[~is_pos]).mean())
            out["mcs_top3_false_alarm"] = float(in_top3[~is_pos].mean())
        if is_pos.any() and (~is_pos).any():
            out["mcs_auroc"] = float(roc_auc_score(is_pos, proba[:, positive]))
        if is_pos.any():
            out["mcs_probability_mean"] = float(proba[is_pos, positive].mean())
    return out


def summarise(per_fold: Sequence[dict[str, float]]) -> dict[str, float]:
    """``{name}_mean`` and ``{name}_sd`` (sample sd; 0 for one fold) over the folds that have it."""
    names = sorted({k for fold in per_fold for k in fold})
    out = {}
    for name in names:
        values = np.array([fold[name] for fold in per_fold if name in fold], dtype=float)
        out[f"{name}_mean"] = float(values.mean())
        out[f"{name}_sd"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
    return out


def vignette_metrics(y: np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> dict[str, float]:
    """Figures on fully reported vignettes: ranks, not calibration (they are few and textbook)."""
    y = np.asarray(y, dtype=np.intp)
    out = {
        "top1_acc": top_k_accuracy(y, proba, 1),
        "top3_acc": top_k_accuracy(y, proba, 3),
        "n": float(len(y)),
    }
    if POSITIVE in classes:
        positive = list(classes).index(POSITIVE)
        order = np.argsort(-proba, axis=1, kind="stable")  # ties as in_top_k breaks them
        ranks = (order == positive).argmax(axis=1) + 1
        is_mcs = y == positive
        if is_mcs.any():
            out["mcs_first"] = float((ranks[is_mcs] == 1).mean())
            out["mcs_mean_rank"] = float(ranks[is_mcs].mean())
            out["mcs_worst_rank"] = float(ranks[is_mcs].max())
        if (~is_mcs).any():
            out["mcs_top3_false_alarm"] = float((ranks[~is_mcs] <= 3).mean())
    return out
