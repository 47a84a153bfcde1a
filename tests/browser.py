"""Headless Chromium for the browser tests (Debian's package, driven by Playwright; nothing
downloaded).

The setup installs Chromium with apt-get when it is missing and it can
(root); a test skips, saying why, only where that is impossible.
Screenshots go to ``test-artifacts/browser/`` (or ``$TUMORCLF_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("TUMORCLF_TEST_ARTIFACTS", "test-artifacts")) / "browser"


def ensure_chromium() -> str | None:
    """Why Chromium cannot be had, or None once it is installed (Debian's package, if missing and we
    may)."""
    if CHROMIUM.exists():
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return (
            "Chromium is not installed and installing it needs root and apt-get "
            "(Debian's chromium package)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        result = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=900, check=False
        )
        if result.returncode != 0:
            return f"`{' '.join(command)}` failed: {result.stderr.strip()[-300:]}"
    return (
        None if CHROMIUM.exists() else "apt-get installed chromium but /usr/bin/chromium is missing"
    )


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium; skips the test, saying why, if there can be none."""
    reason = ensure_chromium()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
