"""Logged-in sessions, kept on the server so that they can be ended.

Session cookies are signed, and any app server accepts a signed cookie, so a copied cookie would
live as long as its signature. Each login therefore writes a row here; the cookie carries a random
token, and only its SHA-256 is stored (a copy of the database opens no session). Deleting the row
ends that session on every server."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.extensions import db
from app.models.types import UTCDateTime


class LoginSession(db.Model):
    __tablename__ = "login_sessions"
    __table_args__ = (CheckConstraint("length(token_hash) = 64", name="token_hash_length"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
