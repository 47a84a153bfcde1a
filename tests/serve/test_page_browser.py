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
        tab.on("dialog", lambda dialog: dialog.accept())  # reading again over corrections: yes
        outside = []
        tab.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
        tab.goto(server + "/")
        yield tab
        context.close()
        assert outside == []  # nothing fetched from outside the machine


def _rows(page) -> list[tuple[str, float, float]]:
    """The differential's rows: (tumour, in practice %, ranking %), in the order shown."""
    out = []
    for row in page.locator("#bars tbody tr").all():
        cells = row.locator("td.num").all_inner_texts()
        out.append((row.locator("th").inner_text(), *(float(c.rstrip("%")) for c in cells)))
    return out


def _ranking(page) -> list[str]:
    """The tumours by the likelihood ranking (equal classes)."""
    return [name for name, _, _ in sorted(_rows(page), key=lambda r: -r[2])]


def test_pasting_the_seed_presentation_puts_mcs_first(page):
    page.fill("#report", seed_text())
    page.click("#read")
    page.wait_for_selector("#result:not([hidden])")
    assert _ranking(page)[0] == "MCS"
    assert (
        page.locator("#highlighted mark").count() >= 8
    )  # the words behind each value, marked in the text
    assert page.input_value("#f_level") == "T12-L2" and page.input_value("#f_dural_tail") == "false"
    assert "90% set" in page.inner_text("#set") and page.inner_text("#alert")
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
    page.wait_for_function(  # each change recomputes: no button pressed
        "before => document.querySelector('#bars').innerText !== before", arg=before
    )
    page.wait_for_function(  # the answer on screen is the last change's
        "() => (document.querySelector('#result').dataset.case || '')"
        ".includes('\"cystic_change\":true')"
    )
    assert _ranking(page)[0] == "hemangioblastoma"


def test_a_bad_value_is_named_beside_its_field_and_replaces_the_answer(page):
    page.fill("#f_level", "T13")
    page.click("#predict")
    page.wait_for_function("() => document.querySelector('#error').innerText.length > 0")
    message = page.inner_text("#error")
    assert "Level must be between C1 and S5" in message and "T13" in message
    assert "row 0" not in message and "Traceback" not in message
    assert page.is_visible("#err_level") and "C1 and S5" in page.inner_text("#err_level")
    assert page.get_attribute("#f_level", "aria-invalid") == "true"
    assert page.is_hidden("#result")  # no earlier answer left on screen beside the error


def _set_size(page) -> int:
    kept = page.inner_text("#set").split(": ", 1)[1].split(". ", 1)[0]
    return 0 if kept == "no class" else len(kept.split(", "))


def test_a_lower_coverage_gives_a_set_no_longer_without_a_second_press(page):
    page.fill("#f_level", "T12-L2")
    page.click("#predict")
    page.wait_for_function("() => document.querySelector('#set').innerText.includes('90%')")
    at_90 = _set_size(page)
    page.select_option("#coverage", "0.7")  # recomputes by itself
    page.wait_for_function("() => document.querySelector('#set').innerText.includes('70%')")
    assert 1 <= _set_size(page) <= at_90
    page.select_option("#coverage", "")


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
