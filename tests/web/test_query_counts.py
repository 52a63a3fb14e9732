"""No page runs a statement per row: each page's number of SQL statements is the same with a
few rows and with several times more (eager loading or SQL aggregates), and its lists are paged."""
from datetime import date, timedelta

import pytest

from app.core import audit
from app.core.clock import utcnow
from app.core.markdown import render_markdown
from app.extensions import db
from app.models import (
    Comment,
    Implementation,
    Milestone,
    Proposal,
    ProposalEvent,
    Report,
    Support,
)
from app.notifications.models import Notification
from meetings.models import ActionItem, AgendaItem, Meeting, MinutesCorrection, Registration

from . import query_counter
from .conftest import make_user
from .test_voting import EN

SMALL, LARGE = 2, 7


def proposals(process, n, *, author, status="submitted", area=None):
    budget = process.budgets[0]
    made = []
    for i in range(n):
        p = Proposal(process=process, budget=budget, area=area or budget.area, author=author,
                     category=process.categories[i % len(process.categories)], title=f"Project {i}",
                     description="A project", description_html=render_markdown("A project"), address="Esil",
                     estimated_cost=1_000_000 + i, status=status, submitted_at=utcnow())
        db.session.add(p)
        made.append(p)
    db.session.commit()
    return made


def residents(areas, n):
    return [make_user(home=areas["Esil district / okrug 9"]) for _ in range(n)]


def same_count_with_more_rows(client, path, add_rows, **kwargs):
    add_rows(SMALL)
    few = query_counter.count_for(client, path, **kwargs)
    add_rows(LARGE)
    many = query_counter.count_for(client, path, **kwargs)
    assert few == many, f"{path}: {few} statements with fewer rows, {many} with more"


@pytest.fixture
def past_meeting(users, okrug):
    meeting = Meeting(area=okrug, host=users["deputy"], title="Town hall", description="", description_html="",
                      starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=3, hours=-2),
                      attendance_count=10, summary="Met", summary_html="<p>Met</p>",
                      minutes_published_at=utcnow() - timedelta(days=2))
    db.session.add(meeting)
    db.session.commit()
    return meeting


def test_the_meeting_page_of_its_host(client, users, areas, open_process, past_meeting, log_in):
    def add(n):
        for person, proposal in zip(residents(areas, n), proposals(open_process, n, author=users["resident"])):
            db.session.add_all([
                Registration(meeting=past_meeting, user=person, status="registered"),
                AgendaItem(meeting=past_meeting, proposal=proposal, position=proposal.id, decision="endorsed",
                           note="Yes", decided_by=users["deputy"]),
                ActionItem(meeting=past_meeting, what="Check", owner=person, due_on=date.today() - timedelta(days=1)),
                MinutesCorrection(meeting=past_meeting, author=users["deputy"], text="A correction"),
            ])
        db.session.commit()

    log_in(users["deputy"])
    same_count_with_more_rows(client, f"/meetings/{past_meeting.id}", add, headers=EN)


def test_the_area_dashboard(client, users, areas, open_process, past_meeting):
    def add(n):
        for p in proposals(open_process, n, author=users["resident"], status="in_implementation"):
            db.session.add(Implementation(proposal_id=p.id, status="in_progress", progress=30, spent=100))
            db.session.add(Milestone(proposal_id=p.id, title="Design", starts_on=date.today() - timedelta(days=20),
                                     planned_on=date.today() - timedelta(days=2)))
        for person in residents(areas, n):
            db.session.add(ActionItem(meeting=past_meeting, what="Fix", owner=person,
                                      due_on=date.today() - timedelta(days=1)))
        db.session.commit()

    same_count_with_more_rows(client, f"/areas/{areas['Esil district'].id}/dashboard", add, headers=EN)


