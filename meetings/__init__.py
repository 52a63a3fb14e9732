"""Town halls: deputies schedule meetings, residents register, minutes feed back to proposals.

A component: it uses the app (proposals, users, notifications, permissions) and the app uses only
what this module exports (``__all__``) — ``init_app`` for the factory, and the functions below for
the CLI, the API, the area dashboard, "My participation" and the demo. tests/test_architecture.py
fails if anything in app/ imports a module of this package by another name.
"""
from flask_babel import lazy_gettext as _l

from meetings.minutes import publish_minutes, save_minutes
from meetings.open_data import meeting_record, meetings_page
from meetings.services import (
    meetings_in,
    overdue_in_area,
    register,
    registrations_of,
    schedule,
    send_reminders,
)

__all__ = ["SUBJECT", "init_app", "meeting_record", "meetings_in", "meetings_page", "overdue_in_area",
           "publish_minutes", "register", "registrations_of", "save_minutes", "schedule", "send_reminders"]

SUBJECT = "meeting"  # the kind of a notification about a meeting (Notification.subject_kind)


def init_app(app) -> None:
    """Plug the component into the app: its pages, its notifications, its template helpers."""
    from app.notifications import subjects
    from meetings.labels import MEETING_NOTICES, action_status_label
    from meetings.routes import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["action_status_label"] = action_status_label
    subjects.register(SUBJECT, _describe, MEETING_NOTICES,
                      email_subject=_l("Qatysu: news about a town hall you registered for"))


def _describe(ids: set[int]):
    from sqlalchemy import select

    from app.extensions import db
    from app.notifications.subjects import Subject
    from meetings.models import Meeting

    rows = db.session.execute(select(Meeting.id, Meeting.title).where(Meeting.id.in_(ids)))
    return {mid: Subject(title, "meetings.show", {"meeting_id": mid}) for mid, title in rows}
