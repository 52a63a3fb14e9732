"""Town halls: scheduling rules, registration and waitlist, reminders, minutes and calendars."""
import contextvars
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Proposal
from app.notifications.models import Notification, OutboxEmail
from meetings import minutes, services
from meetings.models import ActionItem, Meeting, Registration

from .conftest import make_user
from .test_proposals import EN, propose

TOMORROW = date.today() + timedelta(days=2)


def meeting_form(area, **overrides):
    data = {"area_id": area.id, "title": "Meeting with residents of okrug 7", "description": "Courtyards",
            "kind": "in_person", "venue": "School No. 54, assembly hall", "address": "Kabanbay Batyr 40",
            "day": TOMORROW.isoformat(), "starts": "18:00", "ends": "20:00", "capacity": ""}
    data.update(overrides)
    return data


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def okrug(areas):
    return areas["Esil district / okrug 7"]


def schedule(client, area, **overrides) -> Meeting:
    response = client.post("/meetings/new", data=meeting_form(area, **overrides), headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return db.session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()


def test_deputy_schedules_in_almaty_time_stored_in_utc(client, users, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug)
    assert meeting.starts_at == datetime.combine(TOMORROW, datetime.min.time(), tzinfo=UTC) + timedelta(hours=13)
    assert meeting.host_id == users["deputy"].id


@pytest.mark.parametrize("overrides, message", [
    ({"day": (date.today() - timedelta(days=1)).isoformat()}, "cannot start in the past"),
    ({"ends": "17:00"}, "must end after it starts"),
    ({"venue": ""}, "Give the venue"),
    ({"kind": "online", "online_link": ""}, "Give the link"),
    ({"kind": "online", "online_link": "zoom"}, "A link starts with https:// or http://"),
])
def test_bad_schedules_are_refused_with_a_message_and_nothing_stored(client, users, okrug, log_in, overrides, message):
    log_in(users["deputy"])
    response = client.post("/meetings/new", data=meeting_form(okrug, **overrides), headers=EN)
    assert message in response.get_data(as_text=True)
    assert count(Meeting) == 0


def test_clash_with_same_deputy_or_venue_is_refused_naming_the_other_meeting(client, users, areas, okrug, log_in):
    log_in(users["deputy"])
    schedule(client, okrug, title="First meeting of the week")
    clash = client.post("/meetings/new", data=meeting_form(okrug, starts="19:00", ends="21:00", venue="Library"),
                        headers=EN)
    assert "clashes with «First meeting of the week»" in clash.get_data(as_text=True)
    client.post("/auth/logout")
    other_deputy = make_user(home=okrug, role="deputy", area=areas["Esil district / okrug 8"])
    log_in(other_deputy)
    same_venue = client.post("/meetings/new", data=meeting_form(areas["Esil district / okrug 8"], starts="19:30",
                                                                ends="20:30", venue="school no. 54,  Assembly hall"),
                             headers=EN)
    assert "clashes with" in same_venue.get_data(as_text=True)
    assert count(Meeting) == 1
    schedule(client, areas["Esil district / okrug 8"], starts="20:00", ends="21:00")  # right after: fine
    assert count(Meeting) == 2


@pytest.mark.parametrize("who", ["resident", "moderator"])
def test_people_without_the_role_cannot_schedule(client, users, okrug, log_in, who):
    log_in(users[who])
    assert client.post("/meetings/new", data=meeting_form(okrug)).status_code == 403
    assert count(Meeting) == 0


def test_deputy_cannot_schedule_in_another_okrug(client, users, areas, log_in):
    log_in(users["deputy"])
    response = client.post("/meetings/new", data=meeting_form(areas["Almaty district / okrug 1"]), headers=EN)
    assert response.status_code == 200 and count(Meeting) == 0


def test_registration_waitlist_and_promotion_in_order(client, users, areas, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug, capacity="1")
    client.post("/auth/logout")
    first, second, third = (make_user(home=okrug) for _ in range(3))
    for person in (first, second, third):
        log_in(person)
        client.post(f"/meetings/{meeting.id}/register")
        client.post("/auth/logout")
    statuses = {r.user_id: r.status for r in db.session.scalars(select(Registration))}
    assert statuses == {first.id: "registered", second.id: "waitlisted", third.id: "waitlisted"}
    log_in(second)
    twice = client.post(f"/meetings/{meeting.id}/register", headers=EN, follow_redirects=True)
    assert "already registered" in twice.get_data(as_text=True)
    client.post("/auth/logout")
    log_in(first)
    client.post(f"/meetings/{meeting.id}/unregister")
    db.session.expire_all()
    statuses = {r.user_id: r.status for r in db.session.scalars(select(Registration))}
    assert statuses[second.id] == "registered" and statuses[third.id] == "waitlisted"
    promoted = db.session.scalars(select(Notification).where(Notification.detail == "promoted")).all()
    assert [n.user_id for n in promoted] == [second.id]


def test_registration_closes_when_the_meeting_starts(client, users, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug)
    meeting.starts_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    client.post("/auth/logout")
    log_in(users["resident"])
    response = client.post(f"/meetings/{meeting.id}/register", headers=EN, follow_redirects=True)
    assert "Registration closed" in response.get_data(as_text=True)
    assert count(Registration) == 0


def test_anonymous_sees_the_meeting_but_must_log_in_to_register(client, users, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug)
    client.post("/auth/logout")
    page = client.get(f"/meetings/{meeting.id}", headers=EN).get_data(as_text=True)
    assert "Meeting with residents of okrug 7" in page and "Log in to register" in page
    assert "/auth/login" in client.post(f"/meetings/{meeting.id}/register").headers["Location"]


def test_reschedule_and_cancel_notify_registrants_with_the_reason(client, users, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug)
    client.post("/auth/logout")
    log_in(users["resident"])
    client.post(f"/meetings/{meeting.id}/register")
    client.post("/auth/logout")
    log_in(users["deputy"])
    no_reason = client.post(f"/meetings/{meeting.id}/edit", data=meeting_form(okrug, starts="17:00"), headers=EN)
    assert "Give the reason" in no_reason.get_data(as_text=True)
    client.post(f"/meetings/{meeting.id}/edit", data=meeting_form(okrug, starts="17:00", reason="The hall is busy at 18"))
    client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "The school closed for repairs"})
    details = list(db.session.scalars(select(Notification.detail).where(Notification.user_id == users["resident"].id)
                                      .order_by(Notification.id)))
    assert details == ["rescheduled", "cancelled"]
    page = client.get(f"/meetings/{meeting.id}", headers=EN).get_data(as_text=True)
    assert "Cancelled: The school closed for repairs" in page


