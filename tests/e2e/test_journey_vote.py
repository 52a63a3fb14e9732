"""The journey, steps 4 to 7 (after test_journey.py's 0 to 3): residents vote on their phones, in
three languages, with the keyboard alone and without JavaScript; the official counts with equal
shares and publishes; the resident finds the ballot in the published file and follows the
construction; and no request ever left loopback."""
import gzip
import hashlib
import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import LAPTOP, OUTPUT, PHONE
from tests.e2e.helpers import check_page, log_in
from tests.e2e.journey import (
    AMENDED,
    NEIGHBOUR,
    OFFICIAL,
    RESIDENT,
    TITLE,
    change_phase,
    journey,
    money,
    notice,
)

# --- 4. residents vote on their phones ------------------------------------------------------

def _choose(page, pids, check=True):
    for pid in pids:
        box = page.locator(f"#choice-{pid}")
        box.check() if check else box.uncheck()


def test_4_resident_votes_on_a_phone_with_the_running_total(new_page, ids, tmp_path_factory):
    page = new_page(PHONE)
    log_in(page, RESIDENT["email"], RESIDENT["password"])
    page.goto(f"/budgets/{ids['budget']}/vote")
    check_page(page, "04-booth-phone-kk")
    total = page.locator("#running-total")
    assert total.get_attribute("aria-live") == "polite"
    _choose(page, [journey["proposal"], *journey["others"]])
    # 12 000 000 + 16 960 000 + 4 600 000 is more than 25 000 000: said at once, in Kazakh.
    over = total.locator(".error")
    assert over.count() == 1 and "асып" in over.inner_text().lower(), total.inner_text()
    check_page(page, "04-booth-over-budget-kk")
    _choose(page, [journey["others"][0]], check=False)
    assert total.locator(".error").count() == 0
    assert total.get_by_text(money(AMENDED + 4_600_000)).count() == 1
    page.locator("button[name=action][value=review]").click()
    page.wait_for_load_state()
    check_page(page, "04-booth-confirm-kk")
    page.locator("form[action$='/vote/cast'] button[type=submit]").click()
    page.wait_for_load_state()
    receipt = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", receipt), receipt
    journey["receipt"] = receipt
    check_page(page, "04-receipt-kk")
    state = tmp_path_factory.mktemp("resident") / "state.json"
    page.context.storage_state(path=str(state))  # the receipt stays on this phone
    journey["resident_state"] = str(state)
    # Following the budget's result is offered to everyone, so it says nothing about the ballot.
    page.locator("form[action$='/follow'] button").click()
    page.wait_for_load_state()
    assert page.locator(".notice--success").count() >= 1, notice(page)


@pytest.mark.parametrize("lang, switch, over_word, drop", [("ru", "Рус", "превыш", "sports ground"),
                                                            ("en", "Eng", "over the budget", "playground")])
def test_4_residents_vote_in_russian_and_english(new_page, ids, lang, switch, over_word, drop):
    page = new_page(PHONE)
    log_in(page, NEIGHBOUR if lang == "ru" else ids["voters"][0])
    page.goto(f"/budgets/{ids['budget']}/vote")
    page.locator(".language-switcher button", has_text=switch).click()
    page.wait_for_load_state()
    check_page(page, f"04-booth-phone-{lang}", lang)
    _choose(page, [journey["proposal"], *journey["others"]])
    assert over_word in page.locator("#running-total .error").inner_text().lower()
    check_page(page, f"04-booth-over-budget-{lang}", lang)
    # Not everyone agrees: the English-speaking neighbour prefers the sports ground.
    _choose(page, [journey["others"][0] if drop == "sports ground" else journey["proposal"]], check=False)
    page.locator("button[name=action][value=review]").click()
    page.wait_for_load_state()
    check_page(page, f"04-booth-confirm-{lang}", lang)
    page.locator("form[action$='/vote/cast'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#receipt-code").inner_text().strip()
    check_page(page, f"04-receipt-{lang}", lang)


