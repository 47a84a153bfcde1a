"""Consecutive series: how well the pooled rates predict a series left out, and the single-finding
likelihood ratios of the champion, the literature model, the consecutive model and the pooled
series themselves.

Leave one series out: every series of a class and field counted by two or more is held out in
turn, the others pooled, and each of its cells' rates compared with the 95% interval the others
give for a new series of its size (goal of issue 27: >= 90% inside, none off by more than a factor
of 4, half a patient added so that a zero is finite).

Single-finding likelihood ratios p(finding | a) / p(finding | b), uniform prior, as entered: the
champion's finding model (the one a user's case is read by), the literature's (the priors file),
the consecutive model (the literature's structure with the series' rates), and the pooled series
(profile-likelihood rates; the interval from their two intervals on the log scale). Measures and
prints; asserts nothing.

    python benchmarks/bench_series.py [--model models/]
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import numpy as np

#: Findings that tell a class from its closest mimic in consecutive series: (class a, class b,
#: field, value).
FINDINGS: tuple[tuple[str, str, str, str], ...] = (
    ("hemangioblastoma", "schwannoma", "compartment", "intramedullary"),
    ("hemangioblastoma", "schwannoma", "syndrome", "vhl"),
    ("hemangioblastoma", "schwannoma", "syrinx", "true"),
    ("meningioma", "schwannoma", "dural_tail", "true"),
    ("meningioma", "schwannoma", "sex", "F"),
    ("meningioma", "schwannoma", "level_region", "thoracic"),
    ("schwannoma", "meningioma", "dumbbell", "true"),
    ("schwannoma", "meningioma", "cystic_change", "true"),
    ("schwannoma", "meningioma", "compartment", "extradural"),
    ("neurofibroma", "schwannoma", "syndrome", "nf1"),
    ("neurofibroma", "schwannoma", "compartment", "intra_extradural"),
    ("myxopapillary_ependymoma", "schwannoma", "level_region", "lumbar"),
    ("solitary_fibrous_tumor", "schwannoma", "t2_signal", "iso"),
    ("mcs", "schwannoma", "calcification", "punctate"),
)
TARGETS = {
    "loso_inside_95": (">=", 0.90),
    "loso_off_by_4x": ("<=", 0),
}


def _rate(findings, c: int, field: str, value: str) -> float:
    from tumorclf.model.consecutive import marginal
    from tumorclf.model.meta import support
    from tumorclf.model.structure import REGION_OF_LEVEL
    from tumorclf.schema.vocabulary import REGIONS

    if field == "level_region":
        top = findings.level_joint()[c].sum(axis=1)
        return float(np.bincount(REGION_OF_LEVEL, weights=top, minlength=len(REGIONS))[
            REGIONS.index(value)
        ])  # fmt: skip
    if field == "sex":
        return float(findings.fields["sex"][c][("M", "F").index(value)])
    return float(marginal(findings, c, field)[support(field).index(value)])


def _pooled_ratio(series, a: str, b: str, field: str, value: str) -> tuple[float, float, float]:
    from tumorclf.model.meta import support

    i = frozenset({support(field).index(value)})
    out = []
    for cls in (a, b):
        pooled = series.rates.get((cls, field))
        if pooled is None or pooled.assumption:
            return (math.nan,) * 3
        out.append(pooled.rate_interval(i))
    (ea, la, ha), (eb, lb, hb) = out
    se = math.hypot(*(math.log(h / max(lo, 1e-6)) / 3.92 for _, lo, h in out))
    ratio = ea / max(eb, 1e-6)
    return ratio, ratio * math.exp(-1.96 * se), ratio * math.exp(1.96 * se)


def measure(model_dir: str | None = None) -> tuple[dict[str, Any], list[str]]:
    from tumorclf.model.consecutive import consecutive_findings
    from tumorclf.model.literature import findings_from_priors
    from tumorclf.model.meta import fit_series, leave_one_series_out
    from tumorclf.model.priors import load_priors
    from tumorclf.model.series import load_series
    from tumorclf.paths import default_priors_path

    priors = load_priors(default_priors_path())
    rows = load_series(classes=priors.classes)
    start = time.perf_counter()
    series = fit_series(rows, priors)
    fit_seconds = time.perf_counter() - start
    held = leave_one_series_out(rows, priors, series)
    figures: dict[str, Any] = {
        "series_rows": len(rows),
        "series_cohorts_consecutive": len({r.cohort for r in rows if r.consecutive}),
        "fit_seconds": fit_seconds,
        "spread_prior_centre_phi": float(np.exp(series.log_phi_prior[0])),
        "loso_cells": len(held),
        "loso_inside_95": float(np.mean([h.inside for h in held])),
        "loso_off_by_4x": sum(h.factor > 4 for h in held),
    }
    literature = findings_from_priors(priors)
    consecutive = consecutive_findings(literature, series)
    champion = None
    try:
        import tumorclf

        model = tumorclf.load(model_dir).model
        while hasattr(model, "steps"):
            model = model.steps[-1][1]
        champion = getattr(model, "findings_", None)
    except Exception as error:  # noqa: BLE001 - a table without the champion still says something
        print(f"(no champion finding model: {error})")
    lines = [
        "| finding | a / b | champion | literature | consecutive model | pooled series (95%) |",
        "|---|---|---|---|---|---|",
    ]
    classes = list(priors.classes)
    for a, b, field, value in FINDINGS:
        ia, ib = classes.index(a), classes.index(b)

        def ratio(findings, ia=ia, ib=ib, field=field, value=value) -> str:
            if findings is None:
                return "-"
            return f"{_rate(findings, ia, field, value) / _rate(findings, ib, field, value):.1f}"

        est, low, high = _pooled_ratio(series, a, b, field, value)
        pooled = "no series for both" if math.isnan(est) else f"{est:.1f} ({low:.1f}-{high:.1f})"
        lines.append(
            f"| {field} {value} | {a} / {b} | {ratio(champion)} | {ratio(literature)} | "
            f"{ratio(consecutive)} | {pooled} |"
        )
    return figures, lines


def main() -> None:
    from _report import context, print_figures

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="models folder (default: the project's)")
    args = parser.parse_args()
    info = context()
    print(info["date"], info["machine"])
    figures, table = measure(args.model)
    print_figures("series", figures, TARGETS)
    print("\n".join(table))


if __name__ == "__main__":
    main()
