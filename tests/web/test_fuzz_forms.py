"""Random input at every form and query parameter: no 500, ever.

The forms are not listed by hand: each role (resident, deputy, akimat official, moderator, admin)
crawls the demo site from the home page, and every <form> found on the way is then filled by
hypothesis with hostile values (huge numbers, non-ASCII digits, NUL bytes, markup, bad dates,
missing and repeated fields, random files). A new form is fuzzed the day it appears on a page; a
test below fails if a POST route of the app is reached by no form at all, so a route nobody can
reach from a page cannot hide from the fuzzing.
"""
import os
import tempfile
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app import create_app
from app.extensions import db

if os.environ.get("TEST_DATABASE_URL"):
    pytest.skip("the fuzzing runs once, in the SQLite pass, on its own copy of the demo", allow_module_level=True)

ROLES = ["resident@qatysu.kz", "deputy@qatysu.kz", "akimat@qatysu.kz", "moderator@qatysu.kz", "admin@qatysu.kz"]
PAGES_PER_ROLE = 1500
# Forms whose submission ends the crawl's own session or sends it elsewhere for good (the
# prefix also covers /auth/logout-everywhere).
SKIP_ACTIONS = ("/auth/logout",)
ENDS_THE_CRAWL = {"auth.logout", "auth.logout_everywhere"}
# POST routes no page links to a form for, with the reason; everything else must be found.
NOT_ON_ANY_PAGE = {
    "auth.register": "only for visitors (the crawl is logged in); fuzzed in test_registration",
    "auth.login": "only for visitors; fuzzed in test_registration and test_auth",
    "auth.reset_request": "only for visitors",
    "auth.reset_password": "reached from an emailed link",
    "council.judge": "only for the expert assigned to the proposal (no crawling role is one); its bad input "
                     "is tested in test_council",
}

