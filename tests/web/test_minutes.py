"""Town-hall minutes: a decision per agenda proposal, publication that changes the proposals (all
or nothing), corrections, action items, and a proposal raised at the meeting."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Proposal
from app.notifications.models import Notification
from meetings import minutes
from meetings.models import ActionItem, Meeting

from .conftest import make_user
from .test_meetings import count, schedule
from .test_proposals import EN, propose


@pytest.fixture
def held_meeting(client, users, okrug, open_process, log_in):
    """A meeting with two proposals on the agenda that has just started."""
    log_in(users["resident"])
    playground = propose(client, open_process)
    lighting = propose(client, open_process, title="Lighting on Sygnaq street")
    client.post("/auth/logout")
    supporter = make_user(home=okrug)
    log_in(supporter)
    client.post(f"/proposals/{playground.id}/support")
    client.post("/auth/logout")
    attendee = make_user(home=okrug)
    log_in(users["deputy"])
    meeting = schedule(client, okrug, proposal_ids=[playground.id, lighting.id], free_items="Snow removal")
    client.post("/auth/logout")
    log_in(attendee)
    client.post(f"/meetings/{meeting.id}/register")
    client.post("/auth/logout")
    meeting.starts_at = datetime.now(UTC) - timedelta(hours=1)
    meeting.ends_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    return {"meeting": meeting, "playground": playground, "lighting": lighting, "supporter": supporter,
            "attendee": attendee}


def minutes_form(held, users, **extra):
    items = {i.proposal_id: i.id for i in held["meeting"].agenda if i.proposal_id}
    data = {"attendance_count": "42", "attended": [str(held["attendee"].id)], "summary": "Residents spoke.",
            f"decision-{items[held['playground'].id]}": "amended", f"cost-{items[held['playground'].id]}": "9500000",
            f"note-{items[held['playground'].id]}": "Smaller playground, same courtyard",
            f"decision-{items[held['lighting'].id]}": "endorsed",
            "action_rows": "1", "what-0": "Ask the akimat for a survey", "owner-0": str(users["akimat"].id),
            "due-0": (date.today() + timedelta(days=14)).isoformat(), "publish": "1"}
    data.update(extra)
    return data


def test_publishing_minutes_updates_every_discussed_proposal_and_notifies_the_right_people(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    response = client.post(f"/meetings/{held['meeting'].id}/minutes", data=minutes_form(held, users))
    assert response.status_code == 302
    db.session.expire_all()
    playground = db.session.get(Proposal, held["playground"].id)
    assert playground.estimated_cost == 9_500_000
    assert playground.events[-1].kind == "discussed" and playground.events[-1].data["decision"] == "amended"
    lighting = db.session.get(Proposal, held["lighting"].id)
    assert lighting.events[-1].data["decision"] == "endorsed"
    notified = set(db.session.scalars(select(Notification.user_id).where(Notification.detail == "minutes")))
    assert notified == {users["resident"].id, held["supporter"].id, held["attendee"].id}
    assert db.session.scalar(select(ActionItem.what)) == "Ask the akimat for a survey"
    page = client.get(f"/proposals/{playground.id}", headers=EN).get_data(as_text=True)
    assert "Discussed at Meeting with residents of okrug 7" in page and "amended" in page
    assert "Smaller playground" in page


def test_minutes_need_a_decision_for_every_proposal_and_change_nothing_otherwise(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    items = {i.proposal_id: i.id for i in held["meeting"].agenda if i.proposal_id}
    data = minutes_form(held, users, **{f"decision-{items[held['lighting'].id]}": ""})
    response = client.post(f"/meetings/{held['meeting'].id}/minutes", data=data, headers=EN, follow_redirects=True)
    assert "Record a decision for every proposal" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Proposal, held["playground"].id).estimated_cost == 12_000_000
    assert db.session.get(Meeting, held["meeting"].id).minutes_published_at is None
    assert count(Notification) == 0


def test_publishing_is_all_or_nothing(client, users, held_meeting, log_in, monkeypatch):
    held = held_meeting
    calls = []

    def failing(proposal, *args, **kwargs):
        calls.append(proposal.id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(proposal, *args, **kwargs)

    from app.proposals import services as proposal_service

    original = proposal_service.record_discussion
    monkeypatch.setattr(proposal_service, "record_discussion", failing)
    log_in(users["deputy"])
    meeting = db.session.get(Meeting, held["meeting"].id)
    minutes.save_minutes(meeting, users["deputy"], attendance_count=10, attended_user_ids=[], summary="s",
                          decisions={i.id: {"decision": "endorsed"} for i in meeting.agenda if i.proposal_id},
                          action_items=[])
    with pytest.raises(RuntimeError):
        minutes.publish_minutes(meeting, users["deputy"])
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).minutes_published_at is None
    kinds = set(db.session.scalars(select(Proposal).where(Proposal.id == held["playground"].id)).one().events)
    assert all(e.kind != "discussed" for e in kinds)
    assert count(Notification) == 0


def test_another_okrugs_deputy_cannot_write_the_minutes(client, users, areas, held_meeting, log_in):
    held = held_meeting
    stranger = make_user(home=areas["Almaty district / okrug 1"], role="deputy", area=areas["Almaty district / okrug 2"])
    log_in(stranger)
    assert client.post(f"/meetings/{held['meeting'].id}/minutes", data=minutes_form(held, users)).status_code == 403
    assert client.get(f"/meetings/{held['meeting'].id}/minutes").status_code == 403
    db.session.expire_all()
    assert db.session.get(Meeting, held["meeting"].id).minutes_published_at is None


def test_published_minutes_are_not_edited_but_corrected(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    client.post(f"/meetings/{held['meeting'].id}/minutes", data=minutes_form(held, users))
    again = client.post(f"/meetings/{held['meeting'].id}/minutes",
                        data=minutes_form(held, users, summary="Rewritten history"), headers=EN, follow_redirects=True)
    assert "append a correction" in again.get_data(as_text=True)
    client.post(f"/meetings/{held['meeting'].id}/corrections", data={"text": "Attendance was 44, not 42.",
                                                                      "proposal_ids": [held["lighting"].id]})
    db.session.expire_all()
    meeting = db.session.get(Meeting, held["meeting"].id)
    assert meeting.summary == "Residents spoke." and meeting.corrections[0].text == "Attendance was 44, not 42."
    assert db.session.get(Proposal, held["lighting"].id).events[-1].kind == "minutes_corrected"


def test_deputy_raises_a_proposal_on_behalf_of_the_meeting(client, users, held_meeting, open_process, log_in):
    log_in(users["deputy"])
    response = client.post(f"/meetings/{held_meeting['meeting'].id}/raise", data={
        "budget_id": open_process.budgets[0].id, "title": "Bus shelter at the school",
        "description": "Residents asked for a bus shelter at the school stop, it is cold in winter.",
        "category_id": 0, "address": "School No. 54 stop", "estimated_cost": 4_000_000})
    assert response.status_code == 302
    raised = db.session.scalar(select(Proposal).where(Proposal.title == "Bus shelter at the school"))
    assert raised.status == "submitted" and raised.events[0].kind == "raised_at_meeting"
    client.post("/auth/logout")
    log_in(users["resident"])
    assert client.get(f"/meetings/{held_meeting['meeting'].id}/raise").status_code == 403


def test_overdue_action_items_are_flagged_for_the_akimat(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    client.post(f"/meetings/{held['meeting'].id}/minutes",
                data=minutes_form(held, users, **{"due-0": (date.today() - timedelta(days=3)).isoformat()}))
    client.post("/auth/logout")
    log_in(users["akimat"])
    assert "Ask the akimat for a survey" in client.get("/action-items/overdue", headers=EN).get_data(as_text=True)
    client.post("/auth/logout")
    log_in(users["resident"])
    assert client.get("/action-items/overdue").status_code == 403
    deputy_page = client.get(f"/deputies/{users['deputy'].id}", headers=EN).get_data(as_text=True)
    assert "Meetings held" in deputy_page


def test_only_owners_or_hosts_change_action_items_and_only_hosts_correct_minutes(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    client.post(f"/meetings/{held['meeting'].id}/minutes", data=minutes_form(held, users))
    client.post("/auth/logout")
    item = db.session.scalar(select(ActionItem))
    log_in(users["resident"])
    client.post(f"/action-items/{item.id}/status", data={"status": "done"})
    client.post(f"/meetings/{held['meeting'].id}/corrections", data={"text": "Residents rewrite history"})
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).status == "open"
    assert db.session.get(Meeting, held["meeting"].id).corrections == []
    client.post("/auth/logout")
    log_in(users["akimat"])  # the item's owner
    client.post(f"/action-items/{item.id}/status", data={"status": "done"})
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).status == "done"


def test_the_meeting_page_offers_the_action_item_status_to_its_owner_and_hosts_only(client, users, held_meeting,
                                                                                      log_in):
    held = held_meeting
    log_in(users["deputy"])
    client.post(f"/meetings/{held['meeting'].id}/minutes", data=minutes_form(held, users))
    item = db.session.scalar(select(ActionItem))
    form = f'action="/action-items/{item.id}/status"'
    assert form in client.get(f"/meetings/{held['meeting'].id}").get_data(as_text=True)  # a host
    client.post("/auth/logout")
    log_in(users["resident"])
    assert form not in client.get(f"/meetings/{held['meeting'].id}").get_data(as_text=True)
    client.post("/auth/logout")
    log_in(users["akimat"])  # the owner: marks it done from the page, and the page says so
    page = client.get(f"/meetings/{held['meeting'].id}", headers=EN).get_data(as_text=True)
    assert form in page and f'id="action-status-{item.id}"' in page
    client.post(f"/action-items/{item.id}/status", data={"status": "done"},
                headers={"Referer": f"http://localhost/meetings/{held['meeting'].id}"})
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).status == "done"
    page = client.get(f"/meetings/{held['meeting'].id}", headers=EN).get_data(as_text=True)
    assert '<option value="done" selected>' in page


def test_minutes_cannot_amend_a_project_while_it_is_being_voted_on(client, users, held_meeting, open_process,
                                                                     log_in):
    from app.models import PhaseKind

    from .conftest import move_to_phase

    held = held_meeting
    playground = db.session.get(Proposal, held["playground"].id)
    playground.status = "on_ballot"
    db.session.commit()
    move_to_phase(open_process, PhaseKind.VOTING)
    before = (playground.estimated_cost, playground.final_cost, playground.title)
    log_in(users["deputy"])
    response = client.post(f"/meetings/{held['meeting'].id}/minutes", data=minutes_form(held, users), headers=EN,
                           follow_redirects=True)
    assert "The ballot is fixed once voting has started." in response.get_data(as_text=True)
    db.session.expire_all()
    playground = db.session.get(Proposal, held["playground"].id)
    assert (playground.estimated_cost, playground.final_cost, playground.title) == before
    assert db.session.get(Meeting, held["meeting"].id).minutes_published_at is None
    # Endorsing it (no amendment) is still recorded.
    response = client.post(f"/meetings/{held['meeting'].id}/minutes", headers=EN, data=minutes_form(
        held, users, **{f"decision-{next(i.id for i in held['meeting'].agenda if i.proposal_id == playground.id)}":
                        "endorsed"}))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, held["meeting"].id).minutes_published_at is not None
    assert db.session.get(Proposal, playground.id).estimated_cost == before[0]
