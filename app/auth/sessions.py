"""Server-side sessions: logging in writes a LoginSession row, and every request finds its user
through that row (in the user loader's one query), so deleting the row ends the session — for
the cookie, any copy of it and the "remember me" cookie, on every app server.

Flask-Login keeps ``user.get_id()`` in the session and the remember-me cookie; here that is the
session's random token, not the user id (Flask-Login's "alternative id")."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_login import login_user, logout_user
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.core.clock import utcnow
from app.extensions import db
from app.models import LoginSession, User

MAX_TOKEN_LENGTH = 100  # ours have 43 characters; anything longer is made up, and not worth hashing


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _oldest_allowed():
    return utcnow() - timedelta(days=current_app.config["LOGIN_SESSION_DAYS"])


def create(user: User) -> str:
    """A new session of ``user`` (committed); returns its token, which only the cookie holds."""
    token = secrets.token_urlsafe(32)
    # Expired sessions of this person go at the same time, so the table does not grow forever.
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.created_at < _oldest_allowed()))
    db.session.add(LoginSession(token_hash=digest(token), user_id=user.id))
    db.session.commit()
    user.session_token = token
    return token


def log_in(user: User, *, remember: bool = False) -> None:
    create(user)
    login_user(user, remember=remember)


def load(token: str) -> User | None:
    """The active user whose live session ``token`` names, or None. One query: the session, the
    user, the home area and the role grants (every permission check needs them)."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH or not token.isascii():
        return None
    user = db.session.execute(
        select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == digest(token), LoginSession.created_at >= _oldest_allowed(),
               User.is_active_account.is_(True))
        .options(joinedload(User.home_area), joinedload(User.grants))
    ).unique().scalar_one_or_none()
    if user is not None:
        user.session_token = token
    return user


def _end(*conditions) -> None:
    db.session.execute(delete(LoginSession).where(*conditions))


def log_out(user: User) -> None:
    """End this session (the one ``user`` came with) and forget it in this browser."""
    if user.session_token:
        _end(LoginSession.token_hash == digest(user.session_token))
        db.session.commit()
    logout_user()


def end_other_sessions(user: User) -> None:
    """Every session of ``user`` but the current one ends (after a password change). The caller
    commits, with the change that caused it."""
    _end(LoginSession.user_id == user.id, LoginSession.token_hash != digest(user.session_token or ""))


def end_all_sessions(user: User) -> None:
    """Every session of ``user`` ends, the current one included. The caller commits."""
    _end(LoginSession.user_id == user.id)
