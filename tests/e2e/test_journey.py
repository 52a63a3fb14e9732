"""The whole journey of one proposal in a real browser, in the order it happens: a resident on a
phone proposes a playground, a deputy on a laptop hears it at a town hall, an akimat official
reviews it and puts it on the ballot, residents vote, the official counts and publishes, and the
resident follows its construction. Every page passes axe-core (no serious or critical WCAG 2.1
AA violation) and is saved as a screenshot in tests/e2e/output/.

The tests run in file order and share the server's database: each step starts where the
previous one left off, so a step run alone fails at its first missing precondition."""
import gzip
import hashlib
import re
from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageDraw

from app.identity.iin import make_iin
from tests.e2e.conftest import LAPTOP, OUTPUT, PHONE
from tests.e2e.helpers import check_page, log_in

RESIDENT = {"email": "aigul.e2e@example.kz", "name": "Айгүл Сейітова", "password": "playground-2027",
            "iin": make_iin(date(1993, 6, 12), "female", 4242)}
NEIGHBOUR = "resident@qatysu.kz"  # the demo resident of okrug No. 7, a neighbour
DEPUTY, OFFICIAL = "deputy@qatysu.kz", "akimat@qatysu.kz"
TITLE = "Ойын алаңы: Сығанақ 29 ауласы"
ESTIMATE, AMENDED = 14_500_000, 12_000_000

journey: dict = {}  # what later steps need from earlier ones


def _money(n: int) -> re.Pattern:
    """'12 000 000 ₸' grouped with whatever the locale uses (a space, a no-break space, a comma)."""
    return re.compile(r"[\s,]?".join(f"{n:,}".split(",")) + r"\s₸")


@pytest.fixture(scope="module")
def ids(server):
    """Ids the steps navigate by (the Esil district budget of the open process, okrug No. 7) and
    the demo residents of Esil district who vote besides our resident and neighbour."""
    (process_id,) = server.sql("SELECT id FROM processes WHERE title_en = 'Astana participatory budget'")[0]
    (budget_id,) = server.sql("SELECT id FROM budgets WHERE process_id = ? AND name_en = 'Esil district'",
                              (process_id,))[0]
    (okrug_id,) = server.sql("SELECT id FROM areas WHERE name_en = 'Okrug No. 7'")[0]
    (esil_id,) = server.sql("SELECT id FROM areas WHERE name_en = 'Esil district'")[0]
    voters = [email for (email,) in server.sql(
        "SELECT u.email FROM users u JOIN areas a ON a.id = u.home_area_id "
        "WHERE a.parent_id = ? AND u.email LIKE 'resident.%@demo.qatysu.kz' ORDER BY u.id", (esil_id,))]
    return {"process": process_id, "budget": budget_id, "okrug": okrug_id, "esil": esil_id, "voters": voters}


def _photo(tmp_path) -> str:
    """A small JPEG of a 'playground sketch', made here (no files from outside)."""
    image = Image.new("RGB", (640, 480), (120, 190, 90))
    ImageDraw.Draw(image).rectangle((100, 300, 540, 320), fill=(200, 60, 40))
    path = tmp_path / "playground.jpg"
    image.save(path, "JPEG", quality=80)
    return str(path)


def _submit(page, selector="form.form input[type=submit], form.form button[type=submit]"):
    page.locator(selector).last.click()
    page.wait_for_load_state()


def _notice(page) -> str:
    return " ".join(page.locator(".notice").all_inner_texts())


def test_0_kazakh_is_the_default_language(new_page):
    """A browser asking for none of our languages gets Kazakh; one asking for Russian gets it."""
    page = new_page(PHONE, locale="de-DE")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "kk"
    page = new_page(PHONE, locale="ru-RU")
    page.goto("/")
    check_page(page, "00-home-ru", "ru")


# --- 1. a new resident proposes a playground; a neighbour supports and comments --------------

