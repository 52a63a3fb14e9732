"""In-app notifications and each person's choice of what to receive."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
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
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_events.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # Town-hall notifications: which meeting, and what happened (see meetings.services).
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    detail: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal = relationship("Proposal")
    event = relationship("ProposalEvent")
    comment = relationship("Comment")
    meeting = relationship("Meeting")  # defined in meetings.models


class NotificationPreference(db.Model):
    """Only choices that differ from the default (in-app on, email off) are stored."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    in_app: Mapped[bool] = mapped_column(default=True)
    email: Mapped[bool] = mapped_column(default=False)
