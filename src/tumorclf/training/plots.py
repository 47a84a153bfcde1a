"""Plots of a candidate's pooled real-case and synthetic-CV predictions, saved as PNG for MLflow."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tumorclf.training.metrics import POSITIVE


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _short(name: str) -> str:
    return {
        "myxopapillary_ependymoma": "MPE",
        "solitary_fibrous_tumor": "SFT",
        "hemangioblastoma": "HB",
        "neurofibroma": "NF",
        "meningioma": "MEN",
        "schwannoma": "SCH",
        "mcs": "MCS",
    }.get(name, name)


def confusion_matrix_png(
    y: np.ndarray, proba: np.ndarray, classes: Sequence[str], path: Path, title: str
) -> Path:
    plt = _pyplot()
    k = len(classes)
    matrix = np.zeros((k, k))
    np.add.at(matrix, (y, proba.argmax(axis=1)), 1)
    rates = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                f"{rates[i, j]:.2f}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if rates[i, j] > 0.6 else "black",
            )
    labels = [_short(c) for c in classes]
    ax.set_xticks(range(k), labels, rotation=45, ha="right")
    ax.set_yticks(range(k), labels)
    ax.set_xlabel("predicted (top class)")
    ax.set_ylabel("true class")
    ax.set_title(f"{title}: confusion (row-normalised)")
    fig.colorbar(image, ax=ax, fraction=0.046)
    return _save(fig, path)


def roc_png(
    y: np.ndarray, proba: np.ndarray, classes: Sequence[str], path: Path, title: str
) -> Path:
    from sklearn.metrics import auc, roc_curve

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5.5))
    for j, name in enumerate(classes):
        positive = y == j
        if positive.all() or not positive.any():
            continue
        fpr, tpr, _ = roc_curve(positive, proba[:, j])
        ax.plot(
            fpr,
            tpr,
            lw=2.2 if name == POSITIVE else 1.2,
            label=f"{_short(name)} (AUC {auc(fpr, tpr):.3f})",
        )
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(f"{title}: one-vs-rest ROC")
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, path)


def reliability_png(
    y: np.ndarray, proba: np.ndarray, classes: Sequence[str], path: Path, title: str, bins: int = 10
) -> Path:
    """Observed frequency against predicted probability, per bin of at least 5 cases, each with its
    exact 95% (Clopper-Pearson) interval; the title gives the top-class ECE beside a calibrated
    model's."""
    from scipy.stats import beta

    from tumorclf.training.metrics import calibrated_ece_reference, expected_calibration_error

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5.5))
    edges = np.linspace(0, 1, bins + 1)
    series = [("top class", proba.max(axis=1), proba.argmax(axis=1) == y)]
    if POSITIVE in classes:
        j = list(classes).index(POSITIVE)
        series.append(("p(MCS)", proba[:, j], y == j))
    for label, confidence, hit in series:
        which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
        xs, ys, ns, ks = [], [], [], []
        for b in range(bins):
            members = which == b
            if members.sum() >= 5:
                xs.append(confidence[members].mean())
                ys.append(hit[members].mean())
                ns.append(int(members.sum()))
                ks.append(int(hit[members].sum()))
        n, k = np.array(ns), np.array(ks)
        low = np.where(k > 0, beta.ppf(0.025, k, n - k + 1), 0.0)
        high = np.where(k < n, beta.ppf(0.975, k + 1, n - k), 1.0)
        ax.errorbar(
            xs,
            ys,
            yerr=np.vstack([np.array(ys) - low, high - np.array(ys)]),
            fmt="o-",
            capsize=3,
            label=f"{label} ({int(n.sum()):,} cases; 95% intervals)",
        )
    ax.plot([0, 1], [0, 1], ":", color="grey", label="perfect calibration")
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_title(
        f"{title}: reliability\ntop-class ECE {expected_calibration_error(y, proba):.3f} "
        f"(a calibrated model: {calibrated_ece_reference(proba):.3f})",
        fontsize=10,
    )
    ax.legend(loc="upper left", fontsize=8)
    return _save(fig, path)


def importance_png(model: Any, path: Path, title: str, top: int = 20) -> Path | None:
    """Coefficient sizes (linear) or impurity importances (forests); None for other models."""
    steps = getattr(model, "named_steps", {})
    estimator, encoder = steps.get("model"), steps.get("encode")
    if estimator is None or encoder is None:
        return None
    names = np.asarray(encoder.get_feature_names_out())
    if hasattr(estimator, "coef_"):
        values, label = (
            np.abs(estimator.coef_).mean(axis=0),
            "mean |coefficient| (standardised features)",
        )
    elif hasattr(estimator, "feature_importances_"):
        values, label = estimator.feature_importances_, "impurity importance"
    elif hasattr(estimator, "feature_log_prob_"):
        # Categorical NB: spread of each group's log-likelihood across classes.
        values = np.array([np.ptp(t, axis=0).mean() for t in estimator.feature_log_prob_])
        label = "mean spread of log p(category | class) across classes"
    else:
        return None
    order = np.argsort(values)[::-1][:top][::-1]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(order) + 1.5))
    ax.barh(range(len(order)), values[order])
    ax.set_yticks(range(len(order)), names[order], fontsize=8)
    ax.set_xlabel(label)
    ax.set_title(f"{title}: what the model leans on")
    return _save(fig, path)


def comparison_png(rows: list[dict[str, Any]], path: Path) -> Path:
    """Every candidate against the references: real-case log loss and top-3 first, synthetic CV
    last."""
    plt = _pyplot()
    panels = (
        ("real_log_loss", "real cases: log loss"),
        ("real_top3_acc", "real cases: top-3 accuracy"),
        ("cv_log_loss", "synthetic CV: log loss"),
    )
    rows = [r for r in rows if r.get("status") != "FAILED"]
    fig, axes = plt.subplots(1, len(panels), figsize=(13, 0.42 * len(rows) + 1.8), sharey=True)
    n_real = max((r.get("real_cases") or 0 for r in rows), default=0)
    for ax, (name, label) in zip(axes, panels, strict=True):
        means = np.array(
            [r.get(f"{name}_mean") if r.get(f"{name}_mean") is not None else np.nan for r in rows]
        )
        colours = ["#888888" if r.get("reference") else "#3572b0" for r in rows]
        low = np.array(
            [
                r.get(f"{name}_lo", np.nan) if r.get(f"{name}_lo") is not None else np.nan
                for r in rows
            ]
        )
        high = np.array(
            [
                r.get(f"{name}_hi", np.nan) if r.get(f"{name}_hi") is not None else np.nan
                for r in rows
            ]
        )
        if (
            np.isfinite(low).all() and np.isfinite(high).all()
        ):  # real cases: 95% interval, bootstrap over sources
            errors = np.vstack([np.clip(means - low, 0, None), np.clip(high - means, 0, None)])
            how = "mean over folds, 95% interval by a bootstrap over sources"
        else:
            errors = np.array([r.get(f"{name}_sd") or 0 for r in rows])
            how = "mean +- sd over folds"
        ax.barh(range(len(rows)), means, xerr=errors, color=colours)
        ax.set_yticks(range(len(rows)), [r["candidate"] for r in rows])
        ax.set_xlabel(f"{label}\n({how})")
    axes[0].invert_yaxis()
    fig.suptitle(
        f"candidates (blue) against references (grey); real cases: n = {int(n_real)}, "
        "grouped by source"
    )
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path
