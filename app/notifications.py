"""Who hears about what: in-app notifications and emails through the outbox."""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from app.core.clock import utcnow
from app.extensions import db
from app.mail import queue_email
from app.models import Notification, NotificationKind, NotificationPreference, User

KIND_LABELS = {
    NotificationKind.PROPOSAL_UPDATES: _l("News about proposals I wrote or support"),
    NotificationKind.COMMENTS: _l("New comments on my proposals"),
    NotificationKind.MEETINGS: _l("Town halls I registered for"),
}


def preferences(user_ids: list[int], kind: str) -> dict[int, NotificationPreference]:
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(NotificationPreference).where(
            NotificationPreference.kind == kind, NotificationPreference.user_id.in_(user_ids)
        )
    )
    return {row.user_id: row for row in rows}


def notify(user_ids, kind: NotificationKind, *, proposal=None, event=None, comment=None, meeting_id=None,
           detail=None, email_subject=None, email_body=None) -> int:
    """Notify each user (once) who has not switched this kind off; email those who opted in.
    ``email_body`` is a callable returning the text, called in each recipient's language.
    Runs in the caller's transaction. Returns the number of in-app notifications."""
    ids = sorted(set(user_ids))
    prefs = preferences(ids, kind.value)
    in_app = [uid for uid in ids if uid not in prefs or prefs[uid].in_app]
    if in_app:
        now = utcnow()
        db.session.execute(insert(Notification), [
            {"user_id": uid, "kind": kind.value, "proposal_id": proposal.id if proposal else None,
             "event_id": event.id if event else None, "comment_id": comment.id if comment else None,
             "meeting_id": meeting_id, "detail": detail, "created_at": now}
            for uid in in_app
        ])
    emailed = [uid for uid, pref in prefs.items() if pref.email]
    if emailed and email_body is not None:
        for user in db.session.scalars(select(User).where(User.id.in_(emailed))):
            with force_locale(user.locale):
                queue_email(user.email, str(email_subject), email_body(), locale=user.locale)
    return len(in_app)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()


def save_preferences(user: User, choices: dict[str, tuple[bool, bool]]) -> None:
    """``choices`` maps a kind to (in_app, email)."""
    for kind, (in_app, email) in choices.items():
        row = db.session.get(NotificationPreference, (user.id, kind))
        if row is None:
            row = NotificationPreference(user_id=user.id, kind=kind)
            db.session.add(row)
        row.in_app, row.email = in_app, email
    db.session.commit()
