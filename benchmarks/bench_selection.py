"""Publication selection, two forms compared on published cases held out by source.

The consecutive finding model (pinned by the series) reads each class's published cases through a
selection: none (the published cases are the consecutive patients), the per-class tilt toward the
surprising (:mod:`tumorclf.model.selection`: one number per class, each field's departure shrunk
toward it), or the salience mixture (:mod:`tumorclf.model.salience`: a share of each class's
papers selected for one finding, the finding's weight shared by the classes, one flattening).
Selection and reporting are refitted inside each of 5 folds grouped by source and stratified by
class; the held-out cases are scored read as published:

* per class: the mean held-out log p(case | its class), as published, with the fold sd;
* per field: the mean held-out log p(stated value | class) of the field's published marginal;
* over all: the log loss of p(class | case) as published, under a uniform class prior.

MCS has no consecutive series: its published cases are its population, under every form.
Measures and prints; asserts nothing.

    python benchmarks/bench_selection.py [--folds 5] [--seed 20221] [--class-reporting 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20221)
    parser.add_argument(
        "--class-reporting",
        type=float,
        default=20.0,
        help="classes' departure from the shared reporting (the default train's inner CV chose "
        "20 in every fold; 0: shared)",
    )
    args = parser.parse_args()

    from scipy.special import logsumexp
    from sklearn.model_selection import StratifiedGroupKFold

    from _report import context
    from tumorclf.case_io import read_cases_csv
    from tumorclf.model.consecutive import marginal
    from tumorclf.model.em import update_models
    from tumorclf.model.estimator import (
        DEFAULT_GRID,
        UpdatedPriorsClassifier,
        _arrays,
        groups_of,
    )
    from tumorclf.model.inference import log_likelihood
    from tumorclf.model.literature import reporting_from_priors
    from tumorclf.model.salience import (
        component_log_likelihoods,
        fit_salience,
        mixture_log_likelihood,
    )
    from tumorclf.paths import default_real_cases_path
    from tumorclf.schema import validate

    settings = {k: v[0] for k, v in DEFAULT_GRID.items()}  # the default train's
    settings["class_reporting"] = args.class_reporting
    ctx = context()
    print(f"{ctx['date']}  {ctx['machine']}")
    priors = UpdatedPriorsClassifier().resolved_priors()
    real = validate(read_cases_csv(default_real_cases_path()), classes=priors.classes)
    real = real.reset_index(drop=True)
    names = np.asarray(real["diagnosis"].astype(str))
    labels = np.array([priors.classes.index(v) for v in names])
    n_classes = len(priors.classes)
    forms = ("none", "tilt", "salience")
    per_class = {f: np.full((args.folds, n_classes), np.nan) for f in forms}
    per_case = {f: np.full((len(real), n_classes), np.nan) for f in forms}
    per_field: dict[str, dict[str, list[float]]] = {f: {} for f in forms}
    salience_fits = []
    start = time.perf_counter()
    splitter = StratifiedGroupKFold(args.folds, shuffle=True, random_state=args.seed)
    for k, (train, test) in enumerate(splitter.split(real, names, groups_of(real))):
        model = UpdatedPriorsClassifier(priors, **settings).fit(real.iloc[train], names[train])
        base, reporting = model.findings_, model.reporting_
        counted = np.abs(model.tilts_) > 0  # the classes a series counts got a selection
        counted |= np.array([c != "mcs" for c in priors.classes])
        train_arrays = _arrays(real.iloc[train])
        test_arrays = _arrays(real.iloc[test])
        salience, _ = fit_salience(base, reporting, train_arrays, labels[train], counted)
        # The reporting model read through the salience marginals, then the mixture again.
        _, reporting_s, _ = update_models(
            salience.marginal_model(base), reporting_from_priors(priors), train_arrays,
            labels[train], strength=settings["strength"], styles=int(settings["styles"]),
            class_reporting=settings["class_reporting"], fixed=np.ones(n_classes, dtype=bool),
        )  # fmt: skip
        salience, _ = fit_salience(base, reporting_s, train_arrays, labels[train], counted)
        salience_fits.append(salience)
        published = {
            "none": (base, reporting),
            "tilt": (model.published_findings_, reporting),
            "salience": (salience.marginal_model(base), reporting_s),
        }
        for form in forms:
            if form == "salience":
                weights = np.array([salience.weights[t] for t in base.table_names])
                ll = np.stack(
                    [
                        mixture_log_likelihood(
                            component_log_likelihoods(
                                base, reporting_s, test_arrays, c, salience.flatten
                            ),
                            salience.shares[c],
                            weights,
                        )  # fmt: skip
                        for c in range(n_classes)
                    ],
                    axis=1,
                )
            else:
                findings, rep = published[form]
                ll = log_likelihood(findings, test_arrays, "as_published", rep)
            per_case[form][test] = ll
            for c in range(n_classes):
                own = labels[test] == c
                if own.any():
                    per_class[form][k, c] = ll[own, c].mean()
            findings = published[form][0]
            for name in base.fields:
                codes = test_arrays.column(name)
                for c in range(n_classes):
                    exact = (codes >= 0) & (codes < base.fields[name].shape[-1])  # not coarse
                    rows = (labels[test] == c) & exact
                    if rows.any():
                        p = marginal(findings, c, name)[codes[rows]]
                        per_field[form].setdefault(name, []).extend(np.log(np.clip(p, 1e-12, 1)))
        print(f"  fold {k + 1}/{args.folds} done ({time.perf_counter() - start:.0f} s)")

    print(f"\n-- held-out log p(case | its class), as published; mean (sd over {args.folds} folds)")
    print(f"{'class':26s} {'n':>4s}" + "".join(f" {f:>16s}" for f in forms))
    for c, cls in enumerate(priors.classes):
        n = int((labels == c).sum())
        cells = [
            f"{np.nanmean(per_class[f][:, c]):8.2f} ({np.nanstd(per_class[f][:, c]):5.2f})"
            for f in forms
        ]
        print(f"{cls:26s} {n:4d} " + " ".join(f"{x:>16s}" for x in cells))

    print("\n-- held-out log p(stated value | class) of each field's published marginal; mean")
    print(f"{'field':20s} {'n':>5s}" + "".join(f" {f:>9s}" for f in forms))
    for name in base.fields:
        n = len(per_field["none"].get(name, []))
        if n:
            cells = "".join(f" {np.mean(per_field[f][name]):9.3f}" for f in forms)
            print(f"{name:20s} {n:5d}{cells}")

    print("\n-- p(class | case) as published, uniform prior: log loss and top-1 (n cases)")
    for form in forms:
        ll = per_case[form]
        post = ll - logsumexp(ll, axis=1, keepdims=True)
        loss = -post[np.arange(len(labels)), labels]
        top1 = (post.argmax(axis=1) == labels).mean()
        se = loss.std(ddof=1) / np.sqrt(len(loss))
        print(f"{form:10s} log loss {loss.mean():.3f} (95% CI {loss.mean() - 1.96 * se:.3f}-"
              f"{loss.mean() + 1.96 * se:.3f}), top-1 {top1:.3f}, n={len(loss)}")  # fmt: skip

    print("\n-- the salience fits (per fold): flattening; shares per class; top weights")
    for s in salience_fits:
        top = sorted(s.weights.items(), key=lambda kv: -kv[1])[:4]
        pairs = zip(priors.classes, s.shares, strict=True)
        shares = ", ".join(f"{c[:6]} {v:.2f}" for c, v in pairs)
        print(f"kappa {s.flatten:.1f}; {shares}; " + ", ".join(f"{n} {w:.2f}" for n, w in top))


if __name__ == "__main__":
    main()