def test_1_resident_registers_and_proposes_a_playground_with_a_photo(new_page, ids, tmp_path):
    page = new_page(PHONE)
    page.goto("/")
    check_page(page, "01-home-phone")
    page.goto("/auth/register")
    check_page(page, "01-register")
    page.fill("#full_name", RESIDENT["name"])
    page.fill("#email", RESIDENT["email"])
    page.fill("#iin", RESIDENT["iin"][:-1] + str((int(RESIDENT["iin"][-1]) + 1) % 10))  # a typo first
    page.select_option("#home_area", str(ids["okrug"]))
    page.select_option("#locale", "kk")
    page.fill("#password", RESIDENT["password"])
    page.fill("#confirm", RESIDENT["password"])
    page.check("#declare_residence")
    _submit(page)
    # The mistake is announced (role=alert) and tied to the field it concerns.
    error = page.locator("#iin-error")
    assert error.get_attribute("role") == "alert" and error.inner_text().strip()
    assert "iin-error" in page.locator("#iin").get_attribute("aria-describedby")
    assert page.locator("#iin").get_attribute("aria-invalid") == "true"
    check_page(page, "01-register-error")
    page.fill("#iin", RESIDENT["iin"])
    page.fill("#password", RESIDENT["password"])
    page.fill("#confirm", RESIDENT["password"])
    _submit(page)
    assert "/auth/register" not in page.url, _notice(page)

    page.goto("/proposals/new")
    check_page(page, "01-propose-form")
    page.select_option("#budget_id", str(ids["budget"]))
    page.fill("#title", TITLE)
    playgrounds = page.locator("#category_id option", has_text=re.compile("алаң", re.I)).first.get_attribute("value")
    page.select_option("#category_id", playgrounds)
    page.fill("#description", "Аулада 200 бала тұрады, ал ескі алаң 2008 жылы салынған: әткеншек сынған, "
                              "құм салғыш жоқ. Жұмсақ жабыны бар қауіпсіз балалар алаңын салуды ұсынамын.")
    page.fill("#address", "Сығанақ көшесі, 29 үй ауласы")
    page.fill("#estimated_cost", str(ESTIMATE))
    page.set_input_files("#photos", _photo(tmp_path))
    page.locator("#submit").click()
    page.wait_for_load_state()
    match = re.search(r"/proposals/(\d+)$", page.url)
    assert match, (page.url, _notice(page))
    journey["proposal"] = int(match.group(1))
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator(".photos img").count() == 1
    assert page.locator(".facts").get_by_text(_money(ESTIMATE)).count() == 1
    check_page(page, "01-proposal-submitted")
    page.goto("/proposals?sort=newest")
    assert page.get_by_role("link", name=TITLE).count() == 1
    check_page(page, "01-proposals-list")


