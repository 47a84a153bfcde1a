"""The MLflow UI as a person sees it: train twice, `tumorclf ui`, runs listed, runs compared.

Runs headless Chromium (Debian's package) through Playwright (``tests/browser.py``).
Screenshots go to ``test-artifacts/browser/`` (or ``$TUMORCLF_TEST_ARTIFACTS``). The UI process
is stopped in a ``finally``, also when a test fails.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tumorclf.tracking.ui import free_port, wait_until_closed, wait_until_listening

from ..browser import ARTIFACTS, chromium
from ..conftest import as_from_a_terminal


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def store(tiny_trains):
    """Two trains with different settings, as a person would make them (the session's)."""
    uri, _, outcomes = tiny_trains
    return uri, outcomes


@pytest.fixture(scope="module")
def ui_url(store, tmp_path_factory):
    uri, _ = store
    port = free_port()
    log = tmp_path_factory.mktemp("ui-log") / "ui.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tumorclf", "ui", "--port", str(port), "--tracking-uri", uri],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=as_from_a_terminal,
        )
    try:
        if not wait_until_listening(process, "127.0.0.1", port, timeout=120):
            pytest.fail(f"tumorclf ui did not start:\n{log.read_text(encoding='utf-8')[-2000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)  # as Ctrl-C would
        try:
            process.wait(
                timeout=90
            )  # a bounded wait: its own stop takes up to 15 s, more on a busy machine
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Its server's workers may close their socket a moment after it exits: a bounded wait, not a
    # race.
    assert wait_until_closed("127.0.0.1", port, timeout=60), "the UI kept listening after Ctrl-C"
    assert "MLflow UI stopped." in log.read_text(encoding="utf-8")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 950})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _close_side_panels(page) -> None:
    for button in page.get_by_role("button", name="Close").all():
        if button.is_visible():
            button.click()


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_every_candidate_run_of_both_trains_is_listed(ui_url, store, page):
    from mlflow.tracking import MlflowClient

    uri, outcomes = store
    client = MlflowClient(uri)
    page.goto(f"{ui_url}/#/experiments/{outcomes[0].experiment_id}/runs")
    for outcome in outcomes:
        page.get_by_text(client.get_run(outcome.parent_run_id).info.run_name, exact=True).wait_for(
            timeout=60_000
        )
    _close_side_panels(page)
    expanders = page.locator('button[data-component-id*="runnamecellrenderer"]')
    for i in range(expanders.count()):
        expanders.nth(i).click()
    children = client.search_runs([outcomes[0].experiment_id], filter_string="tags.candidate != ''")
    assert len(children) == 10  # 5 per train: 2 candidates, 3 references
    for run in children:
        page.get_by_text(run.info.run_name, exact=True).first.wait_for(timeout=30_000)
    _screenshot(page, "runs-expanded.png")


def test_compare_view_shows_a_named_metric_with_both_values(ui_url, store, page):
    from mlflow.tracking import MlflowClient

    uri, outcomes = store
    client = MlflowClient(uri)
    runs = [
        client.search_runs(
            [o.experiment_id],
            filter_string=(
                f"tags.candidate = 'naive_bayes' and tags.mlflow.parentRunId = '{o.parent_run_id}'"
            ),
        )[0]
        for o in outcomes
    ]
    ids = [r.info.run_id for r in runs]
    page.goto(
        f"{ui_url}/#/compare-runs?runs={json.dumps(ids)}&experiments={json.dumps([outcomes[0].experiment_id])}"
    )
    page.get_by_text("Run details").first.wait_for(timeout=60_000)
    _close_side_panels(page)
    for run in runs:
        page.get_by_text(run.info.run_name, exact=True).first.wait_for(timeout=30_000)
    text = page.inner_text("body")
    metrics = text[text.index("\nMetrics\n") :].splitlines()
    names = [line for line in metrics if line.startswith(("cv_", "real_", "fit_"))]
    values = [line for line in metrics if _is_number(line)]
    assert "cv_log_loss_mean" in names
    k = names.index("cv_log_loss_mean")
    shown = [
        float(v) for v in values[2 * k : 2 * k + 2]
    ]  # the UI drops trailing zeros: 1.770 shows as 1.77
    expected = [round(r.data.metrics["cv_log_loss_mean"], 3) for r in runs]
    assert shown == expected, (shown, expected)
    _screenshot(page, "compare-two-runs.png")


def _is_number(line: str) -> bool:
    try:
        float(line)
    except ValueError:
        return False
    return True
