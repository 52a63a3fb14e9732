"""Meetings, their agenda, registrations, minutes decisions and action items."""
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.extensions import db
from app.models import Area, Proposal, User
from app.models.types import UTCDateTime, length_checks

DECISIONS = ("endorsed", "amended", "deferred", "rejected")


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        CheckConstraint("kind IN ('in_person', 'online', 'hybrid')", name="kind_known"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        Index("ix_meetings_area_starts", "area_id", "starts_at"),
        Index("ix_meetings_host_starts", "host_id", "starts_at"),
        # Only web addresses are links: "javascript:" and "data:" would run in the visitor's page.
        CheckConstraint("online_link IS NULL OR online_link LIKE 'https://%' OR online_link LIKE 'http://%'",
                        name="online_link_web"),
        *length_checks(title=200, description=5000, venue=200, address=300, online_link=500, status_reason=1000,
                       summary=20_000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12), default="in_person")
    venue: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    online_link: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    status_reason: Mapped[str | None] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: bumped on every change
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Minutes (хаттама)
    attendance_count: Mapped[int | None]
    summary: Mapped[str | None] = mapped_column(Text)
    summary_html: Mapped[str | None] = mapped_column(Text)
    minutes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area: Mapped[Area] = relationship()
    host: Mapped[User] = relationship(foreign_keys=[host_id])
    cohosts: Mapped[list[User]] = relationship(secondary="meeting_cohosts")
    invited: Mapped[list[User]] = relationship(secondary="meeting_invitees")
    agenda: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position")
    registrations: Mapped[list["Registration"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Registration.id")
    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="ActionItem.id")
    corrections: Mapped[list["MinutesCorrection"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MinutesCorrection.id")
    messages: Mapped[list["MeetingMessage"]] = relationship(cascade="all, delete-orphan",
                                                            order_by="MeetingMessage.id")

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def minutes_published(self) -> bool:
        return self.minutes_published_at is not None

    @property
    def hosts(self) -> list[User]:
        return [self.host, *self.cohosts]


meeting_cohosts = db.Table(
    "meeting_cohosts",
    db.Column("meeting_id", db.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    db.Column("user_id", db.ForeignKey("users.id"), primary_key=True),
)
meeting_invitees = db.Table(
    "meeting_invitees",
    db.Column("meeting_id", db.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    db.Column("user_id", db.ForeignKey("users.id"), primary_key=True),
)


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"
    __table_args__ = (
        CheckConstraint("decision IS NULL OR decision IN ('endorsed', 'amended', 'deferred', 'rejected')",
                        name="decision_known"),
        CheckConstraint("amended_cost IS NULL OR amended_cost > 0", name="amended_cost_positive"),
        CheckConstraint("proposal_id IS NOT NULL OR title IS NOT NULL", name="has_subject"),
        CheckConstraint("decision IS NULL OR decided_by_id IS NOT NULL", name="decision_has_decider"),
        *length_checks(title=300, note=2000, amended_title=200, amended_description=10_000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(300))  # a free item (no proposal)
    # The decision recorded in the minutes, for proposal items.
    decision: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    amended_title: Mapped[str | None] = mapped_column(String(200))
    amended_description: Mapped[str | None] = mapped_column(Text)
    amended_cost: Mapped[int | None] = mapped_column(BigInteger)
    # The host who recorded the decision: a host who wrote or supports the proposal may not, so
    # the timeline names the one who did.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    proposal: Mapped[Proposal | None] = relationship()
    decided_by: Mapped[User | None] = relationship()


class Registration(db.Model):
    __tablename__ = "meeting_registrations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint("status IN ('registered', 'waitlisted', 'cancelled')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # order of arrival: the waitlist order
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="registered")
    attended: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship()


class ActionItem(db.Model):
    __tablename__ = "action_items"
    __table_args__ = (CheckConstraint("status IN ('open', 'done', 'cancelled')", name="status_known"),
                      Index("ix_action_items_status_due", "status", "due_on"), *length_checks(what=1000))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")

    meeting: Mapped[Meeting] = relationship(back_populates="action_items")
    owner: Mapped[User] = relationship()


class MinutesCorrection(db.Model):
    """Published minutes are never edited; a correction is appended."""

    __tablename__ = "minutes_corrections"
    __table_args__ = length_checks(text=3000)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="corrections")
    author: Mapped[User] = relationship()
    # The agenda proposals the correction concerns (each gets its timeline event); none: the
    # minutes in general (attendance, the summary).
    proposals: Mapped[list[Proposal]] = relationship(secondary="minutes_correction_proposals",
                                                     order_by="Proposal.id")


minutes_correction_proposals = db.Table(
    "minutes_correction_proposals",
    db.Column("correction_id", db.ForeignKey("minutes_corrections.id", ondelete="CASCADE"), primary_key=True),
    db.Column("proposal_id", db.ForeignKey("proposals.id"), primary_key=True),
)


class MeetingMessage(db.Model):
    """What the hosts wrote to the meeting's registrants (sent in-app and by email as each asked)."""

    __tablename__ = "meeting_messages"
    __table_args__ = length_checks(text=2000)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
