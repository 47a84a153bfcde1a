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
    ("hemangioblastoma", "schwannoma", "cystic_change", "true"),
    ("hemangioblastoma", "schwannoma", "haemorrhage", "true"),
    ("meningioma", "schwannoma", "dural_tail", "true"),
    ("meningioma", "schwannoma", "sex", "F"),
    ("meningioma", "schwannoma", "level_region", "thoracic"),
    ("meningioma", "schwannoma", "calcification", "punctate"),
    ("meningioma", "schwannoma", "t2_signal", "iso"),
    ("schwannoma", "meningioma", "dumbbell", "true"),
    ("schwannoma", "meningioma", "cystic_change", "true"),
    ("schwannoma", "meningioma", "compartment", "extradural"),
    ("schwannoma", "meningioma", "t2_signal", "hyper"),
    ("schwannoma", "meningioma", "enhancement", "heterogeneous"),
    ("schwannoma", "meningioma", "level_region", "lumbar"),
    ("neurofibroma", "schwannoma", "syndrome", "nf1"),
    ("neurofibroma", "schwannoma", "compartment", "intra_extradural"),
    ("neurofibroma", "schwannoma", "multiple_lesions", "true"),
    ("neurofibroma", "schwannoma", "dumbbell", "true"),
    ("myxopapillary_ependymoma", "schwannoma", "level_region", "lumbar"),
    ("myxopapillary_ependymoma", "schwannoma", "named_site", "filum_terminale"),
    ("myxopapillary_ependymoma", "schwannoma", "t2_signal", "hyper"),
    ("myxopapillary_ependymoma", "schwannoma", "haemorrhage", "true"),
    ("solitary_fibrous_tumor", "schwannoma", "t2_signal", "iso"),
    ("solitary_fibrous_tumor", "meningioma", "dural_tail", "true"),
    ("solitary_fibrous_tumor", "meningioma", "calcification", "punctate"),
    ("solitary_fibrous_tumor", "meningioma", "bone_erosion", "true"),
    ("solitary_fibrous_tumor", "meningioma", "dumbbell", "true"),
    ("mcs", "schwannoma", "calcification", "punctate"),
    ("mcs", "meningioma", "calcification", "punctate"),
    ("mcs", "meningioma", "sex", "F"),
    ("mcs", "meningioma", "t2_signal", "heterogeneous"),
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


def _rates_of(findings):
    """A finding model's marginal over a series field's support, for each class and field."""
    from tumorclf.model.consecutive import marginal
    from tumorclf.model.meta import AGE, LEVEL_REGION
    from tumorclf.model.structure import REGION_OF_LEVEL
    from tumorclf.schema.vocabulary import REGIONS

    classes = list(findings.classes)

    def rate_of(cls: str, field: str) -> np.ndarray:
        c = classes.index(cls)
        if field == AGE:
            return findings.age[c]
        if field == LEVEL_REGION:
            top = findings.level_joint()[c].sum(axis=1)
            return np.bincount(REGION_OF_LEVEL, weights=top, minlength=len(REGIONS))
        return marginal(findings, c, field)

    return rate_of


def series_criterion(rows, priors, series, published) -> list[str]:
    """The finding model's criterion: each series held out in turn, the mean per-patient
    log-likelihood of its counts (series weighted equally), with a 95% interval over series."""
    from tumorclf.model.literature import findings_from_priors
    from tumorclf.model.meta import held_out_log_likelihoods

    held = held_out_log_likelihoods(
        rows, priors, series,
        {"published": _rates_of(published), "literature": _rates_of(findings_from_priors(priors))},
    )  # fmt: skip

    def summary(values: list[float]) -> str:
        v = np.array(values)
        half = 1.96 * v.std(ddof=1) / np.sqrt(len(v))
        return f"{v.mean():.3f} ({v.mean() - half:.3f} to {v.mean() + half:.3f})"

    n_series, n_cells = len(held), len({(h.cls, h.field) for h in held})
    return [
        f"Held out one series at a time: {n_series} series of {n_cells}"
        f" class-field cells, {sum(h.n for h in held):,} patients; mean log-likelihood per patient"
        " (series weighted equally; 95% interval over series); higher is better.",
        "",
        "| finding model | held-out series log-likelihood per patient |",
        "|---|---|",
        "| the other series pooled (random effects): predictive for a new series | "
        f"{summary([h.predictive for h in held])} |",
        f"| the other series pooled: multinomial at the pooled rate | "
        f"{summary([h.pooled for h in held])} |",
        "| the published cases (EM on all 344, no selection): multinomial | "
        f"{summary([h.others['published'] for h in held])} |",
        "| the literature priors (configs/priors.yaml): multinomial | "
        f"{summary([h.others['literature'] for h in held])} |",
    ]


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
    published = _published_findings(priors)
    criterion = series_criterion(rows, priors, series, published)
    champion, tilts = None, None
    try:
        import tumorclf

        model = tumorclf.load(model_dir).model
        while hasattr(model, "steps"):
            model = model.steps[-1][1]
        champion = getattr(model, "findings_", None)
        tilts = getattr(model, "tilts_", None)
    except Exception as error:  # noqa: BLE001 - a table without the champion still says something
        print(f"(no champion finding model: {error})")
    lines = [
        *criterion,
        "",
        "| finding | a / b | champion | published cases | literature | consecutive model | "
        "pooled series (95%) |",
        "|---|---|---|---|---|---|---|",
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
            f"| {field} {value} | {a} / {b} | {ratio(champion)} | {ratio(published)} | "
            f"{ratio(literature)} | "
            f"{ratio(consecutive)} | {pooled} |"
        )
    if champion is not None and tilts is not None:
        lines += ["", *_mcs_under_median_selection(champion, tilts, priors)]
    return figures, lines


