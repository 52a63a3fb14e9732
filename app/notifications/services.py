"""Who hears about what: in-app notifications and emails through the outbox."""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import selectinload

from app.core.clock import utcnow
from app.extensions import db
from app.models import User
from app.notifications import subjects
from app.notifications.mail import queue_email
from app.notifications.models import Notification, NotificationKind, NotificationPreference

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


def notify(user_ids, kind: NotificationKind, *, proposal=None, event=None, comment=None,
           subject: tuple[str, int] | None = None, detail=None, email_subject=None, email_body=None) -> int:
    """Notify each user (once) who has not switched this kind off; email those who opted in.
    ``email_body`` is a callable returning the text, called in each recipient's language; a
    component's ``subject`` (kind, id) with its ``detail`` is emailed as its registration
    describes it (:mod:`app.notifications.subjects`). Runs in the caller's transaction. Returns the
    number of in-app notifications."""
    ids = sorted(set(user_ids))
    prefs = preferences(ids, kind.value)
    in_app = [uid for uid in ids if uid not in prefs or prefs[uid].in_app]
    if in_app:
        now = utcnow()
        db.session.execute(insert(Notification), [
            {"user_id": uid, "kind": kind.value, "proposal_id": proposal.id if proposal else None,
             "event_id": event.id if event else None, "comment_id": comment.id if comment else None,
             "subject_kind": subject[0] if subject else None, "subject_id": subject[1] if subject else None,
             "detail": detail, "created_at": now}
            for uid in in_app
        ])
    emailed = [uid for uid, pref in prefs.items() if pref.email]
    if emailed and subject is not None and email_body is None:
        email_subject, email_body = subjects.email(*subject, detail) or (None, None)
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


def page_of(user: User, page: int, per_page: int = 30):
    """One page of the user's notifications, newest first, with what they are about: the
    proposals and events loaded together, and each component's subjects described in one query
    per kind. Returns (pagination, {(kind, id): Subject})."""
    shown = db.paginate(
        select(Notification).where(Notification.user_id == user.id)
        .options(selectinload(Notification.proposal), selectinload(Notification.event))
        .order_by(Notification.id.desc()),
        page=page, per_page=per_page, error_out=False,
    )
    about = subjects.describe((n.subject_kind, n.subject_id) for n in shown.items if n.subject_kind)
    return shown, about


def settings_of(user: User) -> list[tuple[str, object, bool, bool]]:
    """(kind, label, in app?, by email?) for every kind, the defaults where nothing is stored."""
    stored = {row.kind: row for row in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    return [(kind.value, KIND_LABELS[kind], stored[kind].in_app if kind in stored else True,
             stored[kind].email if kind in stored else False) for kind in NotificationKind]
