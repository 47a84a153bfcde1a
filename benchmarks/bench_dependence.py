"""Which dependences between findings the real cases support: grouped CV of the prior update per
setting.

Every setting of ``dependence`` (``tumorclf.model.structure.DEPENDENCE_SETTINGS``)
is tried with the default grid's other settings, by grid search over the real
cases in 5 folds stratified by diagnosis and grouped by source, scored by log
loss in one reading. Printed: the best mean +- sd over folds for each setting,
and the settings that reached it. This is how the default grid's choice was
made; it measures and prints, and asserts nothing.

    python benchmarks/bench_dependence.py [--reading as_published|as_entered] [--folds 5]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--reading", default="as_published", choices=["as_entered", "as_published"])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()

    from tumorclf.case_io import read_cases_csv
    from tumorclf.model.estimator import DEFAULT_GRID, groups_of, update_search
    from tumorclf.model.priors import load_priors
    from tumorclf.model.structure import DEPENDENCE_SETTINGS
    from tumorclf.paths import default_priors_path, default_real_cases_path
    from tumorclf.schema import validate

    priors = load_priors(default_priors_path())
    real = validate(read_cases_csv(default_real_cases_path()), classes=priors.classes).reset_index(
        drop=True
    )
    grid = {**DEFAULT_GRID, "dependence": list(DEPENDENCE_SETTINGS)}
    start = time.perf_counter()
    search = update_search(priors, grid, folds=args.folds, random_state=0, reading=args.reading)
    search.fit(real, real["diagnosis"].to_numpy(), groups=groups_of(real))
    results = pd.DataFrame(search.cv_results_)
    print(
        f"{len(real)} real cases, {args.folds} grouped folds, read {args.reading}; "
        f"{len(results)} settings in {time.perf_counter() - start:.0f} s"
    )
    print(f"{'dependence':46s} {'log loss (mean +- sd over folds)':>34s}  best other settings")
    for setting in DEPENDENCE_SETTINGS:
        rows = results[results["param_dependence"] == setting]
        best = rows.loc[rows["mean_test_score"].idxmax()]
        others = {
            k.removeprefix("param_"): best[k].item() if hasattr(best[k], "item") else best[k]
            for k in rows
            if k.startswith("param_") and k != "param_dependence"
        }
        print(
            f"{setting:46s} {-best['mean_test_score']:>26.3f} "
            f"+- {best['std_test_score']:.3f}  {others}"
        )


if __name__ == "__main__":
    main()