def add_states_the_demo_lacks(demo) -> None:
    """Objects whose forms the demo never shows: a draft, a report, hidden items, an empty
    category, a meeting awaiting its minutes, an uncounted count, and a budget open for voting."""
    from datetime import timedelta

    from app.core.clock import utcnow
    from app.models import (
        BallotConfig,
        Budget,
        Category,
        Comment,
        Process,
        Proposal,
        Report,
    )
    from meetings.models import Meeting

    from .conftest import count_votes, open_voting

    users, areas, processes = demo["users"], demo["areas"], demo["processes"]
    resident, deputy = users["resident@qatysu.kz"], users["deputy@qatysu.kz"]
    okrug, district = resident.home_area, areas["Esil district"]
    shown = db.session.scalars(db.select(Proposal).where(Proposal.process_id == processes["open"].id,
                                                         Proposal.status == "submitted").limit(3)).all()

    def proposal(process, budget, title, status):
        return Proposal(process=process, budget=budget, area=okrug, author=resident, title=title, description="x",
                        description_html="<p>x</p>", address="Astana", estimated_cost=5_000_000, status=status)

    db.session.add(proposal(processes["open"], shown[0].budget, "A draft of mine", "draft"))
    mine = Comment(proposal=shown[0], author=resident, body="My comment", body_html="<p>My comment</p>")
    hidden = Comment(proposal=shown[0], author=users["resident2@qatysu.kz"], body="Hidden", body_html="<p>x</p>",
                     hidden_at=utcnow())
    db.session.add_all([mine, hidden])
    db.session.flush()
    db.session.add(Report(proposal=shown[0], comment_id=mine.id, reporter=users["resident2@qatysu.kz"],
                          reason="spam"))
    shown[1].hidden_at = utcnow()
    db.session.add(Category(process=processes["open"], code="empty", name_kk="Бос", name_ru="Пусто",
                            name_en="Empty", position=99))
    # An expert council with a member, a criterion and an assignment (its setup page's forms).
    from app.models.council import Assignment, Council, CouncilMember, Criterion

    council = Council(process_id=processes["open"].id)
    member = CouncilMember(user=users["expert@qatysu.kz"])
    council.members.append(member)
    council.criteria.append(Criterion(name_kk="Құзыреті", name_ru="Компетенция", name_en="Competence",
                                      scale="pass_fail"))
    db.session.add(council)
    db.session.flush()
    db.session.add(Assignment(proposal_id=shown[2].id, member_id=member.id))
    db.session.add(Meeting(area=okrug, host=deputy, title="Awaiting minutes", starts_at=utcnow() - timedelta(days=2),
                           ends_at=utcnow() - timedelta(days=2, hours=-2), venue="School 12"))
    voting = Process(area=areas["Astana"], year=2030, title_kk="Дауыс", title_ru="Голосование", title_en="Voting")
    from app.admin.services import set_phase_dates
    from app.models import PHASE_ORDER

    start = utcnow().date()
    set_phase_dates(voting, {k: (start + timedelta(days=30 * i), start + timedelta(days=30 * i + 29))
                             for i, k in enumerate(PHASE_ORDER)})
    budget = Budget(process=voting, area=district, name_kk="Есіл", name_ru="Есиль", name_en="Esil",
                    amount=20_000_000, project_limit_tenge=10_000_000)
    db.session.add_all([voting, budget])
    db.session.add_all([proposal(voting, budget, f"On the ballot {n}", "on_ballot") for n in range(4)])
    db.session.add(BallotConfig(budget=budget, ballot_type="approval", min_projects=1, max_projects=3, rule="mes",
                                rule_options={"completion": "add1-greedy"}, tie_break="id", min_votes=1,
                                allow_change=True, min_age=16))
    db.session.commit()
    akimat = users["akimat@qatysu.kz"]
    open_voting(voting, akimat)
    # A count not yet published (the manage page offers to publish): voting over, envelopes opened.
    closed = Process(area=areas["Astana"], year=2029, title_kk="Санау", title_ru="Подсчёт", title_en="Counting")
    set_phase_dates(closed, {k: (start + timedelta(days=30 * i), start + timedelta(days=30 * i + 29))
                             for i, k in enumerate(PHASE_ORDER)})
    tallied = Budget(process=closed, area=district, name_kk="Есіл", name_ru="Есиль", name_en="Esil",
                     amount=20_000_000, project_limit_tenge=10_000_000)
    db.session.add_all([closed, tallied])
    db.session.add_all([proposal(closed, tallied, f"Counted {n}", "on_ballot") for n in range(2)])
    db.session.commit()
    open_voting(closed, akimat)
    from app.ballots.services import cast_with_snapshot
    from app.ballots.snapshot import snapshot

    cast_with_snapshot(resident, snapshot(tallied.id), [str(db.session.scalar(
        db.select(Proposal.id).where(Proposal.budget_id == tallied.id).limit(1)))])
    counted = count_votes(tallied, akimat)
    draft = db.session.scalar(db.select(Proposal.id).where(Proposal.status == "draft", Proposal.author == resident))
    on_ballot = db.session.scalar(db.select(Proposal.id).where(Proposal.budget_id == budget.id))
    # Pages no link leads to (a draft is its author's alone), and the booth's confirmation step,
    # which only a POST shows.
    return {
        "resident@qatysu.kz": [f"/proposals/{draft}", ("POST", f"/budgets/{budget.id}/vote", {"chosen": on_ballot, "action": "review"})],
        "akimat@qatysu.kz": [f"/budgets/{counted.budget_id}/results/manage"],
    }


NASTY = ["", " ", "0", "-1", "1", "2", "99999999999999999999", "1e309", "NaN", "²", "١٢٣", "\x00", "\u202e",
         "<script>alert(1)</script>", "' OR 1=1 --", "%s%n", "../../etc/passwd", "2026-02-30", "2026-13-01T25:61",
         "9" * 300, "ы" * 3000, "true", "on", "kk", "approval", "mes",
         # issue #13: ids beyond the database in list fields, dates that overflow, line breaks where
         # one line is expected, links that would run script, and texts longer than any limit.
         "1" + "0" * 30, str(2**31), "9999-12-31", "0001-01-01", "Line one\nLine two", "a\r\nb\rc",
         "javascript:alert(1)", "data:text/html,x", "https://", "ы" * 20_001]


