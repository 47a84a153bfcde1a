"""Regenerate docs/compare-runs.png: the MLflow compare view of the two latest trains' champions.

Needs two trains in the project's store (e.g. `tumorclf train` and
`tumorclf train --set synthetic.n=8000 --set cv.folds=4`) and Debian's
chromium. Starts `tumorclf ui` on a free loopback port and stops it after.

    .venv/bin/python docs/make_compare_screenshot.py
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from mlflow.tracking import MlflowClient
from playwright.sync_api import sync_playwright

from tumorclf.paths import resolve_tracking_uri
from tumorclf.tracking.ui import free_port, port_is_open
from tumorclf.training.config import load_config

OUT = Path(__file__).with_name("compare-runs.png")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    config = load_config()
    uri = resolve_tracking_uri(None, config["mlflow"]["tracking_uri"])
    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name(config["mlflow"]["experiment"])
    parents = [r for r in client.search_runs([experiment.experiment_id], order_by=["attributes.start_time DESC"])
               if "mlflow.parentRunId" not in r.data.tags and r.data.tags.get("champion")][:2]
    if len(parents) < 2:
        sys.exit("needs two finished trains in the store; run `tumorclf train` twice with different --set")
    runs = [client.search_runs([experiment.experiment_id], filter_string=(
        f"tags.candidate = '{p.data.tags['champion']}' and tags.mlflow.parentRunId = '{p.info.run_id}'"))[0]
        for p in parents]
    port = free_port()
    ui = subprocess.Popen([sys.executable, "-m", "tumorclf", "ui", "--port", str(port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while not port_is_open("127.0.0.1", port):
            time.sleep(0.5)
        ids = json.dumps([r.info.run_id for r in runs])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.goto(f"http://127.0.0.1:{port}/#/compare-runs?runs={ids}&experiments="
                      f"{json.dumps([experiment.experiment_id])}")
            page.get_by_text("Run details").first.wait_for(timeout=60_000)
            for button in page.get_by_role("button", name="Close").all():
                if button.is_visible():
                    button.click()
            page.get_by_text("Show diff only").first.click()  # parameters that differ only
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT), full_page=False)
            browser.close()
    finally:
        ui.send_signal(signal.SIGINT)
        ui.wait(timeout=30)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