def test_my_participation_of_a_very_active_resident(client, users, areas, open_process, past_meeting, log_in):
    resident = users["resident"]

    def add(n):
        mine = proposals(open_process, n, author=resident)
        others = proposals(open_process, n, author=users["resident_elsewhere"])
        for p in others:
            db.session.add(Support(proposal_id=p.id, user_id=resident.id))
            db.session.add(Comment(proposal=p, author=resident, stance="for", body="Yes", body_html="<p>Yes</p>"))
        for p in mine + others:
            db.session.add(ProposalEvent(proposal=p, kind="submitted", actor=resident, actor_role="resident"))
        meeting = Meeting(area=past_meeting.area, host=users["deputy"], title="Another", starts_at=utcnow()
                          + timedelta(days=n), ends_at=utcnow() + timedelta(days=n, hours=2))
        db.session.add(Registration(meeting=meeting, user=resident))
        db.session.commit()

    log_in(resident)
    same_count_with_more_rows(client, "/me", add, headers=EN)


def test_the_notification_list(client, users, areas, open_process, past_meeting, log_in):
    resident = users["resident"]

    def add(n):
        for p in proposals(open_process, n, author=users["resident_elsewhere"]):
            event = ProposalEvent(proposal=p, kind="submitted", actor=users["resident_elsewhere"], actor_role="resident")
            db.session.add(Notification(user_id=resident.id, kind="status_change", proposal=p, event=event))
            db.session.add(Notification(user_id=resident.id, kind="meeting", subject_kind="meeting",
                                        subject_id=past_meeting.id, detail="reminder"))
        db.session.commit()

    log_in(resident)
    same_count_with_more_rows(client, "/notifications", add, headers=EN)


def test_the_audit_log(client, users, areas, log_in):
    def add(n):
        for official in [make_user(home=areas["Esil district"], role="akimat", area=areas["Esil district"])
                         for _ in range(n)]:
            audit.record(official, "update", "budgets", str(official.id), {"amount": [1, 2]})
        db.session.commit()

    log_in(users["admin"])
    same_count_with_more_rows(client, "/admin/audit", add, headers=EN)


def test_the_moderation_queue(client, users, areas, open_process, log_in):
    def add(n):
        for person, p in zip(residents(areas, n), proposals(open_process, n, author=users["resident_elsewhere"])):
            comment = Comment(proposal=p, author=person, stance="for", body="Rude", body_html="<p>Rude</p>")
            db.session.add_all([comment, Report(proposal=p, reporter=person, reason="Spam"),
                                Report(proposal=p, comment=comment, reporter=person, reason="Rude")])
        db.session.commit()

    log_in(users["moderator"])
    same_count_with_more_rows(client, "/moderation", add, headers=EN)


@pytest.mark.parametrize("path", ["/api/v1/proposals", "/api/v1/budgets", "/api/v1/processes", "/api/v1/meetings",
                                  "/api/v1/processes/{process}/export/proposals.json",
                                  "/api/v1/processes/{process}/export/implementation.csv"])
def test_the_api_lists(client, users, areas, open_process, past_meeting, path):
    from app.models import Budget, Process

    def add(n):
        for p in proposals(open_process, n, author=users["resident"], status="in_implementation"):
            db.session.add(Implementation(proposal_id=p.id, status="in_progress", progress=30, spent=100))
        for i in range(n):
            process = Process(area=areas["Astana"], year=2000 + len(areas) + i + n * 10, title_kk="П", title_ru="П",
                              title_en="P")
            db.session.add(process)
            db.session.add(Budget(process=process, area=areas["Esil district"], name_kk="Б", name_ru="Б",
                                  name_en="B", amount=1_000_000))
            db.session.add(Meeting(area=past_meeting.area, host=users["deputy"], title=f"Meeting {n} {i}",
                                   starts_at=utcnow() + timedelta(days=i + n), ends_at=utcnow()
                                   + timedelta(days=i + n, hours=2)))
        db.session.commit()

    same_count_with_more_rows(client, path.format(process=open_process.id), add)