class Forms(HTMLParser):
    """The links and forms of one page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").upper(),
                          "fields": {}, "multipart": a.get("enctype") == "multipart/form-data"}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            kind = a.get("type", "text") if tag == "input" else tag
            if kind in ("submit", "button", "reset", "image"):
                self._form["fields"].setdefault(a["name"], {"kind": "submit", "options": [a.get("value", "")]})
                return
            if kind == "text" and a.get("inputmode") == "numeric":
                kind = "number"  # a hand-written number field: read with whole_number, not stored as text
            entry = self._form["fields"].setdefault(a["name"], {"kind": kind, "options": [],
                                                                 "maxlength": a.get("maxlength")})
            if a.get("value") is not None:
                entry["options"].append(a["value"])
            if tag == "select":
                self._select = entry
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class Found:
    role: str
    page: str
    method: str
    action: str
    fields: dict
    multipart: bool
    endpoint: str = ""
    seen_on: list = field(default_factory=list)


@pytest.fixture(scope="module")
def site():
    """The whole demo in its own in-memory database, and one logged-in client per role."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "UPLOAD_FOLDER": tempfile.mkdtemp(prefix="qatysu-fuzz-")})
    with app.app_context():
        db.create_all()
        from app.demo import DEMO_PASSWORD, load_demo_data

        demo = load_demo_data()
        seeds = add_states_the_demo_lacks(demo)
    clients = {}
    for email in ROLES:
        client = app.test_client()
        response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        clients[email] = client
    return app, clients, seeds


def local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and url.startswith("/")


@pytest.fixture(scope="module")
def forms(site):
    """Breadth-first crawl per role; one entry per (role, method, endpoint), first page that had it."""
    app, clients, seeds = site
    adapter = app.url_map.bind("localhost")
    found: dict[tuple, Found] = {}
    for role, client in clients.items():
        queue = deque(["/", *seeds.get(role, [])])
        seen = {"/"}
        while queue and len(seen) <= PAGES_PER_ROLE:
            page = queue.popleft()
            if isinstance(page, tuple):
                method, page, data = page
                response = client.open(page, method=method, data=data)
            else:
                response = client.get(page)
            assert response.status_code < 500, f"{role} GET {page}: HTTP {response.status_code}"
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            parser = Forms()
            parser.feed(response.get_data(as_text=True))
            for href in parser.links:
                href = urljoin(page, href).split("#")[0]
                path = urlsplit(href).path
                # One page per listing is enough: skip further pages and sort orders of the same path.
                key = path if "page=" in href or "sort=" in href else href
                if local(href) and key not in seen and not path.startswith(("/static/", "/photos/", "/api/")):
                    seen.add(key)
                    queue.append(href)
            for form in parser.forms:
                action = urljoin(page, form["action"] or page)
                if not local(action) or action.startswith(SKIP_ACTIONS):
                    continue
                try:
                    endpoint, _ = adapter.match(urlsplit(action).path, method=form["method"])
                except Exception:  # noqa: BLE001 (a form pointing nowhere is itself a finding)
                    pytest.fail(f"{role}: a form on {page} posts to {action}, which no route serves")
                key = (role, form["method"], endpoint)
                if key not in found:
                    found[key] = Found(role, page, form["method"], action, form["fields"], form["multipart"], endpoint)
    return list(found.values())


def test_every_post_route_is_reached_by_some_form(site, forms):
    app, _, _ = site
    posted = {f.endpoint for f in forms if f.method == "POST"}
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    missing = sorted(routes - posted - set(NOT_ON_ANY_PAGE) - ENDS_THE_CRAWL)
    assert not missing, "POST routes that no crawled page has a form for (fuzz them or list why):\n" + "\n".join(missing)
    assert set(NOT_ON_ANY_PAGE) <= routes, "NOT_ON_ANY_PAGE names a route that no longer exists"