def test_reminders_go_once_to_registrants_of_meetings_within_a_day(app, client, users, okrug, log_in):
    log_in(users["deputy"])
    soon = schedule(client, okrug)
    later = schedule(client, okrug, day=(date.today() + timedelta(days=5)).isoformat())
    client.post("/auth/logout")
    log_in(users["resident"])
    for m in (soon, later):
        client.post(f"/meetings/{m.id}/register")
    now = soon.starts_at - timedelta(hours=20)
    assert services.send_reminders(now) == 1
    assert services.send_reminders(now) == 0  # idempotent
    runner = app.test_cli_runner()
    assert "Reminded 0" in runner.invoke(args=["send-reminders"]).output
    assert count(Notification) == 1



def test_registrants_who_chose_email_get_the_meeting_news_by_email_in_their_language(app, client, users, okrug,
                                                                                      log_in, monkeypatch):
    """Meeting notifications are emailed like every other kind: a change, and the cron reminder
    (from a command, where no request tells the site's address: the link is then the path)."""
    log_in(users["deputy"])
    meeting = schedule(client, okrug)
    client.post("/auth/logout")
    reader = make_user(home=okrug, locale="ru")
    log_in(reader)
    client.post(f"/meetings/{meeting.id}/register")
    client.post("/notifications/settings", data={"meetings-in_app": "y", "meetings-email": "y"})
    client.post("/auth/logout")
    log_in(users["deputy"])
    client.post(f"/meetings/{meeting.id}/edit", data=meeting_form(okrug, starts="17:00", reason="The hall is busy"))
    moved = db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == reader.email)).one()
    assert "Meeting with residents of okrug 7" in moved.body and "встреча перенесена" in moved.body.lower() \
        and f"/meetings/{meeting.id}" in moved.body
    monkeypatch.setitem(app.config, "SERVER_NAME", None)

    def cron():  # as `flask send-reminders` runs: an app context and no request
        with app.app_context():
            services.send_reminders(meeting.starts_at - timedelta(hours=3))

    contextvars.Context().run(cron)
    reminder = db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == reader.email)
                                  .order_by(OutboxEmail.id.desc())).first()
    assert reminder.id != moved.id and reminder.body.endswith(f"\n/meetings/{meeting.id}")


