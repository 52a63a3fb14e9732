"""What the steps of the journey share: the people, the proposal's title and costs, what an earlier
step hands to a later one (``journey``), and small page helpers."""
import re
from datetime import date

from PIL import Image, ImageDraw

from app.identity.iin import make_iin

RESIDENT = {"email": "aigul.e2e@example.kz", "name": "Айгүл Сейітова", "password": "playground-2027",
            "iin": make_iin(date(1993, 6, 12), "female", 4242)}
NEIGHBOUR = "resident@qatysu.kz"  # the demo resident of okrug No. 7, a neighbour
DEPUTY, OFFICIAL = "deputy@qatysu.kz", "akimat@qatysu.kz"
TITLE = "Ойын алаңы: Сығанақ 29 ауласы"
ESTIMATE, AMENDED = 14_500_000, 12_000_000

journey: dict = {}  # what later steps need from earlier ones


def money(n: int) -> re.Pattern:
    """'12 000 000 ₸' grouped with whatever the locale uses (a space, a no-break space, a comma)."""
    return re.compile(r"[\s,]?".join(f"{n:,}".split(",")) + r"\s₸")


def photo(tmp_path) -> str:
    """A small JPEG of a 'playground sketch', made here (no files from outside)."""
    image = Image.new("RGB", (640, 480), (120, 190, 90))
    ImageDraw.Draw(image).rectangle((100, 300, 540, 320), fill=(200, 60, 40))
    path = tmp_path / "playground.jpg"
    image.save(path, "JPEG", quality=80)
    return str(path)


def submit(page, selector="form.form input[type=submit], form.form button[type=submit]"):
    page.locator(selector).last.click()
    page.wait_for_load_state()


def notice(page) -> str:
    return " ".join(page.locator(".notice").all_inner_texts())


def change_phase(page, ids, kind: str, action: str, reason: str) -> None:
    """Open or close a phase of the open process early, as the official does on its admin page."""
    page.goto(f"/admin/processes/{ids['process']}")
    form = page.locator(f"form[action$='/phases/{kind}/{action}']")
    form.locator("input[name=reason]").fill(reason)
    if form.locator("input[name=confirm]").count():  # something is not ready: the official read it
        form.locator("input[name=confirm]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".notice--success").count() == 1, notice(page)
