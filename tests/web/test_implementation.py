"""Implementation tracking, following a budget, the area dashboard and "my participation"."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Ballot, BudgetFollow, Implementation, ImplementationUpdate, Milestone, Proposal
from app.notifications.models import Notification

from .conftest import count_votes, make_user
from .test_proposals import EN
from .test_voting import start, vote


@pytest.fixture
def funded(client, users, areas, ballot, log_in):
    """A counted and published budget; returns (funded proposal, the voter who followed the budget
    from the receipt page)."""
    budget, projects = ballot
    follower = make_user(home=areas["Esil district / okrug 8"])
    start(budget)
    log_in(follower)
    vote(client, budget, projects[:1])
    client.post(f"/budgets/{budget.id}/follow")
    client.post("/auth/logout")
    count_votes(budget, users["akimat"], publish=True)
    return db.session.get(Proposal, projects[0].id), follower


def test_following_a_budget_says_nothing_about_the_ballot(client, areas, funded, log_in):
    proposal, follower = funded
    follows = db.session.scalars(select(BudgetFollow)).all()
    assert [(f.user_id, f.budget_id) for f in follows] == [(follower.id, proposal.budget_id)]
    assert {c.name for c in BudgetFollow.__table__.columns} == {"id", "budget_id", "user_id"}
    assert "user" not in " ".join(c.name for c in Ballot.__table__.columns)
    # Anyone may follow, voter or not, and following twice is still once.
    bystander = make_user(home=areas["Almaty district / okrug 1"])
    log_in(bystander)
    client.post(f"/budgets/{proposal.budget_id}/follow")
    client.post(f"/budgets/{proposal.budget_id}/follow")
    assert db.session.scalar(select(func.count()).select_from(BudgetFollow)) == 2


def test_akimat_reports_progress_and_followers_hear_about_it(client, users, funded, log_in):
    proposal, follower = funded
    log_in(users["akimat"])
    response = client.post(f"/proposals/{proposal.id}/implementation",
                           data={"what": "report", "status": "in_progress", "progress": "60", "spent": "25000000",
                                 "note": "Frames installed"})
    assert response.status_code == 302
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert proposal.status == "in_implementation"
    assert (proposal.implementation.progress, proposal.implementation.spent) == (60, 25_000_000)
    event = proposal.events[-1]
    assert event.kind == "implementation" and event.data == {"status": "in_progress", "progress": 60}
    notified = set(db.session.scalars(select(Notification.user_id).where(Notification.event_id == event.id)))
    assert follower.id in notified and users["resident"].id in notified
    client.post("/auth/logout")
    log_in(follower)
    mine = client.get("/me", headers=EN).get_data(as_text=True)
    assert "Implementation: in progress, 60% done" in mine
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "60% done" in page and "Spent 25,000,000 ₸ of 40,000,000 ₸ allocated" in page



def test_each_report_that_moves_the_project_is_the_event_of_that_move(client, users, funded, log_in):
    """Funded -> being built -> completed, each change through the proposal's one door (transition):
    one timeline event per report, the change and the report in it; a first report may already say
    the project is finished."""
    proposal, _ = funded
    log_in(users["akimat"])
    before = len(proposal.events)

    def report(status, progress):
        client.post(f"/proposals/{proposal.id}/implementation",
                    data={"what": "report", "status": status, "progress": progress, "spent": "0"})
        db.session.expire_all()
        moved = db.session.get(Proposal, proposal.id)
        return moved.status, [(e.kind, e.data["status"]) for e in moved.events[before:]]

    assert report("procurement", "5") == ("in_implementation", [("implementation", "procurement")])
    assert report("completed", "100") == ("completed", [("implementation", "procurement"),
                                                        ("implementation", "completed")])


def test_a_first_report_that_says_finished_completes_the_project_in_one_event(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    before = len(proposal.events)
    client.post(f"/proposals/{proposal.id}/implementation",
                data={"what": "report", "status": "completed", "progress": "100", "spent": "40000000"})
    db.session.expire_all()
    done = db.session.get(Proposal, proposal.id)
    assert done.status == "completed" and [e.kind for e in done.events[before:]] == ["implementation"]

@pytest.mark.parametrize("data, message", [
    ({"progress": "120", "spent": "0"}, "from 0 to 100"),
    ({"progress": "-1", "spent": "0"}, "from 0 to 100"),
    ({"progress": "10", "spent": "-5"}, "Enter the amount in whole tenge"),
    ({"progress": "x", "spent": "0"}, "from 0 to 100"),
    ({"progress": "10", "spent": "0", "status": "cancelled", "note": "no"}, "Explain why"),
    ({"progress": "90", "spent": "0", "status": "completed"}, "set the progress to 100"),
])
def test_bad_reports_are_refused_and_nothing_stored(client, users, funded, log_in, data, message):
    proposal, _ = funded
    log_in(users["akimat"])
    response = client.post(f"/proposals/{proposal.id}/implementation",
                           data={"what": "report", "status": "in_progress", **data}, headers=EN)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImplementationUpdate)) == 0
    assert db.session.get(Implementation, proposal.id) is None


def test_milestone_dates_cannot_be_inverted(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    today = date.today()
    bad = client.post(f"/proposals/{proposal.id}/implementation", headers=EN, data={
        "what": "milestone", "title": "Foundation", "starts_on": today.isoformat(),
        "planned_on": (today - timedelta(days=3)).isoformat()})
    assert "cannot be due before it starts" in bad.get_data(as_text=True)
    client.post(f"/proposals/{proposal.id}/implementation", data={
        "what": "milestone", "title": "Foundation", "starts_on": (today - timedelta(days=30)).isoformat(),
        "planned_on": (today - timedelta(days=2)).isoformat()})
    milestone = db.session.scalar(select(Milestone))
    assert milestone.is_late()
    client.post(f"/milestones/{milestone.id}/done", data={"done_on": (today - timedelta(days=60)).isoformat()})
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).done_on is None


@pytest.mark.parametrize("who", ["resident", "akimat_elsewhere", "deputy", "moderator"])
def test_only_akimat_of_the_area_updates_implementation(client, users, funded, log_in, who):
    proposal, _ = funded
    log_in(users[who])
    response = client.post(f"/proposals/{proposal.id}/implementation",
                           data={"what": "report", "status": "in_progress", "progress": "50", "spent": "1"})
    assert response.status_code == 403
    assert db.session.get(Implementation, proposal.id) is None


def test_dashboard_shows_spent_against_allocated(client, users, areas, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    client.post(f"/proposals/{proposal.id}/implementation",
                data={"what": "report", "status": "procurement", "progress": "5", "spent": "1000000"})
    client.post("/auth/logout")
    page = client.get(f"/areas/{areas['Esil district'].id}/dashboard", headers=EN).get_data(as_text=True)
    assert "Spent 1,000,000 ₸ of" in page and "procurement" in page and "<svg" in page


def test_only_akimat_of_the_area_marks_milestones_done(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    today = date.today()
    client.post(f"/proposals/{proposal.id}/implementation", data={
        "what": "milestone", "title": "Foundation", "starts_on": today.isoformat(), "planned_on": today.isoformat()})
    milestone = db.session.scalar(select(Milestone))
    client.post("/auth/logout")
    for who in ("resident", "akimat_elsewhere"):
        log_in(users[who])
        assert client.post(f"/milestones/{milestone.id}/done", data={"done_on": today.isoformat()}).status_code == 403
        client.post("/auth/logout")
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).done_on is None


def test_a_project_hidden_by_a_moderator_keeps_its_title_off_every_public_page_and_file(client, users, areas, funded,
                                                                                       log_in):
    from datetime import UTC, datetime

    from meetings.models import AgendaItem, Meeting

    proposal, _ = funded
    proposal.title = "Phone 8 701 555 12 34 for the courtyard"  # say the title carried personal data
    meeting = Meeting(area=areas["Esil district / okrug 7"], host=users["deputy"], title="Courtyards",
                      starts_at=datetime.now(UTC) + timedelta(days=2), ends_at=datetime.now(UTC) + timedelta(days=2, hours=1),
                      venue="School No. 54")
    db.session.add(meeting)
    db.session.flush()
    db.session.add(AgendaItem(meeting_id=meeting.id, position=0, proposal_id=proposal.id))
    db.session.commit()
    budget, process = proposal.budget_id, proposal.process_id
    paths = [f"/meetings/{meeting.id}", f"/areas/{areas['Esil district'].id}/dashboard", f"/budgets/{budget}/results",
             f"/budgets/{budget}/results/protocol", f"/api/v1/budgets/{budget}/results",
             f"/api/v1/budgets/{budget}/results.csv", f"/api/v1/processes/{process}/export/results.csv",
             f"/api/v1/processes/{process}/export/implementation.json", f"/api/v1/processes/{process}/export/proposals.csv"]
    for path in paths:
        assert "8 701 555 12 34" in client.get(path, headers=EN).get_data(as_text=True), path  # shown until hidden
    log_in(users["moderator"])
    client.post(f"/proposals/{proposal.id}/hide", data={"reason": "Personal data in the title"})
    client.post("/auth/logout")
    for path in paths:
        response = client.get(path, headers=EN)
        assert response.status_code == 200, path
        assert "8 701 555 12 34" not in response.get_data(as_text=True), path
    assert client.get(f"/api/v1/budgets/{budget}/results").get_json()["projects"][str(proposal.id)]["title"] is None
    assert "Hidden by a moderator" in client.get(f"/budgets/{budget}/results", headers=EN).get_data(as_text=True)
