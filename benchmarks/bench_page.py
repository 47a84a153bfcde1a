"""`tumorclf serve` under concurrent clients: /api/predict latency and throughput beside bare
predict_case.

Starts `tumorclf serve` (one process, as a radiologist would) on a free
loopback port over the trained champion, then posts the seed case from 1, 8
and 32 concurrent clients (threads, each on its own kept-alive connection),
``--requests`` per level. Prints median and 95th-percentile latency,
throughput and errors per level, and the bare ``predict_case`` time in
process (with the detail the page shows: both numbers, the evidence, what to
look at next). Each request asks as the page does (clinical prior, detail).
Goals (issues 20, 28): p95 <= 25 ms at 8 clients on 2 cores; no error at 32.
Needs a train first. Measures and prints; asserts nothing.

    python benchmarks/bench_page.py [--requests 400]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

from tumorclf import examples

CASE = dict(examples.SEED_CASE)  # the seed paper's case
TARGETS = {"p95_ms.clients_8": ("<=", 25.0), "errors.clients_32": ("<=", 0)}


def _client(port: int, count: int, latencies: list[float], errors: list[str]) -> None:
    body = json.dumps({"case": CASE, "prior": "clinical"})  # as the page asks
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(count):
        start = time.perf_counter()
        try:
            connection.request("POST", "/api/predict", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(str(response.status))
        except (OSError, http.client.HTTPException) as error:
            errors.append(type(error).__name__)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies.append(time.perf_counter() - start)
    connection.close()


def measure(requests: int = 400) -> dict[str, Any]:
    import tumorclf
    from tumorclf.tracking.ui import free_port, stop, wait_until_listening

    classifier = tumorclf.load()
    classifier.predict_case(CASE, prior="clinical", detail=True)
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        classifier.predict_case(CASE, prior="clinical", detail=True)
        timings.append(time.perf_counter() - start)
    figures: dict[str, Any] = {"predict_case_ms": 1000 * statistics.median(timings)}
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tumorclf", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        if not wait_until_listening(process, "127.0.0.1", port, timeout=120):
            raise RuntimeError("tumorclf serve did not start")
        _client(port, 20, [], [])  # warm
        for clients in (1, 8, 32):
            latencies: list[float] = []
            errors: list[str] = []
            per_client = max(1, requests // clients)
            threads = [
                threading.Thread(target=_client, args=(port, per_client, latencies, errors))
                for _ in range(clients)
            ]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - start
            ordered = sorted(latencies)
            figures[f"median_ms.clients_{clients}"] = 1000 * statistics.median(ordered)
            figures[f"p95_ms.clients_{clients}"] = 1000 * ordered[int(0.95 * (len(ordered) - 1))]
            figures[f"requests_per_s.clients_{clients}"] = len(latencies) / wall
            figures[f"errors.clients_{clients}"] = len(errors)
    finally:
        stop(process)
    return figures


def main() -> None:
    from _report import context, print_figures

    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--requests", type=int, default=400, help="requests per concurrency level")
    args = parser.parse_args()
    info = context()
    print(info["date"], info["machine"])
    print_figures("page", measure(args.requests), TARGETS)


if __name__ == "__main__":
    main()
