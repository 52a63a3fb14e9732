"""iCalendar (RFC 5545) feeds built with the icalendar package: stable UIDs, UTC times, SEQUENCE
bumped on every change, cancelled meetings marked CANCELLED.

Every text goes in as a TEXT value, which the library escapes (newlines, commas, semicolons) and
folds; nothing here escapes by hand. (An X- property such as X-WR-CALNAME is not known to be
text, so it is given as vText explicitly: a raw newline there would end the content line.)"""
from flask import request, url_for
from icalendar import Calendar, Event, vText

from meetings.models import Meeting


def uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}@{request.host.split(':')[0] or 'qatysu'}"


def calendar_for(meetings: list[Meeting], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Qatysu//town halls//KK")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", vText(name))
    cal.add("x-wr-timezone", "Asia/Almaty")
    for meeting in meetings:
        event = Event()
        event.add("uid", uid(meeting))
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.starts_at)  # aware UTC: written as ...Z
        event.add("dtend", meeting.ends_at)
        event.add("dtstamp", meeting.created_at)
        event.add("sequence", meeting.sequence or 0)
        event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
        location = ", ".join(x for x in (meeting.venue, meeting.address, meeting.online_link) if x)
        if location:
            event.add("location", location)
        event.add("description", meeting.description or "")
        event.add("url", url_for("meetings.show", meeting_id=meeting.id, _external=True))
        cal.add_component(event)
    return cal.to_ical()
