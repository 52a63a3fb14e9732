"""Town halls: scheduling rules, registration and waitlist, reminders and calendars (the minutes:
test_minutes.py)."""
import contextvars
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Proposal
from app.notifications.models import Notification, OutboxEmail
from meetings import services
from meetings.models import Meeting, Registration

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