TEXT_KINDS = ("text", "textarea", "email", "password", "search", "url", "tel")
# Text inputs that store no free text: codes a voter copies from the receipt and the IIN of a paper
# voter (the booth, the lookup and the paper form belong to the ballot work and read them there).
NOT_STORED = {"ballots.cast": {"receipt", "change_key"}, "results.lookup": {"receipt"}, "ballots.paper": {"iin"}}


def test_every_text_input_on_every_page_states_its_maximum_length(forms):
    """What the forms state, as a browser receives it: every text input and textarea carries a
    maxlength (and the page its "up to N characters" hint, from the same macro or limit_hint)."""
    unstated = sorted({f"{form.endpoint} ({form.page}): {name}" for form in forms
                       for name, spec in form.fields.items()
                       if spec["kind"] in TEXT_KINDS and not spec.get("maxlength")
                       and name not in NOT_STORED.get(form.endpoint, ())})
    assert not unstated, "text inputs without maxlength:\n" + "\n".join(unstated)


def value_for(spec: dict) -> st.SearchStrategy:
    choices = [st.sampled_from(NASTY), st.text(max_size=30), st.integers(-(2**63), 2**63).map(str)]
    if spec["options"]:
        choices.append(st.sampled_from(spec["options"]))
    return st.one_of(*choices)


def submission(draw, spec_fields: dict, multipart: bool) -> tuple[list, dict]:
    """Random (name, value) pairs: a field may be missing, given once, or repeated; files random."""
    pairs, files = [], {}
    for name, spec in spec_fields.items():
        if spec["kind"] == "file":
            if multipart and draw(st.booleans()):
                blob = draw(st.one_of(st.binary(max_size=64), st.just(b"\xff\xd8\xff\xe0" + b"\x00" * 40)))
                files[name] = (BytesIO(blob), draw(st.sampled_from(["a.jpg", "b.png", "c.php", "d", "..%2f.jpg"])))
            continue
        if spec["kind"] == "submit":
            pairs.append((name, spec["options"][0]))
            continue
        for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2]))):
            pairs.append((name, draw(value_for(spec))))
    return pairs, files


def send(client, form: Found, pairs: list, files: dict):
    if form.method == "GET":
        base = urlsplit(form.action)
        return client.get(base.path, query_string=parse_qsl(base.query) + pairs)
    body = MultiDict(pairs)
    for name, file in files.items():
        body.add(name, file)
    return client.post(form.action, data=body)


# Shrinking would re-send every form hundreds of times; the failure message carries the input.
# FUZZ_EXAMPLES=200 for a longer hunt; CI runs the same 6 examples each time.
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "6")), deadline=None,
          suppress_health_check=list(HealthCheck), derandomize=not os.environ.get("FUZZ_EXAMPLES"),
          phases=[Phase.explicit, Phase.generate])
@given(data=st.data())
def test_random_input_at_every_form_never_causes_a_server_error(site, forms, data):
    _, clients, _ = site
    failures = []
    for form in forms:
        pairs, files = submission(data.draw, form.fields, form.multipart)
        client = clients[form.role]
        try:
            response = send(client, form, pairs, files)
        except Exception as error:  # noqa: BLE001 (TESTING lets a server error through as an exception)
            failures.append(f"{form.role} {form.method} {form.action} (form on {form.page}): {error!r} "
                            f"with {pairs!r}"[:800])
            continue
        if response.status_code >= 500:
            failures.append(f"{form.role} {form.method} {form.action} (form on {form.page}): HTTP "
                            f"{response.status_code} with {pairs!r}"[:800])
    assert not failures, "\n".join(failures)
    assert len(forms) > 40  # the crawl found the app's forms: an empty crawl would pass vacuously
