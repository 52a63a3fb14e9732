"""Attack 3 of issue #13, second half: six simultaneous reviews left five contradictory review
events on one proposal.

Concurrent changes of ONE proposal — reviews, ballot placements, merges, implementation reports,
the minutes of a town hall — give one event each: the first wins, the others are told "This
proposal was changed meanwhile; reload the page" and store nothing. Real threads post through
the site's forms, each with its own session and database connection, against a database file
on SQLite and against the test server on PostgreSQL (CI). So that the requests really overlap,
each one waits for the others at the moment it has read the proposal and passed every check
and is about to write (a rendezvous that gives up after a few seconds: a request the database
makes wait cannot arrive, and the others then go on)."""
import html
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app import create_app
from app.core.clock import utcnow
from app.core.markdown import render_markdown
from app.extensions import db
from app.models import (
    PHASE_ORDER,
    Budget,
    Implementation,
    PhaseKind,
    Process,
    Proposal,
    ProposalEvent,
    Support,
)
from app.proposals import review as review_service
from app.proposals import services as proposal_service
from meetings.models import AgendaItem, Meeting

from .conftest import PASSWORD, IsolatedClient, make_user, move_to_phase

EN = {"Accept-Language": "en"}
MEANWHILE = "This proposal was changed meanwhile; reload the page."


@pytest.fixture
def race(app, tmp_path):
    """An app of its own with a connection pool, on a database file (SQLite's in-memory test
    database is one connection) or on the PostgreSQL test server; Esil's budget in its proposals
    phase. The test body runs in its request context."""
    from app.admin.services import set_phase_dates
    from app.demo import load_areas
    from app.proposals.services import ensure_default_categories

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    race_app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path),
                           "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 5}})
    race_app.test_client_class = IsolatedClient
    with race_app.test_request_context():
        db.create_all()
        areas = load_areas()
        process = Process(area=areas["Astana"], year=2027, title_kk="Астана 2027", title_ru="Астана 2027",
                          title_en="Astana 2027")
        start = date.today() - timedelta(days=5)
        set_phase_dates(process, {k: (start + timedelta(days=30 * i), start + timedelta(days=30 * i + 29))
                                  for i, k in enumerate(PHASE_ORDER)})
        ensure_default_categories(process)
        budget = Budget(process=process, area=areas["Esil district"], name_kk="Есіл ауданы", name_ru="район Есиль",
                        name_en="Esil district", amount=100_000_000, project_limit_tenge=20_000_000)
        db.session.add_all([process, budget])
        db.session.commit()
        yield {"app": race_app, "areas": areas, "process": process, "budget": budget}
        db.session.remove()
        db.engine.dispose()


def officials(race, n, role="akimat"):
    return [make_user(home=race["areas"]["Almaty district / okrug 1"], role=role, area=race["areas"]["Esil district"])
            for _ in range(n)]


def proposal(race, title="Playground in courtyard 5", status="submitted", **extra) -> Proposal:
    budget = race["budget"]
    item = Proposal(process=race["process"], budget=budget, area=budget.area, author=make_user(
        home=race["areas"]["Esil district / okrug 7"]), title=title, description=f"{title}, described",
        description_html=render_markdown(title), address="Kabanbay Batyr 40", estimated_cost=5_000_000,
        status=status, submitted_at=utcnow(), **extra)
    db.session.add(item)
    db.session.commit()
    return item


def rendezvous(monkeypatch, module, name, parties, timeout=3.0):
    """Make ``module.name`` wait (up to ``timeout`` seconds) until ``parties`` requests are there."""
    barrier = threading.Barrier(parties, timeout=timeout)
    original = getattr(module, name)

    def waiting(*args, **kwargs):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # one of the others is held by the database: go on
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, waiting)


def at_once(race, requests) -> list[str]:
    """Log each (user, url, form) in with a client of its own, then post them all at once from
    threads; returns each page as its person sees it after the redirect."""
    clients = []
    for user, _, _ in requests:
        client = race["app"].test_client()
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        clients.append(client)
    pages = [None] * len(requests)
    start = threading.Barrier(len(requests))

    def send(n):
        _, url, data = requests[n]
        start.wait()
        response = clients[n].post(url, data=data, headers=EN, follow_redirects=True)
        pages[n] = f"{response.status_code} " + html.unescape(response.get_data(as_text=True))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.rollback()
    db.session.expire_all()
    return pages


def kinds(item) -> list[str]:
    return list(db.session.scalars(select(ProposalEvent.kind).where(ProposalEvent.proposal_id == item.id)
                                   .order_by(ProposalEvent.id)))


def said(pages, text) -> int:
    return sum(text in page for page in pages)


def test_six_simultaneous_reviews_leave_one_review_and_one_status(race, monkeypatch):
    reviewers = officials(race, 6)
    target = proposal(race)
    rendezvous(monkeypatch, review_service, "transition", 6)
    verdicts = [{"decision": "feasible", "final_cost": str(3_000_000 + n * 100_000), "reason": f"Estimate {n}"}
                if n % 2 == 0 else {"decision": "not_feasible", "reason": f"Not this year, reason No. {n}"}
                for n in range(6)]
    pages = at_once(race, [(r, f"/proposals/{target.id}/review", v) for r, v in zip(reviewers, verdicts)])
    assert all(page.startswith("200 ") for page in pages)
    assert said(pages, "The review is recorded on the timeline.") == 1
    assert said(pages, MEANWHILE) == 5
    target = db.session.get(Proposal, target.id)
    reviews = [k for k in kinds(target) if k.startswith("reviewed")]
    assert len(reviews) == 1
    assert target.status == ("feasible" if reviews == ["reviewed_feasible"] else "not_feasible")
    winner = pages.index(next(p for p in pages if "The review is recorded" in p))
    assert target.final_cost == (int(verdicts[winner]["final_cost"]) if winner % 2 == 0 else None)