def _mcs_under_median_selection(champion, tilts, priors) -> list[str]:
    """MCS has no consecutive series: its published cases are its population. Were they selected
    as the median class's are, its population would be its published rows sharpened by that tilt
    (p ** (1 / (1 - lambda))): MCS's ratios and its place on the vignettes under that reading."""
    from dataclasses import replace

    from tumorclf.model.inference import posterior
    from tumorclf.model.selection import tilted_rows
    from tumorclf.paths import project_file
    from tumorclf.schema import as_case_arrays
    from tumorclf.training.vignettes import load_vignettes

    classes = list(champion.classes)
    m = classes.index("mcs")
    selected = np.array([t for c, t in zip(classes, tilts, strict=True) if c != "mcs" and t > 0])
    median = float(np.median(selected)) if len(selected) else 0.0
    power = 1.0 / (1.0 - median)

    def sharpen(table: np.ndarray) -> np.ndarray:
        out = table.copy()
        out[m] = tilted_rows(table[m], power)
        return out

    unselected = replace(
        champion,
        age=sharpen(champion.age),
        level=sharpen(champion.level),
        fields={name: sharpen(t) for name, t in champion.fields.items()},
    )
    lines = [
        f"MCS under the median selection of the other classes (tilt {median:.2f}: its published "
        "rows sharpened by that tilt):",
        "",
        "| finding | a / b | champion (MCS: published cases) | MCS under the median selection |",
        "|---|---|---|---|",
    ]
    for a, b, field, value in FINDINGS:
        if "mcs" not in (a, b):
            continue
        ia, ib = classes.index(a), classes.index(b)
        r0 = _rate(champion, ia, field, value) / _rate(champion, ib, field, value)
        r1 = _rate(unselected, ia, field, value) / _rate(unselected, ib, field, value)
        lines.append(f"| {field} {value} | {a} / {b} | {r0:.1f} | {r1:.1f} |")
    vignettes, _ = load_vignettes(project_file("data/vignettes.csv"), priors.classes)
    truth = vignettes["diagnosis"].astype(str).to_numpy()
    arrays = as_case_arrays(vignettes.drop(columns=["diagnosis", "id"], errors="ignore"))
    uniform = np.full(len(classes), 1 / len(classes))
    for label, findings in (("published cases", champion), ("median selection", unselected)):
        proba = posterior(findings, arrays, uniform)
        rank = (proba > proba[:, [m]]).sum(axis=1)  # MCS's place, 0 = first
        is_mcs = truth == "mcs"
        lines.append(
            f"- vignettes, MCS as its {label}: MCS first on {int((rank[is_mcs] == 0).sum())} of "
            f"{int(is_mcs.sum())} MCS cases; MCS in the top three of "
            f"{int((rank[~is_mcs] < 3).sum())} of {int((~is_mcs).sum())} others"
        )
    return lines


def _published_findings(priors):
    """The finding model EM learns from all the published cases read as published, no selection
    (the earlier champion's kind), the default settings otherwise."""
    from tumorclf.case_io import read_cases_csv
    from tumorclf.model.estimator import DEFAULT_GRID, UpdatedPriorsClassifier
    from tumorclf.paths import default_real_cases_path
    from tumorclf.schema import validate

    real = validate(read_cases_csv(default_real_cases_path()), classes=priors.classes)
    settings = {k: v[0] for k, v in DEFAULT_GRID.items()} | {"population": "published"}
    model = UpdatedPriorsClassifier(priors, **settings)
    return model.fit(real, real["diagnosis"].astype(str).to_numpy(dtype=object)).findings_


#: The two reports issue 27 quotes as misread: described, never iterated on.
REPORTS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "58-year-old man, intradural extramedullary mass at C7-T1 with foraminal extension",
        {"age": 58, "sex": "M", "level_top": "C7", "level_bottom": "T1",
         "compartment": "intradural_extramedullary", "dumbbell": True},
    ),
    (
        "47-year-old woman, C4-C5 dumbbell mass, intra- and extradural, cystic change, "
        "heterogeneous enhancement, foraminal erosion, T2 bright, no dural tail, no calcification",
        {"age": 47, "sex": "F", "level_top": "C4", "level_bottom": "C5", "dumbbell": True,
         "compartment": "intra_extradural", "cystic_change": True,
         "enhancement": "heterogeneous", "bone_erosion": True, "t2_signal": "hyper",
         "dural_tail": False, "calcification": "none"},
    ),
)  # fmt: skip


def reports(model_dir: str | None = None) -> list[str]:
    """The champion's differential for :data:`REPORTS` (uniform prior, as entered)."""
    import tumorclf

    model = tumorclf.load(model_dir)
    lines = []
    for text, case in REPORTS:
        proba = model.predict_proba(case, prior="uniform").iloc[0].sort_values(ascending=False)
        top = ", ".join(f"{c} {p:.0%}" for c, p in proba.head(4).items())
        lines.append(f'- "{text}": {top}')
    return lines


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
    try:
        print("\nThe champion on the issue's two reports (uniform prior, as entered):")
        print("\n".join(reports(args.model)))
    except Exception as error:  # noqa: BLE001 - the tables above stand without a champion
        print(f"(no champion: {error})")


if __name__ == "__main__":
    main()
