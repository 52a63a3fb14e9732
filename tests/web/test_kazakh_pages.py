"""A Kazakh-speaking resident's pages say nothing in English and show no ISO dates in running text.

The demo city is loaded and every page of the resident's journey is rendered in kk; the visible
text (tags, scripts and attributes aside) must contain no word that the English catalog uses and
the Kazakh one does not (so names, e-mail addresses and "Qatysu" pass), and no 2026-12-01 date."""
import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from app.config import ROOT
from app.extensions import db
from app.models import Proposal, Result
from meetings.models import Meeting

CATALOGS = ROOT / "app" / "translations"
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _words(lang: str) -> set[str]:
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    words = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            # Placeholders are code, not words a reader sees.
            words.update(w.lower() for w in LATIN_WORD.findall(re.sub(r"%\(\w+\)s|<[^>]+>|&\w+;", " ", text or "")))
    return words


ENGLISH_ONLY = _words("en") - _words("kk")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+")


class _Text(HTMLParser):
    """The running text a reader sees. Left out: scripts and styles, <code> (commands and file
    names are not sentences), and what is marked as not Kazakh (``lang="en"`` on a language's own
    name, ``translate="no"`` on a file name)."""

    def __init__(self):
        super().__init__()
        self.parts, self._open = [], []  # the open elements, each with whether it is left out

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        out = (tag in ("script", "style", "code") or attrs.get("translate") == "no"
               or (attrs.get("lang") or "kk") != "kk")
        self._open.append((tag, out))

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):  # close up to the matching tag
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        if not any(out for _, out in self._open):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return EMAIL_OR_URL.sub(" ", " ".join(parser.parts))


def english_in(text: str) -> list[str]:
    return sorted({w for w in LATIN_WORD.findall(text) if w.lower() in ENGLISH_ONLY})


@pytest.fixture
def demo(ctx):
    from app.demo import DEMO_PASSWORD, load_demo_data

    return load_demo_data(), DEMO_PASSWORD


def _journey(loaded) -> list[str]:
    open_budget = loaded["processes"]["open"].budgets[0]
    published = db.session.scalar(select(Result.budget_id).where(Result.published_at.is_not(None)))
    funded = db.session.scalars(select(Proposal).where(Proposal.status.in_(
        ["in_implementation", "completed", "funded"]))).all()
    unfunded = db.session.scalars(select(Proposal).where(Proposal.status == "not_funded")).all()
    open_ones = db.session.scalars(select(Proposal).where(Proposal.budget_id == open_budget.id)).all()
    meeting = db.session.scalar(select(Meeting).where(Meeting.minutes_published_at.is_not(None)))
    esil = loaded["areas"]["Esil district"]
    proposals = [p.id for p in (funded[:3] + unfunded[:3] + open_ones[:4])]
    return ["/", "/proposals", "/proposals/new", *[f"/proposals/{pid}" for pid in proposals],
            "/meetings", "/meetings?when=past", f"/meetings/{meeting.id}",
            f"/budgets/{published}/results", f"/budgets/{published}/results/protocol",
            f"/budgets/{published}/ballot-lookup", f"/areas/{esil.id}/dashboard",
            f"/budgets/{open_budget.id}/vote", "/me", "/notifications", "/notifications/settings",
            "/auth/profile", f"/deputies/{loaded['users']['deputy@qatysu.kz'].id}"]


def test_the_catalogs_know_english_words_to_look_for():
    """The check below cannot pass by accident: the English catalog has words the Kazakh lacks."""
    assert {"funded", "proposal", "support"} <= ENGLISH_ONLY
    assert english_in("Funded in round 3") == ["Funded", "round"]
    assert visible_text("<p>a <script>funded()</script>b<code>x</code> <span lang=en>English</span></p>") == "a  b  "


