"""What the minutes leave behind (issue #18): the timeline says from what to what a proposal was
amended, a correction names the proposals it concerns, the printable хаттама and attendance sheet,
who attended, the registrants' list for the hosts and a message to every registrant."""
import csv
import io

from sqlalchemy import select

from app.extensions import db
from app.models import Proposal, ProposalEvent
from app.notifications.models import Notification, NotificationPreference, OutboxEmail
from meetings.models import Meeting

from .conftest import make_user
from .test_minutes import held_meeting, minutes_form
from .test_proposals import EN

FIXTURES = (held_meeting,)  # another test file's fixture, used here by name


def _publish(client, held, users, **extra):
    client.post(f"/meetings/{held['meeting'].id}/minutes", data=minutes_form(held, users, **extra))
    db.session.expire_all()
    return db.session.get(Meeting, held["meeting"].id)


def test_the_timeline_says_from_what_to_what_the_title_and_cost_were_amended(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    item = next(i.id for i in held["meeting"].agenda if i.proposal_id == held["playground"].id)
    old_title = held["playground"].title
    _publish(client, held, users, **{f"title-{item}": "A smaller playground in the courtyard"})
    page = client.get(f"/proposals/{held['playground'].id}", headers=EN).get_data(as_text=True)
    assert f"Title changed from «{old_title}» to «A smaller playground in the courtyard»." in page
    assert "Cost estimate changed from 12,000,000 ₸ to 9,500,000 ₸." in page
    lighting = client.get(f"/proposals/{held['lighting'].id}", headers=EN).get_data(as_text=True)
    assert "changed from" not in lighting  # endorsed: nothing amended


def test_a_correction_names_the_proposals_it_concerns_and_only_they_get_an_event(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    meeting = _publish(client, held, users)
    page = client.get(f"/meetings/{meeting.id}", headers=EN).get_data(as_text=True)
    assert f'name="proposal_ids" value="{held["lighting"].id}"' in page
    client.post(f"/meetings/{meeting.id}/corrections",
                data={"text": "The lighting decision was taken unanimously.", "proposal_ids": [held["lighting"].id]})
    corrected = db.session.scalars(select(ProposalEvent.proposal_id).where(ProposalEvent.kind == "minutes_corrected"))
    assert list(corrected) == [held["lighting"].id]
    page = client.get(f"/meetings/{meeting.id}", headers=EN).get_data(as_text=True)
    assert f"It concerns: No. {held['lighting'].id}" in page


def test_a_correction_of_a_proposal_not_on_the_agenda_is_refused(client, users, held_meeting, open_process, log_in):
    held = held_meeting
    log_in(users["deputy"])
    meeting = _publish(client, held, users)
    other = db.session.scalar(select(Proposal.id).where(Proposal.id.not_in(
        [held["playground"].id, held["lighting"].id])))
    response = client.post(f"/meetings/{meeting.id}/corrections", headers=EN, follow_redirects=True,
                           data={"text": "This concerns something else.", "proposal_ids": [other or 999_999]})
    assert "A correction can name only the proposals on this meeting's agenda." in \
        response.get_data(as_text=True).replace("&#39;", "'")
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).corrections == []


def test_the_printable_minutes_and_attendance_sheet(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    meeting = held["meeting"]
    sheet = client.get(f"/meetings/{meeting.id}/attendance-sheet", headers=EN)
    text = sheet.get_data(as_text=True)
    assert sheet.status_code == 200 and held["attendee"].full_name in text and "Signature" in text
    assert "print.css" in text
    assert client.get(f"/meetings/{meeting.id}/protocol").status_code == 404  # not published yet
    _publish(client, held, users)
    client.post("/auth/logout")
    protocol = client.get(f"/meetings/{meeting.id}/protocol", headers=EN)
    text = protocol.get_data(as_text=True)
    assert protocol.status_code == 200 and "Minutes of the meeting" in text and "print.css" in text
    assert "Ask the akimat for a survey" in text and "Attendance: 42" in text
    assert held["attendee"].full_name not in text  # residents' names stay off the public page
    assert client.get(f"/meetings/{meeting.id}/attendance-sheet").status_code in (302, 401)
    log_in(users["resident"])
    assert client.get(f"/meetings/{meeting.id}/attendance-sheet").status_code == 403


def test_the_hosts_see_who_attended(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    meeting = _publish(client, held, users)
    page = client.get(f"/meetings/{meeting.id}", headers=EN).get_data(as_text=True)
    assert "Who attended" in page and held["attendee"].full_name in page
    client.post("/auth/logout")
    public = client.get(f"/meetings/{meeting.id}", headers=EN).get_data(as_text=True)
    assert "Registered residents who attended: 1" in public and held["attendee"].full_name not in public


def test_the_hosts_export_the_registrants_as_csv(client, users, held_meeting, log_in):
    held = held_meeting
    held["attendee"].full_name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    log_in(users["deputy"])
    response = client.get(f"/meetings/{held['meeting'].id}/registrants.csv", headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["\ufeffName", "Email", "Status", "Registered at", "Attended"]
    assert rows[1][0] == "'=HYPERLINK(\"http://evil\")" and rows[1][2:] != []  # a spreadsheet does not run it
    client.post("/auth/logout")
    log_in(held["attendee"])
    assert client.get(f"/meetings/{held['meeting'].id}/registrants.csv").status_code == 403


def test_the_hosts_write_to_every_registrant_in_app_and_by_email(client, users, held_meeting, log_in):
    held = held_meeting
    attendee = held["attendee"]
    db.session.add(NotificationPreference(user_id=attendee.id, kind="meetings", in_app=True, email=True))
    db.session.commit()
    log_in(users["deputy"])
    url = f"/meetings/{held['meeting'].id}/messages"
    short = client.post(url, data={"text": "Hi"}, headers=EN, follow_redirects=True)
    assert "At least 5 characters" in short.get_data(as_text=True)
    assert db.session.scalar(select(Notification.id).where(Notification.detail == "message")) is None
    client.post(url, data={"text": "The hall has changed: we meet in room 12."})
    notified = list(db.session.scalars(select(Notification.user_id).where(Notification.detail == "message")))
    assert notified == [attendee.id]
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == attendee.email))
    assert mail is not None and "we meet in room 12" in mail.body
    client.post("/auth/logout")
    log_in(attendee)
    assert "we meet in room 12" in client.get(f"/meetings/{held['meeting'].id}", headers=EN).get_data(as_text=True)
    before = db.session.scalar(select(db.func.count(Notification.id)))
    assert client.post(url, data={"text": "A resident writes to everyone"}).status_code == 403
    stranger = make_user(home=None, role="deputy", area=held["meeting"].area)
    client.post("/auth/logout")
    log_in(stranger)
    assert client.post(url, data={"text": "Not my meeting, but still"}).status_code == 403
    assert db.session.scalar(select(db.func.count(Notification.id))) == before
