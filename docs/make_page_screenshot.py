"""Regenerate docs/page.png: the `tumorclf serve` page with the seed paper's presentation read.

Needs a trained champion in models/ (`tumorclf train`) and Debian's chromium.
Serves the page on a free loopback port in this process and stops it after.

    .venv/bin/python docs/make_page_screenshot.py
"""

from __future__ import annotations

import threading
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

import tumorclf
from tumorclf.serve import create_app
from tumorclf.tracking.ui import free_port

OUT = Path(__file__).with_name("page.png")
SEED = Path(__file__).resolve().parents[1] / "tests" / "extract" / "seed_case_presentation.txt"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    text = "".join(line for line in SEED.read_text(encoding="utf-8").splitlines(keepends=True)
                   if not line.startswith("#")).strip()
    # the presentation's findings, as a radiologist would paste them (its first three sentences of imaging)
    findings = text[text.index("Lumbar spinal MRI"):text.index("Based on these image findings")]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(tumorclf.load()), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            thread.join(0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1250, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/")
            page.fill("#report", "A 19-year-old man with low back pain. " + findings)
            page.click("#read")
            page.wait_for_selector("#result:not([hidden])")
            page.screenshot(path=str(OUT), full_page=True)
            browser.close()
    finally:
        server.should_exit = True
        thread.join()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