def test_1_neighbour_supports_and_comments(new_page):
    page = new_page(PHONE)
    log_in(page, NEIGHBOUR)
    page.goto(f"/proposals/{journey['proposal']}")
    page.locator("#support form button[type=submit]").click()
    page.wait_for_load_state()
    assert "1" in page.locator("#support .big-number").inner_text()
    page.fill("#body", "Қолдаймын! Біздің балаларға да керек, кешке жарық та болса жақсы.")
    page.check("input[name=stance][value=for]")
    page.locator("#comments form input[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".comments").get_by_text("Қолдаймын!").count() == 1
    check_page(page, "01-proposal-supported")


# --- 2. a town hall: scheduled, attended, minutes amend the cost ---------------------------

def test_2_deputy_schedules_a_town_hall_with_the_proposal_on_the_agenda(new_page, ids):
    page = new_page(LAPTOP)
    log_in(page, DEPUTY)
    page.goto("/meetings/new")
    check_page(page, "02-meeting-form")
    page.select_option("#area_id", str(ids["okrug"]))
    page.fill("#title", "№ 7 округ тұрғындарымен кездесу: аулалар")
    page.fill("#description", "Аулаларды абаттандыру жөніндегі ұсыныстарды талқылаймыз.")
    page.fill("#venue", "№ 45 мектеп, акт залы")
    page.fill("#address", "Сығанақ көшесі, 31")
    page.fill("#day", (datetime.now(timezone(timedelta(hours=5))).date() + timedelta(days=3)).isoformat())
    page.fill("#starts", "18:00")
    page.fill("#ends", "19:30")
    page.fill("#capacity", "80")
    page.select_option("#proposal_ids", str(journey["proposal"]))
    _submit(page)
    match = re.search(r"/meetings/(\d+)$", page.url)
    assert match, (page.url, _notice(page), page.locator(".error").all_inner_texts())
    journey["meeting"] = int(match.group(1))
    assert page.get_by_role("link", name=re.compile(TITLE)).count() >= 1
    check_page(page, "02-meeting-scheduled")


def test_2_resident_registers_for_the_town_hall(new_page):
    page = new_page(PHONE)
    log_in(page, RESIDENT["email"], RESIDENT["password"])
    page.goto(f"/meetings/{journey['meeting']}")
    page.locator(f"form[action$='/meetings/{journey['meeting']}/register'] button").click()
    page.wait_for_load_state()
    assert page.locator(f"form[action$='/meetings/{journey['meeting']}/unregister']").count() == 1
    check_page(page, "02-meeting-registered")


def test_2_deputy_publishes_minutes_amending_the_cost(new_page, server):
    # Three days pass: the town hall took place (the clock is moved in the database, as time
    # would move it; nothing else changes).
    now = datetime.now(UTC).replace(tzinfo=None)
    server.sql("UPDATE meetings SET starts_at = ?, ends_at = ? WHERE id = ?",
               ((now - timedelta(hours=3)).isoformat(" "), (now - timedelta(hours=1, minutes=30)).isoformat(" "),
                journey["meeting"]))
    page = new_page(LAPTOP)
    log_in(page, DEPUTY)
    page.goto(f"/meetings/{journey['meeting']}/minutes")
    check_page(page, "02-minutes-form")
    page.fill("#attendance_count", "34")
    page.locator("input[name=attended]").first.check()
    page.fill("#summary", "Тұрғындар балалар алаңын бірауыздан қолдады; құны жабынды жеңілдету арқылы азайтылды.")
    agenda = page.locator("fieldset", has=page.locator("input[value=amended]"))
    agenda.locator("input[value=amended]").check()
    agenda.locator("textarea[name^=note-]").fill("Қолдау көрсетілді; резеңке жабынның орнына құм мен шөп.")
    agenda.locator("summary").click()
    agenda.locator("input[name^=cost-]").fill(str(AMENDED))
    page.locator("button[name=publish]").click()
    page.wait_for_load_state()
    assert not page.locator(".notice--error").count(), _notice(page)
    page.goto(f"/proposals/{journey['proposal']}")
    assert page.locator(".facts").get_by_text(_money(AMENDED)).count() == 1
    timeline = page.locator(".timeline").inner_text()
    assert "№ 7 округ тұрғындарымен кездесу" in timeline and "резеңке жабынның орнына" in timeline
    check_page(page, "02-proposal-after-minutes")
    page.goto(f"/meetings/{journey['meeting']}")
    assert "резеңке жабынның орнына" in page.locator("main").inner_text()
    check_page(page, "02-meeting-minutes-published")


# --- 3. the akimat reviews it as feasible and puts it on the ballot -------------------------

def _phase(page, ids, kind: str, action: str, reason: str) -> None:
    page.goto(f"/admin/processes/{ids['process']}")
    form = page.locator(f"form[action$='/phases/{kind}/{action}']")
    form.locator("input[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".notice--success").count() == 1, _notice(page)


def test_3_official_reviews_places_on_ballot_and_opens_voting(new_page, ids, server, tmp_path_factory):
    page = new_page(LAPTOP)
    log_in(page, OFFICIAL)
    _phase(page, ids, "review", "open", "Ұсыныстар қабылдау мерзімі аяқталды")
    check_page(page, "03-process-admin")
    page.goto(f"/proposals/{journey['proposal']}")
    check_page(page, "03-review-form")
    page.check("input[name=decision][value=feasible]")
    page.fill("#final_cost", str(AMENDED))
    page.fill("#reason", "Жер телімі қалалық меншікте; кездесу шешімі бойынша құны 12 млн теңге.")
    page.locator("form[action$='/review'] input[type=submit]").click()
    page.wait_for_load_state()
    # The two other projects the district's experts found feasible go on the ballot too.
    others = [pid for (pid,) in server.sql(
        "SELECT id FROM proposals WHERE budget_id = ? AND status = 'feasible' AND id != ? ORDER BY id",
        (ids["budget"], journey["proposal"]))]
    assert len(others) == 2
    journey["others"] = others
    for pid in [journey["proposal"], *others]:
        page.goto(f"/proposals/{pid}")
        page.locator("form[action$='/ballot'] button").click()
        page.wait_for_load_state()
        assert page.locator(".notice--error").count() == 0, _notice(page)
    page.goto(f"/proposals/{journey['proposal']}")
    assert page.locator(".facts").get_by_text(_money(AMENDED)).count() >= 1
    check_page(page, "03-proposal-on-ballot")

    # The district's share this year, then the ballot: knapsack, counted with equal shares.
    page.goto(f"/admin/budgets/{ids['budget']}/edit")
    page.fill("#amount", "25000000")
    _submit(page)
    assert page.locator(".notice--success").count() == 1, _notice(page)
    page.goto(f"/budgets/{ids['budget']}/ballot-config")
    check_page(page, "03-ballot-config")
    page.select_option("#ballot_type", "knapsack")
    page.fill("#min_projects", "1")
    page.fill("#max_projects", "")
    page.select_option("#rule", "mes")
    _submit(page)
    assert page.locator(".notice--error").count() == 0, _notice(page)
    _open_voting(page, ids, tmp_path_factory)


def _open_voting(page, ids, tmp_path_factory) -> None:
    """The count keys go to the counting commission as a file; voting opens once the saved file is
    handed back (it proves nothing was lost)."""
    page.goto(f"/admin/processes/{ids['process']}")
    page.locator(f"a[href$='/processes/{ids['process']}/voting']").first.click()
    page.wait_for_load_state()
    check_page(page, "03-open-voting")
    with page.expect_download() as download:
        page.locator("form[action$='/voting/keys'] [type=submit]").click()
    key_file = tmp_path_factory.mktemp("commission") / "qatysu-count-keys.json"
    download.value.save_as(key_file)
    assert '"private_key"' in key_file.read_text()
    journey["key_file"] = str(key_file)
    page.goto(f"/processes/{ids['process']}/voting")
    assert page.locator("main").get_by_text(re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}")).count() >= 1  # fingerprints
    page.set_input_files("#key_file", str(key_file))
    page.check("#saved")
    page.fill("#reason", "Сараптама аяқталды, дауыс беру басталады")
    page.locator("form[action$='/voting/open'] [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".notice--success").count() == 1, _notice(page)
    check_page(page, "03-voting-opened")


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
    assert total.get_by_text(_money(AMENDED + 4_600_000)).count() == 1
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
    assert page.locator(".notice--success").count() >= 1, _notice(page)


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
    assert page.locator("#running-total").get_by_text(_money(AMENDED + 4_600_000)).count() == 1
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
    assert _money(25_000_000).search(problems.inner_text()), problems.inner_text()
    assert page.locator("#running-total").get_by_text(_money(AMENDED + 16_960_000 + 4_600_000)).count() == 1
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
    _phase(page, ids, "results", "open", "Дауыс беру мерзімі аяқталды")
    page.goto(f"/budgets/{ids['budget']}/results/manage")
    assert "Тең үлестер әдісі" in page.locator("main").inner_text()  # the Method of Equal Shares
    check_page(page, "05-count-and-publish")
    # The first count opens the sealed envelopes with the counting commission's key file.
    page.set_input_files("#key_file", journey["key_file"])
    page.locator(f"form[action$='/budgets/{ids['budget']}/count'] [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".notice--error").count() == 0, _notice(page)
    check_page(page, "05-counted")
    page.locator("form[action*='/publish'] button").click()
    page.wait_for_load_state()
    assert page.locator(".notice--success").count() >= 1, _notice(page)


def test_5_results_show_the_playground_funded_with_its_explanation(new_page, ids):
    page = new_page(PHONE)
    page.goto(f"/budgets/{ids['budget']}/results")
    row = page.locator("table.results-table tr", has=page.locator(f"a[href$='/proposals/{journey['proposal']}']"))
    assert "funded" in row.get_attribute("class").split()
    assert row.locator("td").nth(2).inner_text().strip() == "4"  # five ballots, one without it
    assert row.locator(".meta").inner_text().strip()  # why it was funded, in words
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
    assert page.locator(".notice--error").count() == 0, _notice(page)
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