def test_every_page_of_the_resident_journey_is_in_kazakh(client, demo):
    loaded, password = demo
    assert client.post("/auth/login", data={"email": "resident@qatysu.kz", "password": password}).status_code == 302
    client.post("/language", data={"locale": "kk"})
    found = {}
    for path in _journey(loaded):
        response = client.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.get_data(as_text=True))
        english, iso = english_in(text), ISO_DATE.findall(text)
        if english or iso:
            found[path] = [_around(text, word) for word in english + iso]
    assert found == {}, "\n".join(f"{path}: {' | '.join(seen)}" for path, seen in found.items())


def _around(text: str, word: str) -> str:
    """The word in its sentence, so that a failure says where it is."""
    at = re.search(rf"\b{re.escape(word)}\b", text)
    return " ".join(text[max(0, at.start() - 30):at.end() + 30].split()) if at else word


def test_unequal_shares_are_not_said_to_be_equal_and_numbers_are_kazakh(ctx):
    from flask_babel import force_locale

    from app.core.reasons import reason_text

    unequal = {"code": "funded_mes", "params": {"round": 3, "votes": 204, "share": 45588.2, "share_min": 15,
                                                "share_max": 20, "cost": 9_300_000}}
    equal = {"code": "funded_mes", "params": {"round": 1, "votes": 6, "share": 50, "cost": 300}}
    with force_locale("kk"):
        text = reason_text(unequal)
        assert "орта есеппен" in text and "45\xa0588 ₸" in text and "15 ₸ – 20 ₸" in text
        assert "әрқайсысы 50 ₸ төледі" in reason_text(equal)
    with force_locale("ru"):
        assert "в среднем" in reason_text(unequal)
    assert reason_text({"code": "nonsense"}) is None


def test_dates_have_one_short_and_one_long_style_without_seconds_and_kazakh_case(ctx):
    from datetime import UTC, date, datetime

    from flask_babel import force_locale

    from app.core.i18n import local_datetime, percent, until

    moment = datetime(2026, 12, 6, 14, 0, 30, tzinfo=UTC)  # 19:00:30 in Almaty
    with force_locale("kk"):
        assert local_datetime(moment) == "2026\u202fж. 06 жел., 19:00"
        assert local_datetime(moment, "long") == "2026\u202fж. 6 желтоқсан, 19:00"
        assert until(date(2026, 12, 30)) == "30 желтоқсанға дейін"
        assert until(date(2027, 4, 1)) == "2027 жылғы 1 сәуірге дейін"
        assert percent(0.969, 1) == "96,9\xa0%"
    with force_locale("ru"):
        assert until(date(2026, 12, 30)) == "до 30 декабря"


def test_the_api_speaks_the_language_asked_for(client, ctx):
    from flask import request

    from app.core.i18n import select_locale

    with client.application.test_request_context("/api/v1/budgets/1/results?lang=ru"):
        assert request.args["lang"] == "ru" and select_locale() == "ru"
    with client.application.test_request_context("/api/v1/budgets/1/results", headers={"Accept-Language": "en"}):
        assert select_locale() == "en"
    with client.application.test_request_context("/proposals?lang=ru"):  # pages keep the visitor's choice
        assert select_locale() == "kk"


def test_a_phone_gets_a_compact_header_folded_filters_and_results_as_cards(client, demo):
    """The markup the phone layout rests on (the browser journey looks at it at 390 px)."""
    html = client.get("/proposals").get_data(as_text=True)
    menu = html[html.index('<details class="menu">'):]
    assert menu.index("<summary>") < menu.index('href="/proposals"') < menu.index("</details>")
    assert '<details class="filters-box"' in html and 'role="search"' in html
    published = db.session.scalar(select(Result.budget_id).where(Result.published_at.is_not(None)))
    results = client.get(f"/budgets/{published}/results").get_data(as_text=True)
    assert results.count('data-label="') >= 5  # every cell names its column on a card
    assert '<figure class="chart-figure" tabindex="0"' in results
    assert client.get("/favicon.ico").status_code == 200
