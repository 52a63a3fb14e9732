"""What a resident reaches says what they did and links only to pages that exist (issue #19):
/me lists comments, waitlist places and every vote with its budget; no link to results before
they are published; the area dashboard is linked; "useful" shows it was clicked; /favicon.ico."""
from sqlalchemy import select

from app.extensions import db
from app.models import Comment

from .conftest import make_user
from .test_discussion import comment_on, neighbour, proposal  # noqa: F401 (fixtures)
from .test_meetings import schedule
from .test_proposals import EN
from .test_voting import start, vote


def test_me_lists_my_comments_and_my_waitlist_place(client, users, okrug, proposal, neighbour, log_in):  # noqa: F811
    log_in(users["deputy"])
    meeting = schedule(client, okrug, capacity="1")
    client.post("/auth/logout")
    first = make_user(home=okrug)
    log_in(first)
    client.post(f"/meetings/{meeting.id}/register")
    client.post("/auth/logout")
    log_in(neighbour)
    comment_on(client, proposal, "The swings are broken since spring", stance="neutral")
    client.post(f"/meetings/{meeting.id}/register")
    page = client.get("/me", headers=EN).get_data(as_text=True)
    comment = db.session.scalar(select(Comment))
    assert f'#comment-{comment.id}"' in page and "Neutral" in page
    assert "on the waitlist, number 1" in page


def test_my_vote_names_its_budget_and_links_results_only_once_published(client, users, ballot, log_in):
    budget, projects = ballot
    start(budget)
    log_in(users["resident"])
    vote(client, budget, projects[:1])
    page = client.get("/me", headers=EN).get_data(as_text=True)
    assert f"You voted on {budget.name_en} — {budget.process.title_en}" in page
    assert f"/budgets/{budget.id}/results" not in page and "the results are not published yet" in page


def test_useful_shows_it_was_clicked(client, users, proposal, neighbour, log_in):  # noqa: F811
    log_in(neighbour)
    comment_on(client, proposal)
    comment = db.session.scalar(select(Comment))
    client.post("/auth/logout")
    log_in(users["resident"])
    assert "You found this useful" not in client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    client.post(f"/comments/{comment.id}/useful")
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "You found this useful" in page and f"/comments/{comment.id}/useful" not in page


def test_the_area_dashboard_is_linked_from_a_proposal(client, proposal):  # noqa: F811
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert f"/areas/{proposal.budget.area_id}/dashboard" in page


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"
