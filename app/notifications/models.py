"""In-app notifications, each person's choice of what to receive, and the email outbox."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.extensions import db
from app.models.types import UTCDateTime


class NotificationKind(StrEnum):
    PROPOSAL_UPDATES = "proposal_updates"  # timeline events of proposals I wrote or support
    COMMENTS = "comments"  # new comments on my proposals
    MEETINGS = "meetings"  # town halls I registered for: changes, waitlist, reminders, minutes


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
        CheckConstraint("(subject_kind IS NULL) = (subject_id IS NULL)", name="subject_whole"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_events.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # What a component's notification is about, by kind and id ("meeting", 7): the app holds no
    # foreign key into a component; the component describes its subjects (app.notifications.subjects).
    subject_kind: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(String(32))  # what happened to the subject
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal = relationship("Proposal")
    event = relationship("ProposalEvent")
    comment = relationship("Comment")


class NotificationPreference(db.Model):
    """Only choices that differ from the default (in-app on, email off) are stored."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    in_app: Mapped[bool] = mapped_column(default=True)
    email: Mapped[bool] = mapped_column(default=False)


class OutboxEmail(db.Model):
    """An email waiting to be sent: written in the same transaction as the action that causes it."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
