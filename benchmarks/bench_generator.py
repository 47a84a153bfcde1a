"""Generator throughput: sampled rows per second and oracle posteriors per second.

Targets (issue 2), on a 2-core machine: 1,000,000 rows in under 3 s; the
posterior of 100,000 cases in under 1 s. Measures and prints; asserts nothing.

    python benchmarks/bench_generator.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

TARGETS = {"sample_1m_dataframe_s": ("<=", 3.0), "posterior_100k_dataframe_s": ("<=", 1.0)}


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(repeat: int = 3, quick: bool = False) -> dict[str, Any]:
    from tumorclf.synthetic import load_generator

    n_sample, n_posterior = (100_000, 10_000) if quick else (1_000_000, 100_000)
    scale_sample, scale_posterior = 1_000_000 / n_sample, 100_000 / n_posterior
    generator = load_generator()
    generator.sample_arrays(1_000, random_state=0)
    cases = generator.sample_arrays(n_posterior, random_state=2)
    frame = generator.sample(n_posterior, random_state=2)
    figures = {
        "sample_1m_arrays_s": scale_sample
        * best_of(repeat, lambda: generator.sample_arrays(n_sample, random_state=1)),
        "sample_1m_dataframe_s": scale_sample
        * best_of(repeat, lambda: generator.sample(n_sample, random_state=1)),
        "posterior_100k_arrays_s": scale_posterior
        * best_of(repeat, lambda: generator.posterior_array(cases)),
        "posterior_100k_dataframe_s": scale_posterior
        * best_of(repeat, lambda: generator.posterior(frame)),
    }
    figures["sample_rows_per_s"] = 1_000_000 / figures["sample_1m_dataframe_s"]
    figures["posteriors_per_s"] = 100_000 / figures["posterior_100k_dataframe_s"]
    if quick:
        figures["note"] = "quick: measured on 1/10 the sizes, scaled"
    return figures


def main() -> None:
    from _report import context, print_figures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per figure; the best is reported"
    )
    args = parser.parse_args()
    info = context()
    print(info["date"], info["machine"])
    print_figures("generator", measure(args.repeat), TARGETS)


if __name__ == "__main__":
    main()