_FOCUS_CONTRAST = """() => {
  // The focused element's outline against what is behind it (WCAG 1.4.11: at least 3:1).
  const el = document.activeElement, s = getComputedStyle(el);
  if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) return 0;
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  let back = null;
  for (let node = el.parentElement; node && !back; node = node.parentElement) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) back = c;
  }
  back = back || [255, 255, 255];
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(rgb(s.outlineColor)), lum(back)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def _focus_is_visible(page) -> bool:
    """The focused element draws an outline that stands out from its background by 3:1."""
    return page.evaluate(_FOCUS_CONTRAST) >= 3


def _tab_to(page, selector: str, limit: int = 80) -> int:
    """Press Tab until ``selector`` has the focus; every stop on the way must show its focus."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 120)")
        assert _focus_is_visible(page), f"no visible focus on {focused}"
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return presses
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def test_4_a_ballot_is_cast_with_the_keyboard_alone(new_page, ids):
    page = new_page(LAPTOP)
    log_in(page, ids["voters"][1])
    page.goto(f"/budgets/{ids['budget']}/vote")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")  # skip the header
    # The playground and the curbs, in the order the booth lists them.
    wanted = [f"#choice-{journey['proposal']}", f"#choice-{journey['others'][1]}"]
    order = page.evaluate("() => [...document.querySelectorAll('.ballot-input')].map(e => '#' + e.id)")
    for selector in sorted(wanted, key=order.index):
        _tab_to(page, selector)
        page.keyboard.press("Space")
        assert page.locator(selector).is_checked()
    assert page.locator("#running-total").get_by_text(money(AMENDED + 4_600_000)).count() == 1
    page.screenshot(path=str(OUTPUT / "04-keyboard-focus.png"))  # the focus ring as the voter sees it
    _tab_to(page, "button[name=action][value=review]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page, "04-keyboard-confirm")
    _tab_to(page, "form[action$='/vote/cast'] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#receipt-code").inner_text().strip()
    check_page(page, "04-keyboard-receipt")


def test_4_the_booth_works_without_javascript(new_page, ids):
    page = new_page(PHONE, java_script_enabled=False)
    log_in(page, ids["voters"][2])
    page.goto(f"/budgets/{ids['budget']}/vote")
    _choose(page, [journey["proposal"], *journey["others"]])
    page.locator("button[name=action][value=check]").click()
    page.wait_for_load_state()
    # The server checks the ballot and says what is wrong, announced as an alert.
    problems = page.locator("#ballot-problems")
    assert problems.get_attribute("role") == "alert"
    assert money(25_000_000).search(problems.inner_text()), problems.inner_text()
    assert page.locator("#running-total").get_by_text(money(AMENDED + 16_960_000 + 4_600_000)).count() == 1
    check_page(page, "04-nojs-over-budget", axe=False)
    _choose(page, [journey["others"][0]], check=False)
    page.locator("button[name=action][value=review]").click()
    page.wait_for_load_state()
    page.locator("form[action$='/vote/cast'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#receipt-code").inner_text().strip()
    check_page(page, "04-nojs-receipt", axe=False)


def test_4_the_booth_loads_under_50_kb_of_script_and_style(new_page, ids):
    page = new_page(PHONE)
    log_in(page, ids["voters"][3])
    assets = {}

    def keep(response):
        if response.request.resource_type in ("script", "stylesheet"):
            assets[response.url] = response

    # As on a first visit: nothing from the cache (the login page loaded the stylesheet already).
    page.context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.on("response", keep)
    page.goto(f"/budgets/{ids['budget']}/vote")
    page.wait_for_load_state("networkidle")
    names = sorted(url.rsplit("/", 1)[-1] for url in assets)
    assert names == ["booth.js", "qatysu.css"], names
    compressed = sum(len(gzip.compress(response.body(), 9)) for response in assets.values())
    print(f"booth JS + CSS: {compressed} bytes gzipped")
    assert compressed < 50 * 1024


# --- 5. the official counts with equal shares and publishes ---------------------------------

def test_5_official_counts_with_mes_and_publishes(new_page, ids):
    page = new_page(LAPTOP)
    log_in(page, OFFICIAL)
    change_phase(page, ids, "results", "open", "Дауыс беру мерзімі аяқталды")
    page.goto(f"/budgets/{ids['budget']}/results/manage")
    assert "Тең үлестер әдісі" in page.locator("main").inner_text()  # the Method of Equal Shares
    check_page(page, "05-count-and-publish")
    # The first count opens the sealed envelopes with the counting commission's key file.
    page.set_input_files("#key_file", journey["key_file"])
    page.locator(f"form[action$='/budgets/{ids['budget']}/count'] [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".notice--error").count() == 0, notice(page)
    check_page(page, "05-counted")
    page.locator("form[action*='/publish'] button").click()
    page.wait_for_load_state()
    assert page.locator(".notice--success").count() >= 1, notice(page)


def test_5_results_show_the_playground_funded_with_its_explanation(new_page, ids):
    page = new_page(PHONE)
    page.goto(f"/budgets/{ids['budget']}/results")
    row = page.locator("table.results-table tr", has=page.locator(f"a[href$='/proposals/{journey['proposal']}']"))
    assert "funded" in row.get_attribute("class").split()
    assert row.locator("td").nth(2).inner_text().strip() == "4"  # five ballots, one without it
    assert row.locator(".meta").inner_text().strip()  # why it was funded, in words
    # Counted with equal shares: equalshares.net's numbers for the project, in Kazakh.
    assert "Тиімді дауыс саны: 4;" in row.locator(".report-numbers").inner_text()
    # The chart is an image with a name, and the same data is in the table (its text alternative).
    chart = page.locator("figure.chart-figure svg")
    name = chart.locator("title").text_content().strip()
    assert chart.get_attribute("role") == "img" and page.get_by_role("img", name=name).count() == 1
    assert page.locator("figure.chart-figure figcaption").inner_text().strip()
    assert page.locator("table.results-table tbody tr").count() == 3
    check_page(page, "05-results-phone")
    page.set_viewport_size(LAPTOP["viewport"])
    check_page(page, "05-results")


def test_5_resident_finds_the_ballot_by_receipt_in_the_exported_file(new_page, ids):
    page = new_page(PHONE, storage_state=journey["resident_state"])
    page.goto(f"/budgets/{ids['budget']}/results")
    href = page.locator("a", has_text="ballots.pb").get_attribute("href")
    exported = page.request.get(href)
    assert exported.ok
    receipt_hash = hashlib.sha256(journey["receipt"].encode()).hexdigest()  # the file lists receipts hashed
    lines = [line for line in exported.text().splitlines() if line.startswith(receipt_hash + ";")]
    assert len(lines) == 1 and str(journey["proposal"]) in lines[0].split(";")[1], lines
    page.goto(f"/budgets/{ids['budget']}/ballot-lookup")
    page.fill("#receipt", journey["receipt"])
    page.locator("form[role=search] button").click()
    page.wait_for_load_state()
    assert page.locator("main li", has_text=TITLE).count() == 1
    check_page(page, "05-ballot-lookup")


# --- 6. the akimat reports progress; the resident sees it ----------------------------------

def test_6_official_records_progress_and_the_resident_sees_it(new_page, ids):
    page = new_page(LAPTOP)
    log_in(page, OFFICIAL)
    page.goto(f"/proposals/{journey['proposal']}/implementation")
    check_page(page, "06-implementation-form")
    page.select_option("#status", "in_progress")
    page.fill("#progress", "40")
    page.fill("#spent", "3500000")
    page.fill("#note", "Мердігер таңдалды, жер жұмыстары басталды.")
    page.locator("form:has(input[name=what][value=report]) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".notice--error").count() == 0, notice(page)
    check_page(page, "06-implementation-reported")
    page.goto(f"/areas/{ids['esil']}/dashboard")
    assert page.locator("main").get_by_text(TITLE).count() >= 1
    check_page(page, "06-dashboard")

    page = new_page(PHONE, storage_state=journey["resident_state"])
    page.goto("/me")
    news = page.locator(".timeline li", has_text=TITLE).first
    assert "40" in news.inner_text(), news.inner_text()
    # The receipt was saved on this phone when voting, and only there.
    assert page.locator("#device-receipts").get_by_text(journey["receipt"]).count() == 1
    check_page(page, "06-my-participation")
    page.goto(f"/areas/{ids['esil']}/dashboard")
    row = page.locator("table tr", has=page.get_by_role("link", name=TITLE))
    assert re.search(r"\b40\s%", row.inner_text()), row.inner_text()
    # The percentage is drawn inside its own cell, not over the next one.
    cell, bar = row.locator("td.num").first, row.locator("progress")
    assert bar.bounding_box()["x"] + bar.bounding_box()["width"] <= cell.bounding_box()["x"] + cell.bounding_box()["width"]
    check_page(page, "06-dashboard-phone")
    page.goto("/notifications")
    assert page.locator("main").get_by_text(TITLE).count() >= 1
    check_page(page, "06-notifications")
    page.goto(f"/proposals/{journey['proposal']}")
    check_page(page, "06-proposal-in-implementation")


def test_7_no_request_left_loopback(requests_seen):
    """Every page of the journey was served from 127.0.0.1 alone: no fonts, scripts or
    trackers from elsewhere (each test also fails on its own if one of its requests leaves)."""
    hosts = {urlsplit(url).hostname for url in requests_seen if urlsplit(url).scheme in ("http", "https")}
    assert len(requests_seen) > 100 and hosts == {"127.0.0.1"}, hosts
