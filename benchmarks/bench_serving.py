"""The registered champion served over REST: latency of one sparse case, median over 200 requests.

Starts ``mlflow models serve -m models:/tumorclf@champion --env-manager local``
on a free loopback port over the project's tracking store (or
``--tracking-uri``), posts a sparse case 200 times, and prints the median and
95th percentile. Needs a train first. Measures and prints; asserts nothing.

    python benchmarks/bench_serving.py [--requests 200] [--tracking-uri URI]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from typing import Any

CASE = {"age": 19, "sex": "M", "level": "T12-L2", "calcification": "punctate", "dural_tail": "-"}


def measure(requests: int = 200, tracking_uri: str | None = None) -> dict[str, Any]:
    from tumorclf.paths import resolve_tracking_uri
    from tumorclf.tracking.ui import free_port, stop, wait_until_listening

    uri = resolve_tracking_uri(tracking_uri)
    port = free_port()
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": uri,
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "models",
            "serve",
            "-m",
            "models:/tumorclf@champion",
            "--env-manager",
            "local",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    try:
        if not wait_until_listening(process, "127.0.0.1", port, timeout=180):
            raise RuntimeError("mlflow models serve did not start")
        body = json.dumps({"dataframe_records": [CASE]}).encode()
        url = f"http://127.0.0.1:{port}/invocations"
        timings = []
        for i in range(requests + 5):
            request = urllib.request.Request(
                url, data=body, headers={"Content-Type": "application/json"}
            )
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
            if i >= 5:  # the first few warm the server
                timings.append(time.perf_counter() - start)
    finally:
        stop(process)
    timings.sort()
    return {
        "requests": requests,
        "median_ms": 1000 * statistics.median(timings),
        "p95_ms": 1000 * timings[int(0.95 * len(timings)) - 1],
        "requests_per_s": len(timings) / sum(timings),
    }


def main() -> None:
    from _report import context, print_figures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--tracking-uri")
    args = parser.parse_args()
    info = context()
    print(info["date"], info["machine"])
    print_figures("serving", measure(args.requests, args.tracking_uri), {})


if __name__ == "__main__":
    main()