# --- minutes ----------------------------------------------------------------------------------

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
    client.post(f"/meetings/{held['meeting'].id}/corrections", data={"text": "Attendance was 44, not 42."})
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


# --- calendars --------------------------------------------------------------------------------

def test_ics_files_parse_and_carry_the_right_times_across_the_utc_offset(client, users, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug, starts="02:30", ends="04:00")  # 02:30 Almaty = 21:30 UTC the day before
    client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Nobody can come at night"})
    other = schedule(client, okrug, day=(TOMORROW + timedelta(days=1)).isoformat())
    single = icalendar.Calendar.from_ical(client.get(f"/meetings/{meeting.id}.ics").get_data())
    event = next(iter(single.walk("VEVENT")))
    start = event.decoded("dtstart")
    assert start == datetime.combine(TOMORROW - timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=21, minutes=30)
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1
    feed = icalendar.Calendar.from_ical(client.get(f"/areas/{okrug.id}/meetings.ics").get_data())
    uids = [str(e["uid"]) for e in feed.walk("VEVENT")]
    assert uids == [f"meeting-{meeting.id}@localhost", f"meeting-{other.id}@localhost"]
    again = icalendar.Calendar.from_ical(client.get(f"/areas/{okrug.id}/meetings.ics").get_data())
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == uids  # stable


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


def test_only_discussable_proposals_go_on_an_agenda_so_a_draft_stays_private(client, users, okrug, open_process,
                                                                              log_in):
    """The form offers the area's open proposals; a crafted request naming a private draft (or a
    withdrawn proposal) is refused, so the draft's title is not published on the meeting page
    and its author's text cannot be amended by the minutes."""
    log_in(users["resident"])
    draft = propose(client, open_process, title="My private draft about the yard", submit="", save_draft="Save")
    withdrawn = propose(client, open_process, title="Withdrawn lighting idea")
    client.post(f"/proposals/{withdrawn.id}/withdraw", data={"reason": "Changed my mind"})
    open_one = propose(client, open_process, title="Open playground idea")
    client.post("/auth/logout")
    log_in(users["deputy"])
    for proposal in (draft, withdrawn):
        response = client.post("/meetings/new", data=meeting_form(okrug, proposal_ids=[proposal.id]), headers=EN)
        assert response.status_code == 200
        assert "Agenda proposals must belong to the meeting" in response.get_data(as_text=True)
        assert count(Meeting) == 0
    meeting = schedule(client, okrug, proposal_ids=[open_one.id])
    # Once on the agenda, a proposal stays there when the meeting is edited, whatever happens to it.
    db.session.get(Proposal, open_one.id).status = "withdrawn"
    db.session.commit()
    response = client.post(f"/meetings/{meeting.id}/edit", headers=EN, data=meeting_form(
        okrug, proposal_ids=[open_one.id], title="Meeting with residents, new room", reason="A bigger room"))
    assert response.status_code == 302
    client.post("/auth/logout")
    page = client.get(f"/meetings/{meeting.id}", headers=EN).get_data(as_text=True)
    assert "Open playground idea" in page and "My private draft" not in page


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
