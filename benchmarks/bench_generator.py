"""Generator throughput: 1,000,000 sampled rows and 100,000 oracle posteriors.

Targets (issue 2): sampling 1,000,000 rows in under 3 s; the posterior of
100,000 cases in under 1 s, on a 2-core machine. This script measures and
prints; it asserts nothing.

    python benchmarks/bench_generator.py [--repeat 3] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import datetime, timezone
from importlib.metadata import version


from tumorclf.synthetic import load_generator


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is reported")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()

    generator = load_generator()
    generator.sample_arrays(1_000, random_state=0)  # warm caches

    figures = {
        "sample_1m_arrays_s": best_of(args.repeat, lambda: generator.sample_arrays(1_000_000, random_state=1)),
        "sample_1m_dataframe_s": best_of(args.repeat, lambda: generator.sample(1_000_000, random_state=1)),
    }
    cases = generator.sample_arrays(100_000, random_state=2)
    frame = generator.sample(100_000, random_state=2)
    figures["posterior_100k_arrays_s"] = best_of(args.repeat, lambda: generator.posterior_array(cases))
    figures["posterior_100k_dataframe_s"] = best_of(args.repeat, lambda: generator.posterior(frame))

    targets = {"sample_1m_dataframe_s": 3.0, "posterior_100k_dataframe_s": 1.0}
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
        "versions": {p: version(p) for p in ("tumorclf", "numpy", "pandas", "scipy")},
        "figures": figures,
    }
    print(f"{report['date']}  {report['machine']}")
    print("  ".join(f"{k} {v}" for k, v in report["versions"].items()))
    for name, seconds in figures.items():
        target = targets.get(name)
        verdict = "" if target is None else f"  (target < {target:g} s: {'met' if seconds < target else 'MISSED'})"
        print(f"{name:30s} {seconds:8.3f} s{verdict}")
    print(f"{'sample rows per second':30s} {1_000_000 / figures['sample_1m_dataframe_s']:12,.0f}")
    print(f"{'posteriors per second':30s} {100_000 / figures['posterior_100k_dataframe_s']:12,.0f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
