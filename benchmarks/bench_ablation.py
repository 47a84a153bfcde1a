"""What each schema-1.1 field is worth: the prior update scored with and without it.

For each new field (and for none, and all of them at once), the field is
blanked in every real case and vignette, then the literature updated by the
real cases (``UpdatedPriorsClassifier`` at fixed settings: the ones CV chose
in the default train) is scored by 5-fold CV stratified by diagnosis and
grouped by source, in both readings, and on the fully reported vignettes (as
entered, uniform prior). Also printed: top-1 on the real cases of
hemangioblastoma and neurofibroma whose row states a syndrome (issue 18's
goal: >= 0.90), with "none" stated and without it. Fixed settings keep the comparison about the
fields alone (a grid per variant would also move the settings). Measures and prints;
asserts nothing.

    python benchmarks/bench_ablation.py [--folds 5] [--set strength=16 ...]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

#: The prior update's settings for every variant (those grouped CV chose in the default train).
SETTINGS = {
    "strength": 16.0,
    "reporting_strength": 10.0,
    "styles": 1,
    "class_reporting": 0.0,
    "floor": 0.03,
    "temperature": 0.6,
    "dependence": "none",
}


def _score(
    real, y, groups, vignettes, y_vignettes, folds: int, settings: dict, syndrome
) -> dict[str, float]:
    """``syndrome``: the real cases' stated syndrome before any blanking, to pick the same cases in
    every variant."""
    from tumorclf.model.estimator import UpdatedPriorsClassifier
    from tumorclf.training.metrics import classification_metrics, summarise, vignette_metrics
    from tumorclf.training.real_cv import grouped_splits

    classes = sorted(set(y))
    index = {c: i for i, c in enumerate(classes)}
    labels = np.array([index[c] for c in y])
    out: dict[str, float] = {}
    stated = syndrome.notna().to_numpy()
    syndromic = stated & (syndrome.astype(object) != "none").to_numpy()
    hits = {
        (cls, kind): []
        for cls in ("hemangioblastoma", "neurofibroma")
        for kind in ("stated", "syndromic")
    }
    for reading in ("as_entered", "as_published"):
        per_fold = []
        for train, test in grouped_splits(np.asarray(y), groups, folds, seed=0):
            model = UpdatedPriorsClassifier(None, **settings, reading=reading).fit(
                real.iloc[train], y[train]
            )
            proba = model.predict_proba(real.iloc[test])
            per_fold.append(classification_metrics(labels[test], proba, classes))
            if reading == "as_entered":
                predicted = np.asarray(model.classes_)[proba.argmax(axis=1)]
                for cls, kind in hits:
                    mask = (stated if kind == "stated" else syndromic)[test] & (y[test] == cls)
                    hits[cls, kind] += list(predicted[mask] == cls)
        summary = summarise(per_fold)
        for name in ("log_loss", "top1_acc", "top3_acc", "mcs_top3_sensitivity", "mcs_auroc"):
            out[f"{reading}.{name}"] = summary[f"{name}_mean"]
            out[f"{reading}.{name}_sd"] = summary[f"{name}_sd"]
    for (cls, kind), found in hits.items():
        out[f"{kind}_top1.{cls}"] = float(np.mean(found)) if found else float("nan")
        out[f"{kind}_n.{cls}"] = float(len(found))
    model = UpdatedPriorsClassifier(None, **settings, reading="as_entered").fit(real, y)
    proba = model.predict_proba(vignettes)
    out.update(
        {
            f"vignettes.{k}": v
            for k, v in vignette_metrics(
                np.array([index[c] for c in y_vignettes]), proba, classes
            ).items()
        }
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting of the prior update, e.g. strength=16",
    )
    args = parser.parse_args()
    settings = dict(SETTINGS)
    for item in args.set:
        key, value = item.split("=", 1)
        settings[key] = value if key == "dependence" else float(value)
    if "styles" in settings:
        settings["styles"] = int(settings["styles"])

    from tumorclf.case_io import read_cases_csv
    from tumorclf.model.estimator import groups_of
    from tumorclf.model.priors import load_priors
    from tumorclf.paths import default_priors_path, default_real_cases_path, project_file
    from tumorclf.schema import validate
    from tumorclf.schema.vocabulary import FIELDS_ADDED_IN_1_1
    from tumorclf.training.vignettes import load_vignettes

    priors = load_priors(default_priors_path())
    real = validate(read_cases_csv(default_real_cases_path()), classes=priors.classes).reset_index(
        drop=True
    )
    y = real.pop("diagnosis").astype(str).to_numpy()
    groups = groups_of(real)
    vignettes, _ = load_vignettes(project_file("data/vignettes.csv"), priors.classes)
    y_vignettes = vignettes.pop("diagnosis").astype(str).to_numpy()
    vignettes = vignettes.drop(columns=[c for c in ("id",) if c in vignettes])
    stated = {f: int(real[f].notna().sum()) for f in FIELDS_ADDED_IN_1_1}
    print(
        f"{len(real)} real cases ({len(set(groups))} sources), {args.folds} grouped folds; "
        f"{len(vignettes)} vignettes; settings {settings}"
    )
    print("rows stating each new field: " + ", ".join(f"{f} {n}" for f, n in stated.items()))

    variants = {"schema 1.0 (no new field)": FIELDS_ADDED_IN_1_1, "schema 1.1 (all)": ()}
    variants.update({f"1.1 without {f}": (f,) for f in FIELDS_ADDED_IN_1_1})
    variants.update(
        {
            f"1.0 + {f} only": tuple(g for g in FIELDS_ADDED_IN_1_1 if g != f)
            for f in FIELDS_ADDED_IN_1_1
        }
    )
    header = (
        f"{'variant':34s} {'entered LL':>14s} {'top1':>5s} {'top3':>5s} {'MCS t3':>6s} "
        f"{'AUROC':>5s} "
        f"{'published LL':>14s} {'top3':>5s} | {'vig t1':>6s} {'t3':>5s} {'MCS1':>5s} {'FA':>5s} | "
        f"{'HB stated':>9s} {'NF stated':>9s} {'HB VHL..':>9s} {'NF NF..':>9s}"
    )
    print(header)
    start = time.perf_counter()
    for name, blanked in variants.items():
        r, v = real.copy(), vignettes.copy()
        for f in blanked:
            r[f] = None
            if f in v:
                v[f] = None
        s = _score(r, y, groups, v, y_vignettes, args.folds, settings, real["syndrome"])
        e, p = "as_entered.", "as_published."
        print(
            f"{name:34s} {s[e + 'log_loss']:6.3f}±{s[e + 'log_loss_sd']:.3f} "
            f"{s[e + 'top1_acc']:5.2f} {s[e + 'top3_acc']:5.2f} "
            f"{s[e + 'mcs_top3_sensitivity']:6.2f} {s[e + 'mcs_auroc']:5.2f} "
            f"{s[p + 'log_loss']:6.3f}±{s[p + 'log_loss_sd']:.3f} {s[p + 'top3_acc']:5.2f} | "
            f"{s['vignettes.top1_acc']:6.2f} {s['vignettes.top3_acc']:5.2f} "
            f"{s['vignettes.mcs_first']:5.2f} "
            f"{s['vignettes.mcs_top3_false_alarm']:5.2f} | "
            + " ".join(
                f"{s[f'{kind}_top1.{cls}']:5.2f}/{s[f'{kind}_n.{cls}']:<3.0f}"
                for kind in ("stated", "syndromic")
                for cls in ("hemangioblastoma", "neurofibroma")
            ),
            flush=True,
        )
    print(
        f"({time.perf_counter() - start:.0f} s; real-case figures: mean ± sd over folds; "
        f"stated: top-1 on the real hemangioblastomas / neurofibromas whose row states a syndrome "
        f"(none included), pooled over folds / n; "
        f"VHL.., NF..: those whose row states vhl, nf1 or nf2)"
    )


if __name__ == "__main__":
    main()
