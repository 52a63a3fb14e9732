"""The hosts' side of a meeting's registrants: who attended, the list as CSV, and a message to
every registrant (in-app, and by email to those who asked for it)."""
import csv
import io

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.clock import local_time
from app.core.errors import ServiceError
from app.core.spreadsheet import spreadsheet_safe
from app.extensions import db
from app.models import User
from app.notifications.mail import page_url
from app.notifications.models import NotificationKind
from app.notifications.services import notify
from meetings.models import Meeting, MeetingMessage, Registration
from meetings.services import is_host

MESSAGE_LENGTH = 2000  # MeetingMessage.text


STATUS_LABELS = {"registered": _l("registered"), "waitlisted": _l("waitlist"), "cancelled": _l("cancelled")}


def check_host(user: User, meeting: Meeting) -> None:
    if not is_host(user, meeting):
        raise ServiceError(_l("Only the deputies hosting this meeting can do this."))


def attendees(meeting: Meeting) -> list[Registration]:
    """The registered residents marked present in the minutes, by name."""
    return sorted((r for r in meeting.registrations if r.attended), key=lambda r: r.user.full_name)


def registrants_csv(meeting: Meeting) -> str:
    """Every registration of the meeting, in order of arrival (the waitlist order), for the hosts:
    name, email, status, when (Almaty time), attended. A UTF-8 mark first so that Excel reads the
    Cyrillic names; a cell a spreadsheet would run as a formula is made plain text."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("Name"), _("Email"), _("Status"), _("Registered at"), _("Attended")])
    for r in meeting.registrations:
        writer.writerow([spreadsheet_safe(r.user.full_name), spreadsheet_safe(r.user.email),
                         str(STATUS_LABELS.get(r.status, r.status)),
                         local_time(r.created_at).strftime("%Y-%m-%d %H:%M"), _("yes") if r.attended else _("no")])
    return out.getvalue()


def write_to_registrants(meeting: Meeting, author: User, text: str) -> MeetingMessage:
    """Send the hosts' message to everyone registered or on the waitlist: an in-app notification
    about the meeting, and the message itself by email to those who asked for emails. The meeting
    page shows it too. Returns the message."""
    check_host(author, meeting)
    text = (text or "").strip()
    if len(text) < 5:
        raise ServiceError(_l("Write the message (at least 5 characters)."), field="text")
    if len(text) > MESSAGE_LENGTH:
        raise ServiceError(_l("The message is too long."), field="text")
    recipients = [r.user_id for r in meeting.registrations if r.status in ("registered", "waitlisted")]
    if not recipients:
        raise ServiceError(_l("Nobody is registered for this meeting yet."))
    message = MeetingMessage(meeting_id=meeting.id, author_id=author.id, text=text)
    db.session.add(message)
    link = page_url("meetings.show", meeting_id=meeting.id)
    notify(recipients, NotificationKind.MEETINGS, subject=("meeting", meeting.id), detail="message",
           email_subject=_l("Qatysu: the hosts of «%(title)s» write to you", title=meeting.title),
           email_body=lambda: "\n\n".join([meeting.title, _("The hosts of the meeting write:"), text, link]))
    db.session.commit()
    return message
