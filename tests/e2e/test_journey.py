"""The whole journey of one proposal in a real browser, in the order it happens: a resident on a
phone proposes a playground, a deputy on a laptop hears it at a town hall, an akimat official
reviews it and puts it on the ballot, residents vote, the official counts and publishes, and the
resident follows its construction. Every page passes axe-core (no serious or critical WCAG 2.1
AA violation) and is saved as a screenshot in tests/e2e/output/.

The steps run in order — this file (steps 0 to 3), then test_journey_vote.py (4 to 7) — and
share the server's database: each step starts where the previous one left off, so a step run
alone fails at its first missing precondition. What they share is in journey.py."""
import re
from datetime import UTC, datetime, timedelta, timezone

from tests.e2e.conftest import LAPTOP, PHONE
from tests.e2e.helpers import check_page, log_in
from tests.e2e.journey import (
    AMENDED,
    DEPUTY,
    ESTIMATE,
    NEIGHBOUR,
    OFFICIAL,
    RESIDENT,
    TITLE,
    change_phase,
    journey,
    money,
    notice,
    photo,
    submit,
)


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
    # A compact header on a phone: the links fold into a menu that opens without JavaScript.
    assert page.locator(".site-header").bounding_box()["height"] < 120
    assert not page.locator(".main-nav--wide").is_visible()
    page.locator("details.menu summary").click()
    assert page.locator("details.menu").get_by_role("link", name="Ұсыныстар", exact=True).is_visible()
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
    submit(page)
    # The mistake is announced (role=alert) and tied to the field it concerns.
    error = page.locator("#iin-error")
    assert error.get_attribute("role") == "alert" and error.inner_text().strip()
    assert "iin-error" in page.locator("#iin").get_attribute("aria-describedby")
    assert page.locator("#iin").get_attribute("aria-invalid") == "true"
    check_page(page, "01-register-error")
    page.fill("#iin", RESIDENT["iin"])
    page.fill("#password", RESIDENT["password"])
    page.fill("#confirm", RESIDENT["password"])
    submit(page)
    assert "/auth/register" not in page.url, notice(page)

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
    page.set_input_files("#photos", photo(tmp_path))
    page.locator("#submit").click()
    page.wait_for_load_state()
    match = re.search(r"/proposals/(\d+)$", page.url)
    assert match, (page.url, notice(page))
    journey["proposal"] = int(match.group(1))
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator(".photos img").count() == 1
    assert page.locator(".facts").get_by_text(money(ESTIMATE)).count() == 1
    # Only what the author can do now: no support button, withdrawing folded away.
    assert page.locator("form[action$='/support']").count() == 0
    assert not page.locator("details.withdraw").get_attribute("open")
    check_page(page, "01-proposal-submitted")
    page.goto("/proposals?sort=newest")
    assert page.get_by_role("link", name=TITLE).count() == 1
    check_page(page, "01-proposals-list")


def test_1_neighbour_supports_and_comments(new_page):
    page = new_page(PHONE)
    log_in(page, NEIGHBOUR)
    page.goto(f"/proposals/{journey['proposal']}")
    assert "дейін" in page.locator("#support").inner_text()  # "Қолдау 30 желтоқсанға дейін жиналады."
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
    submit(page)
    match = re.search(r"/meetings/(\d+)$", page.url)
    assert match, (page.url, notice(page), page.locator(".error").all_inner_texts())
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
    assert not page.locator(".notice--error").count(), notice(page)
    page.goto(f"/proposals/{journey['proposal']}")
    assert page.locator(".facts").get_by_text(money(AMENDED)).count() == 1
    timeline = page.locator(".timeline").inner_text()
    assert "№ 7 округ тұрғындарымен кездесу" in timeline and "резеңке жабынның орнына" in timeline
    check_page(page, "02-proposal-after-minutes")
    page.goto(f"/meetings/{journey['meeting']}")
    assert "резеңке жабынның орнына" in page.locator("main").inner_text()
    check_page(page, "02-meeting-minutes-published")


# --- 3. the akimat reviews it as feasible and puts it on the ballot -------------------------

def test_3_official_reviews_places_on_ballot_and_opens_voting(new_page, ids, server, tmp_path_factory):
    page = new_page(LAPTOP)
    log_in(page, OFFICIAL)
    change_phase(page, ids, "review", "open", "Ұсыныстар қабылдау мерзімі аяқталды")
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
        assert page.locator(".notice--error").count() == 0, notice(page)
    page.goto(f"/proposals/{journey['proposal']}")
    assert page.locator(".facts").get_by_text(money(AMENDED)).count() >= 1
    check_page(page, "03-proposal-on-ballot")

    # The district's share this year, then the ballot: knapsack, counted with equal shares.
    page.goto(f"/admin/budgets/{ids['budget']}/edit")
    page.fill("#amount", "25000000")
    submit(page)
    assert page.locator(".notice--success").count() == 1, notice(page)
    page.goto(f"/budgets/{ids['budget']}/ballot-config")
    check_page(page, "03-ballot-config")
    page.select_option("#ballot_type", "knapsack")
    page.fill("#min_projects", "1")
    page.fill("#max_projects", "")
    page.select_option("#rule", "mes")
    submit(page)
    assert page.locator(".notice--error").count() == 0, notice(page)
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
    if page.locator("#confirm").count():  # what is not ready is listed above; the official read it
        page.check("#confirm")
    page.locator("form[action$='/voting/open'] [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".notice--success").count() == 1, notice(page)
    check_page(page, "03-voting-opened")
