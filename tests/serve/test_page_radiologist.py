"""The page a radiologist keeps open (issue 28), in headless Chromium: no stale answer, clinical
words, both numbers, evidence with its sources, what to look at next, a printable summary, and
access by keyboard, screen reader and phone."""

from __future__ import annotations

import pytest

from ..browser import ARTIFACTS, chromium
from ..extract.test_extract import seed_text

REPORT = (
    "58-year-old man. Intradural extramedullary mass at C7-T1 with foraminal extension, "
    "homogeneous enhancement."
)


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.goto(server + "/")
    yield tab
    context.close()


def _answer(page, text: str = REPORT) -> None:
    page.fill("#report", text)
    page.click("#read")
    page.wait_for_selector("#result:not([hidden])")


def test_an_edit_to_the_text_marks_the_answer_out_of_date_and_ctrl_enter_reads_again(page):
    _answer(page)
    assert not page.is_visible("#stale")
    page.type("#report", " Dural tail.")
    assert page.is_visible("#stale")  # the earlier answer is marked, not shown as current
    page.focus("#report")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("() => !document.querySelector('#result').classList.contains('stale')")
    assert page.input_value("#f_dural_tail") == "true"


def test_a_second_read_asks_before_it_overwrites_corrections(page):
    _answer(page)
    page.select_option("#f_calcification", "punctate")  # a correction in the form
    asked = []

    def refuse(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    page.click("#read")  # the confirm() blocks the page until the dialog is answered
    assert asked and "replaces" in asked[0]
    assert page.input_value("#f_calcification") == "punctate"  # kept: the reader said no
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#read")
    page.wait_for_function("() => document.querySelector('#f_calcification').value === ''")


def test_the_answer_scrolls_into_view_and_is_announced(page):
    page.set_viewport_size({"width": 1280, "height": 700})
    _answer(page)
    top = page.evaluate("() => document.querySelector('#result').getBoundingClientRect().top")
    assert -5 <= top < 700  # in view (to the pixel), not below the fold
    assert page.get_attribute("#announce", "aria-live") == "polite"
    page.wait_for_function("() => document.querySelector('#announce').innerText.length > 0")
    assert "most likely in practice" in page.inner_text("#announce")


def test_values_are_in_clinical_words_and_the_text_limit_is_shown(page):
    options = page.locator("#f_dural_tail option").all_inner_texts()
    assert options == ["not stated", "present", "absent"]
    assert "2–4 cm" in page.locator("#f_size option").all_inner_texts()  # not 2_to_4cm
    assert "intra- and extradural" in page.locator("#f_compartment option").all_inner_texts()
    assert page.get_attribute("#report", "maxlength") == "20000"
    assert "20,000" in page.inner_text("#report-limit")
    page.fill("#report", "x" * 25)
    assert page.inner_text("#count") == "25"


def test_each_class_has_both_numbers_explained_and_one_control_per_meaning(page):
    _answer(page)
    rows = page.locator("#bars tbody tr")
    assert rows.count() == 7
    numbers = [float(x.rstrip("%")) for x in page.locator("#bars td.num").all_inner_texts()]
    practice, ranking = numbers[0::2], numbers[1::2]
    assert abs(sum(practice) - 100) < 0.5 and abs(sum(ranking) - 100) < 0.5
    assert practice == sorted(practice, reverse=True)
    assert practice != ranking  # the two numbers differ: prevalence matters
    text = page.inner_text("#result")
    assert "In practice" in text and "Ranking" in text and "equally common" in text
    assert page.locator("#prior").count() == 0  # no two controls with the same numbers
    assert "ranking" in page.inner_text("#set") and "MCS alert" in page.inner_text("#alert")


def test_the_evidence_names_its_sources_and_every_class_is_there_on_request(page):
    _answer(page)
    evidence = page.inner_text("#evidence")
    assert "series" in evidence and "patients" in evidence and "largest" in evidence
    assert "×" in evidence and "95%" in evidence
    assert page.locator("#evidence h4").count() == 3
    page.click("#all-classes")
    page.wait_for_function("() => document.querySelectorAll('#evidence h4').length === 7")
    assert "MCS against" in page.inner_text("#evidence")
    assert "no consecutive series: from published cases" in page.inner_text("#evidence")


def test_what_to_look_at_next_is_ranked_by_expected_information(page):
    _answer(page)
    items = page.locator("#next li").all_inner_texts()
    assert len(items) >= 3 and all("would best separate" in i for i in items)
    bits = [float(i.rsplit("expected ", 1)[1].split(" bits")[0]) for i in items]
    assert bits == sorted(bits, reverse=True) and bits[0] > 0
    assert not any("enhanced MRI would" in i for i in items)  # enhancement is stated


def test_the_summary_prints_on_one_page_and_copies_as_text(page):
    _answer(page, seed_text())
    summary = (
        page.inner_text("#summary")
        if page.is_visible("#summary")
        else page.text_content("#summary")
    )
    for part in ("Case:", "in practice", "ranking", "Set at", "MCS alert", "Evidence", "Model:"):
        assert part in summary, part
    page.emulate_media(media="print")
    assert page.is_visible("#summary") and not page.is_visible("#fields")
    assert not page.is_visible("#report")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "summary.pdf"))
    page.emulate_media(media="screen")
    page.click("#copy")
    page.wait_for_function("() => document.querySelector('#copied').innerText.length > 0")


def test_every_control_is_labelled_and_focus_is_visible(page):
    unlabelled = page.evaluate(
        "() => [...document.querySelectorAll('input, select, textarea')]"
        ".filter(e => !e.labels || e.labels.length === 0).map(e => e.id)"
    )
    assert unlabelled == []
    page.focus("#read")
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert style[0] != "none" and style[1] >= 2


def test_the_whole_task_by_keyboard(page):
    page.focus("#report")
    page.keyboard.type(REPORT)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#result:not([hidden])")
    page.focus("#f_calcification")
    page.keyboard.press("ArrowDown")  # "none"... a changed select recomputes
    page.wait_for_function(
        "() => (document.querySelector('#result').dataset.case || '').includes('calcification')"
    )


def test_an_empty_form_and_an_empty_text_get_the_same_answer(page):
    page.click("#predict")
    page.wait_for_function("() => document.querySelector('#error').innerText.length > 0")
    from_form = page.inner_text("#error")
    page.fill("#report", "   ")
    page.click("#read")
    page.wait_for_function(
        "before => document.querySelector('#error').innerText === before", arg=from_form
    )
    assert "State at least one finding" in from_form and page.is_hidden("#result")


def test_a_phone_wide_page_does_not_scroll_sideways(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(server + "/")
    _answer(tab, seed_text())
    tab.click("#all-classes")
    tab.wait_for_function("() => document.querySelectorAll('#evidence h4').length === 7")
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    box = tab.evaluate("() => document.querySelector('#fields').getBoundingClientRect().right")
    form_right = float(box)
    assert form_right <= 390
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "page_390.png"), full_page=True)
    context.close()
