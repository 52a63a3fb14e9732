"""Kazakh by default, Russian and English on request; catalogs complete."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.config import ROOT

CATALOGS = ROOT / "app" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_home_page_is_in_kazakh_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="kk">' in html
    assert "Кіру" in html  # "Log in"


@pytest.mark.parametrize("locale, login", [("ru", "Войти"), ("en", "Log in")])
def test_switching_language_translates_the_page_and_is_remembered(client, locale, login):
    response = client.post("/language", data={"locale": locale, "next": "/auth/login"})
    assert response.headers["Location"].endswith("/auth/login")
    html = client.get("/").get_data(as_text=True)
    assert f'<html lang="{locale}">' in html
    assert login in html
    assert "Кіру" not in html


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/language", data={"locale": "ru", "next": "//evil.example/"})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_money_is_grouped_with_the_tenge_sign(ctx):
    from flask_babel import force_locale

    from app.core.i18n import money

    with force_locale("kk"):
        assert money(1234567) == "1\xa0234\xa0567 ₸"
    with force_locale("ru"):
        assert money(1234567) == "1\xa0234\xa0567 ₸"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_catalog_is_complete_and_keeps_placeholders(lang):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    with (CATALOGS / "messages.pot").open("rb") as f:
        template = read_po(f)
    missing = [m.id for m in template if m.id and (m.id not in catalog or not catalog[m.id].string)]
    assert missing == [], f"{lang}: untranslated {missing[:5]}"
    for message in catalog:
        if message.id and message.string:
            assert set(PLACEHOLDER.findall(str(message.id))) == set(PLACEHOLDER.findall(str(message.string))), message.id
        assert not message.fuzzy, message.id


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_catalog_is_a_translation_not_a_copy_of_english(lang):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    words = [m for m in catalog if m.id and len(str(m.id)) > 20]
    copied = [m.id for m in words if m.string == m.id]
    assert len(copied) <= len(words) // 20, copied[:5]


def test_catalog_template_is_current():
    """Every string wrapped in the code is in messages.pot (run `flask translate update`)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "check.pot"
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                        "-k", "_l", "--no-location", "-o", str(out), "."], cwd=ROOT, check=True,
                       capture_output=True)
        with out.open("rb") as f:
            fresh = {m.id for m in read_po(f) if m.id}
    with (CATALOGS / "messages.pot").open("rb") as f:
        current = {m.id for m in read_po(f) if m.id}
    assert fresh - current == set()
