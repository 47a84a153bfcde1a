"""What a sweep config costs as its synthetic sample grows, so a team can plan a cluster.

For each candidate of the config (default: ``configs/large_sweep.yaml``), at
its costliest grid point, one fit of the whole pipeline (encoding, scaling,
calibration, model) is timed on a LocalCluster of single-threaded workers
started with the project's worker settings (``configs/dask/``), at each
sample size (default 100k, 300k, 1M training cases). Each worker draws its
cases itself from the priors updated by every real case, so only a seed
crosses the network.

From those fits the script fits ``seconds = c * n ** p`` per candidate and
projects the sweep's CPU time at each sample size: every fit the
evaluation makes (synthetic folds x repeats x (grid points x inner folds
+ refit), the tuning on the whole sample, the real folds with their
fill-in, the final fit), each at the size it is made on. Reported per
100,000 synthetic cases and in core-hours, with each worker's peak memory.

Two shortcuts keep the measurement itself short, both linear by
construction: a random forest is timed with 10 trees and scaled to its
``n_estimators`` (trees are fitted independently), gradient boosting with
a tenth of its ``max_iter`` and scaled up (which also scales the one-off
binning, so the projection errs high). Every grid point is costed as the
costliest one, so the projection is an upper bound. Measures and prints;
asserts nothing.

    python benchmarks/bench_sweep_cost.py [--config FILE] [--sizes 100000,300000,1000000] \
        [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TIMED_TREES = 10
BOOSTING_SHARE = 10  # gradient boosting is timed with max_iter / BOOSTING_SHARE

#: For each hyperparameter that changes a fit's cost, which of its grid values costs most.
COSTLIEST = {
    "n_estimators": max,
    "max_iter": max,
    "max_leaf_nodes": max,
    "C": max,
    "min_samples_leaf": min,
    "l2_regularization": min,
    "learning_rate": min,
    "alpha": min,
    "max_features": lambda values: max(
        values, key=lambda v: 2.0 if v is None else {"sqrt": 0.1, "log2": 0.05}.get(v, v)
    ),
    "hidden_layer_sizes": lambda values: max(
        values, key=lambda v: sum(v) if isinstance(v, list | tuple) else v
    ),
}


def costliest_point(grid: dict[str, list[Any]]) -> dict[str, Any]:
    """The grid point assumed to cost most (first value for a parameter with no rule)."""
    return {
        key: COSTLIEST.get(key.rsplit("__", 1)[-1], lambda v: v[0])(values)
        for key, values in grid.items()
    }


def timed_fit(
    candidate: Any, point: dict[str, Any], n: int, generator: Any, seed: int
) -> dict[str, Any]:
    """One fit at ``n`` training cases, on a worker; seconds scaled to the full setting."""
    import pickle
    import resource

    cases = generator.sample(n, balance="uniform", random_state=seed)
    y = cases.pop("diagnosis").astype(str).to_numpy(dtype=object)
    model = candidate.build(seed).set_params(**point)
    scale = 1.0
    params = model.get_params()
    for key, value in params.items():
        if key.endswith("n_estimators") and isinstance(value, int) and value > TIMED_TREES:
            model.set_params(**{key: TIMED_TREES})
            scale = value / TIMED_TREES
        elif (
            key.endswith("max_iter")
            and "HistGradientBoosting" in type(_final(model)).__name__
            and isinstance(value, int)
            and value >= BOOSTING_SHARE
        ):
            model.set_params(**{key: value // BOOSTING_SHARE})
            scale = value / (value // BOOSTING_SHARE)
    start = time.perf_counter()
    model.fit(cases, y)
    seconds = time.perf_counter() - start
    return {
        "candidate": candidate.name,
        "n": n,
        "seconds": seconds * scale,
        "scaled_by": scale,
        "model_mb": len(pickle.dumps(model)) * scale / 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _final(pipeline: Any) -> Any:
    model = pipeline.steps[-1][1] if hasattr(pipeline, "steps") else pipeline
    return getattr(model, "estimator", model)


def power_law(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares ``seconds = c * n ** p`` through the measured (n, seconds); returns (c, p)."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(max(s, 1e-6)) for _, s in points]
    if len(points) == 1:
        return math.exp(ys[0] - xs[0]), 1.0
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    p = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return math.exp(my - p * mx), p


def fits_made(
    config: dict[str, Any], grid_points: int, n: int, real_n: int, real_only: bool
) -> list[tuple[float, int]]:
    """(how many, training size) of every fit one candidate's evaluation makes on ``n`` synthetic
    cases."""
    cv, folds = config["cv"], config["real_cv"]["folds"]
    k, inner = cv["folds"], cv["inner_folds"]
    searched = grid_points > 1

    def search(size: float) -> list[tuple[float, int]]:
        fits = [(grid_points * inner, int(size * (inner - 1) / inner))] if searched else []
        return fits + [(1, int(size))]

    outer_train = n * (k - 1) / k
    real_train = real_n * (folds - 1) / folds
    fill_in = 0 if real_only else config["fill_in"]["n"]
    out = []
    for count, size in search(outer_train):
        out.append((count * k * cv["repeats"], size))
    out += search(real_n if real_only else n)
    for count, size in search(real_train + fill_in):
        out.append((count * folds, size))
    out.append((1, real_n if real_only else n + real_n))
    return out


def measure(config_path: Path, sizes: list[int], workers: int) -> tuple[list[dict], list[dict]]:
    from dask.distributed import Client, as_completed

    from bench_distributed import WORKER_SETTINGS, local_cluster
    from tumorclf.case_io import read_cases_csv
    from tumorclf.model.priors import load_priors
    from tumorclf.paths import default_priors_path, default_real_cases_path
    from tumorclf.schema import validate
    from tumorclf.synthetic import CaseGenerator
    from tumorclf.training.candidates import candidates_from_config
    from tumorclf.training.config import load_config
    from tumorclf.training.real_cv import update_priors, update_tasks

    config = load_config(config_path, overrides=["parallel.backend=local", "parallel.n_jobs=2"])
    priors = load_priors(default_priors_path())
    literature = CaseGenerator(priors)
    real = validate(read_cases_csv(default_real_cases_path()), classes=priors.classes).reset_index(
        drop=True
    )
    everything = update_tasks(priors, real, [], config["prior_update"], config["seed"])[
        0
    ]  # no folds: all cases
    generator = update_priors(*everything).generator
    candidates = [
        c for c in candidates_from_config(config, generator, literature) if not c.reference
    ]
    points = {c.name: costliest_point(c.grid) for c in candidates}

    measured: list[dict] = []
    with local_cluster(workers, WORKER_SETTINGS) as (address, _), Client(address) as client:
        futures = [
            client.submit(
                timed_fit, c, points[c.name], n, generator, config["seed"] + i, pure=False
            )
            for i, n in enumerate(sizes)
            for c in candidates
        ]
        for future in as_completed(futures):
            row = future.result()
            measured.append(row)
            scaled = "" if row["scaled_by"] == 1 else f" (timed at 1/{row['scaled_by']:.0f})"
            print(
                f"  {row['candidate']:22s} n={row['n']:>9,}  {row['seconds']:9.1f} s{scaled}"
                f"  worker peak {row['peak_rss_mb']:,.0f} MB",
                flush=True,
            )

    projections = []
    for c in candidates:
        rows = sorted((r for r in measured if r["candidate"] == c.name), key=lambda r: r["n"])
        coefficient, exponent = power_law([(r["n"], r["seconds"]) for r in rows])
        grid_points = math.prod(len(v) for v in c.grid.values())
        real_only = c.fill_in(config["fill_in"]) is None
        for n in sizes:
            fits = fits_made(config, grid_points, n, len(real), real_only)
            seconds = sum(count * coefficient * max(size, 1) ** exponent for count, size in fits)
            projections.append(
                {
                    "candidate": c.name,
                    "n": n,
                    "exponent": exponent,
                    "fits": sum(f for f, _ in fits),
                    "core_hours": seconds / 3600,
                    "seconds_per_100k": seconds / (n / 1e5),
                }
            )
    return measured, projections


def main() -> None:
    from _report import context

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "large_sweep.yaml")
    parser.add_argument(
        "--sizes", default="100000,300000,1000000", help="synthetic sample sizes, comma-separated"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="LocalCluster worker processes (one thread each)"
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    info = context()
    print(info["date"], info["machine"])
    print(f"-- sweep cost: {args.config.name}, fits timed on a {args.workers}-worker LocalCluster")
    measured, projections = measure(args.config, sizes, args.workers)

    print("\nMeasured: one fit at the costliest grid point, seconds (scaled to the full setting)")
    names = list(dict.fromkeys(r["candidate"] for r in projections))
    print(f"{'candidate':22s}" + "".join(f"{n:>12,}" for n in sizes) + f"{'exponent of n':>15s}")
    for name in names:
        rows = {r["n"]: r for r in measured if r["candidate"] == name}
        exponent = next(r["exponent"] for r in projections if r["candidate"] == name)
        print(
            f"{name:22s}"
            + "".join(f"{rows[n]['seconds']:12.1f}" for n in sizes)
            + f"{exponent:15.2f}"
        )
    print(
        f"{'worker peak RSS, MB':22s}"
        + "".join(f"{max(r['peak_rss_mb'] for r in measured if r['n'] == n):12,.0f}" for n in sizes)
    )
    print(
        f"{'largest model, MB':22s}"
        + "".join(f"{max(r['model_mb'] for r in measured if r['n'] == n):12,.0f}" for n in sizes)
    )

    print("\nProjected sweep: CPU core-hours (and core-seconds per 100k synthetic cases)")
    print(f"{'candidate':22s}{'fits':>7s}" + "".join(f"{n:>20,}" for n in sizes))
    totals = {n: 0.0 for n in sizes}
    for name in names:
        rows = {r["n"]: r for r in projections if r["candidate"] == name}
        for n in sizes:
            totals[n] += rows[n]["core_hours"]
        print(
            f"{name:22s}{rows[sizes[0]]['fits']:7d}"
            + "".join(
                f"{rows[n]['core_hours']:10.2f} ({rows[n]['seconds_per_100k']:7,.0f})"
                for n in sizes
            )
        )
    print(
        f"{'all candidates':22s}{'':7s}"
        + "".join(f"{totals[n]:10.2f} ({totals[n] * 3600 / (n / 1e5):7,.0f})" for n in sizes)
    )
    print(
        "\nWall time on W single-threaded workers: about core-hours / W (tasks are independent; "
        "the longest single task bounds it from below). Peak memory is per worker process."
    )


if __name__ == "__main__":
    main()
