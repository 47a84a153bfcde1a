"""The page as a radiologist uses it, in headless Chromium: paste, read, correct, see the
differential move."""

from __future__ import annotations

import pytest

from ..browser import ARTIFACTS, chromium
from ..extract.test_extract import seed_text


@pytest.fixture(scope="module")
def page(server):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1300, "height": 1100})
        tab = context.new_page()
        outside = []
        tab.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
        tab.goto(server + "/")
        yield tab
        context.close()
        assert outside == []  # nothing fetched from outside the machine


def _ranking(page) -> list[str]:
    return page.locator("#bars .bar > span:first-child").all_inner_texts()


def test_pasting_the_seed_presentation_puts_mcs_first(page):
    page.fill("#report", seed_text())
    page.click("#read")
    page.wait_for_selector("#result:not([hidden])")
    assert _ranking(page)[0] == "MCS"
    assert (
        page.locator("#highlighted mark").count() >= 8
    )  # the words behind each value, marked in the text
    assert page.input_value("#f_level") == "T12-L2" and page.input_value("#f_dural_tail") == "false"
    assert "coverage" in page.inner_text("#set") and page.inner_text("#alert")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page_seed.png"), full_page=True)


def test_changing_a_field_moves_the_ranking(page):
    before = page.inner_text("#bars")
    page.fill(
        "#f_age", "35"
    )  # the seed case turned into an intramedullary cyst-and-nodule tumour with VHL
    for field, value in (
        ("compartment", "intramedullary"),
        ("dumbbell", "false"),
        ("calcification", "none"),
        ("syrinx", "true"),
        ("syndrome", "vhl"),
        ("flow_voids", "true"),
        ("cystic_change", "true"),
    ):
        page.select_option(f"#f_{field}", value)
    page.click("#predict")
    page.wait_for_function(
        "before => document.querySelector('#bars').innerText !== before", arg=before
    )
    assert _ranking(page)[0] == "hemangioblastoma"


def test_a_bad_value_shows_the_schemas_message(page):
    page.fill("#f_level", "T13")
    page.click("#predict")
    page.wait_for_function("() => document.querySelector('#error').innerText.length > 0")
    message = page.inner_text("#error")
    assert "level" in message and "T13" in message and "Traceback" not in message


def test_a_lower_coverage_gives_a_set_no_longer(page):
    page.fill("#f_level", "T12-L2")
    page.click("#predict")
    page.wait_for_function("() => document.querySelector('#set').innerText.includes('90%')")
    at_90 = page.inner_text("#set")
    page.select_option("#coverage", "0.7")
    page.click("#predict")
    page.wait_for_function("() => document.querySelector('#set').innerText.includes('70%')")
    at_70 = page.inner_text("#set")
    assert at_70.count(",") <= at_90.count(",")


def test_a_structured_report_fills_the_form_and_lists_the_words_not_used(page):
    page.fill(
        "#report",
        "CLINICAL: 23-year-old woman, back pain.\nFINDINGS:\n- Level: T13\n- Compartment: "
        "intradural extramedullary\n- Dural tail: absent\n- Enhancement: avid\n"
        "IMPRESSION: likely meningioma",
    )
    page.click("#read")
    # (the box may already show an earlier report's words: wait for this one's)
    page.wait_for_function("() => document.querySelector('#unused').innerText.includes('T13')")
    assert page.is_visible("#unused-box")
    assert page.input_value("#f_dural_tail") == "false"
    assert page.input_value("#f_enhancement") == "present"
    assert page.input_value("#f_age") == "23" and page.input_value("#f_level") == ""
    unused = page.inner_text("#unused")
    assert "T13 is not a vertebral level" in unused and "an opinion, not a finding" in unused
    assert "how strongly it enhances is not a field" in unused