def test_simultaneous_placements_on_the_ballot_give_one_event(race, monkeypatch):
    placers = officials(race, 6)
    target = proposal(race, status="feasible", final_cost=4_000_000)
    rendezvous(monkeypatch, review_service, "transition", 6)
    pages = at_once(race, [(p, f"/proposals/{target.id}/ballot", {}) for p in placers])
    assert said(pages, "The proposal is on the ballot.") == 1 and said(pages, MEANWHILE) == 5
    assert kinds(target) == ["placed_on_ballot"]
    assert db.session.get(Proposal, target.id).status == "on_ballot"


def test_a_review_racing_a_merge_one_wins_and_the_state_agrees_with_it(race, monkeypatch):
    reviewer, merger = officials(race, 2)
    duplicate = proposal(race, "Playground in courtyard 5, again")
    into = proposal(race)
    fan = make_user(home=race["areas"]["Esil district / okrug 7"])
    db.session.add(Support(proposal_id=duplicate.id, user_id=fan.id))
    duplicate.support_count = 1
    db.session.commit()
    rendezvous(monkeypatch, review_service, "transition", 2)
    pages = at_once(race, [
        (reviewer, f"/proposals/{duplicate.id}/review", {"decision": "feasible", "final_cost": "4000000"}),
        (merger, f"/proposals/{duplicate.id}/merge", {"into": str(into.id), "note": "Same courtyard"})])
    reviewed, merged = said(pages[:1], "The review is recorded"), said(pages[1:], "The proposals are merged.")
    assert reviewed + merged == 1 and said(pages, MEANWHILE) == 1
    duplicate, into = db.session.get(Proposal, duplicate.id), db.session.get(Proposal, into.id)
    supported = db.session.scalar(select(Support.proposal_id).where(Support.user_id == fan.id))
    if merged:
        assert kinds(duplicate) == ["merged_into"] and kinds(into) == ["merged_from"]
        assert (duplicate.status, duplicate.final_cost, duplicate.merged_into_id) == ("merged", None, into.id)
        assert (supported, into.support_count, duplicate.support_count) == (into.id, 1, 0)
    else:
        assert kinds(duplicate) == ["reviewed_feasible"] and kinds(into) == []
        assert (duplicate.status, duplicate.final_cost, duplicate.merged_into_id) == ("feasible", 4_000_000, None)
        assert (supported, into.support_count, duplicate.support_count) == (duplicate.id, 0, 1)


def test_two_officials_reporting_a_project_completed_at_once_complete_it_once(race, monkeypatch):
    from app.implementation import services as implementation_service

    move_to_phase(race["process"], PhaseKind.IMPLEMENTATION)
    reporters = officials(race, 2)
    project = proposal(race, status="in_implementation", final_cost=4_000_000)
    db.session.add(Implementation(proposal_id=project.id, status="in_progress", progress=80, spent=3_000_000))
    db.session.commit()
    rendezvous(monkeypatch, implementation_service, "transition", 2)
    done = {"what": "report", "status": "completed", "progress": "100", "spent": "3900000", "note": "Handed over"}
    pages = at_once(race, [(r, f"/proposals/{project.id}/implementation", done) for r in reporters])
    assert said(pages, "The implementation report is saved") == 1 and said(pages, MEANWHILE) == 1
    assert kinds(project) == ["implementation"]
    assert db.session.get(Proposal, project.id).status == "completed"


def test_minutes_published_twice_at_once_are_published_once(race, monkeypatch):
    okrug = race["areas"]["Esil district / okrug 7"]
    host = make_user(home=okrug, role="deputy", area=okrug)
    target = proposal(race)
    now = datetime.now(UTC)
    meeting = Meeting(area=okrug, host=host, title="Courtyards of okrug 7", kind="in_person", venue="School No. 54",
                      starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))
    db.session.add(meeting)
    db.session.flush()
    db.session.add(AgendaItem(meeting_id=meeting.id, position=0, proposal_id=target.id))
    db.session.commit()
    item = meeting.agenda[0].id
    rendezvous(monkeypatch, proposal_service, "record_discussion", 2)
    form = {"attendance_count": "30", "summary": "Residents spoke.", "action_rows": "0",
            f"decision-{item}": "amended", f"cost-{item}": "4500000", "publish": "1"}
    pages = at_once(race, [(host, f"/meetings/{meeting.id}/minutes", form)] * 2)
    assert said(pages, "The minutes are published") == 1
    # The other is told they are published already (the page no longer offers the form).
    assert said(pages, "already published") + said(pages, "are published and are no longer edited") == 1
    assert kinds(target) == ["discussed"]
    assert db.session.get(Proposal, target.id).estimated_cost == 4_500_000
