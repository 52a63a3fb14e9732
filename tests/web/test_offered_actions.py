"""A page offers only what this visitor can do now; otherwise one short line says when and who can
(issue #19: the support button in review, "Propose" with no budget open, "registered" said to
someone on a waitlist)."""
from sqlalchemy import select

from app.extensions import db
from app.models import PhaseKind
from meetings.models import Registration

from .conftest import make_user, move_to_phase
from .test_meetings import schedule
from .test_proposals import EN, proposal  # noqa: F401 (a fixture)

SUPPORT_BUTTON = "/support\""


def test_a_neighbour_sees_the_support_button_and_until_when(client, areas, proposal, log_in):  # noqa: F811
    log_in(make_user(home=areas["Esil district / okrug 8"]))
    html = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert SUPPORT_BUTTON in html
    assert "Supports are collected until" in html


def test_no_support_button_outside_the_proposals_phase_but_a_line_why(client, areas, open_process, proposal,  # noqa: F811
                                                                      log_in):
    move_to_phase(open_process, PhaseKind.REVIEW)
    log_in(make_user(home=areas["Esil district / okrug 8"]))
    html = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert SUPPORT_BUTTON not in html
    assert "Supports were collected only during the proposals phase" in html


def test_no_support_button_for_another_district_but_who_can(client, users, proposal, log_in):  # noqa: F811
    log_in(users["resident_elsewhere"])
    html = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert SUPPORT_BUTTON not in html
    assert "Only residents of" in html and "until" in html


def test_the_author_sees_no_support_button_and_withdrawing_is_folded_away(client, users, proposal, log_in):  # noqa: F811
    log_in(users["resident"])
    html = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert SUPPORT_BUTTON not in html and "authors cannot support their own" in html
    folded = html[html.index('<details class="withdraw">'):]
    assert folded.index("/withdraw") < folded.index("</details>")


def test_propose_is_offered_only_when_a_budget_of_the_area_takes_proposals(client, users, open_process, log_in):
    log_in(users["resident"])
    assert 'href="/proposals/new"' in client.get("/proposals", headers=EN).get_data(as_text=True)
    move_to_phase(open_process, PhaseKind.REVIEW)
    html = client.get("/proposals", headers=EN).get_data(as_text=True)
    assert 'href="/proposals/new"' not in html
    assert "No participatory budget of your area takes proposals now" in html


def test_someone_on_the_waitlist_is_told_so_not_that_they_are_registered(client, users, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug, capacity="1")
    client.post("/auth/logout")
    first, second = make_user(home=okrug), make_user(home=okrug)
    log_in(first)
    said = client.post(f"/meetings/{meeting.id}/register", headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "You are registered." in said
    client.post("/auth/logout")
    log_in(second)
    said = client.post(f"/meetings/{meeting.id}/register", headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "you are on the waitlist, number 1" in said and "You are registered." not in said
    assert db.session.scalar(select(Registration.status).where(Registration.user_id == second.id)) == "waitlisted"
