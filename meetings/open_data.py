"""Town halls as open data (the API's /api/v1/meetings): plain dicts with ISO 8601 times; the
decisions and minutes only once the minutes are published."""
from sqlalchemy import select

from app.extensions import db
from app.models import Area
from meetings.models import Meeting


def _time(value):
    return value.isoformat() if value is not None else None


def _record(m: Meeting, *, full: bool = False) -> dict:
    data = {"id": m.id, "area_id": m.area_id, "title": m.title, "kind": m.kind, "status": m.status,
            "starts_at": _time(m.starts_at), "ends_at": _time(m.ends_at), "venue": m.venue, "address": m.address,
            "capacity": m.capacity, "host": m.host.full_name, "minutes_published": m.minutes_published}
    if full:
        data["agenda"] = [{"position": i.position, "proposal_id": i.proposal_id, "title": i.title,
                           "decision": i.decision if m.minutes_published else None,
                           "note": i.note if m.minutes_published else None} for i in m.agenda]
        data["minutes"] = None if not m.minutes_published else {
            "published_at": _time(m.minutes_published_at), "attendance": m.attendance_count, "summary": m.summary,
            "action_items": [{"what": a.what, "owner": a.owner.full_name, "due_on": a.due_on.isoformat(),
                              "status": a.status} for a in m.action_items],
            "corrections": [{"at": _time(c.created_at), "text": c.text} for c in m.corrections]}
    return data


def meetings_page(area: Area | None, page: int, per_page: int) -> tuple[list[dict], bool]:
    """One page of meetings, newest first, of ``area`` and the areas inside it (None: all);
    returns the records and whether a next page exists."""
    query = select(Meeting).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    if area is not None:
        query = query.where(Meeting.area_id.in_(area.subtree_select()))
    rows = list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)))
    return [_record(m) for m in rows[:per_page]], len(rows) > per_page


def meeting_record(meeting_id: int) -> dict | None:
    """One meeting with its agenda and published minutes, or None when there is no such meeting."""
    meeting = db.session.get(Meeting, meeting_id)
    return _record(meeting, full=True) if meeting else None
