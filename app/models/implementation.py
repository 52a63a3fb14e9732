"""What happened after the vote: implementation of funded projects, milestones, spending,
and residents following projects."""
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.clock import utcnow
from app.extensions import db
from app.models.proposals import Proposal
from app.models.types import UTCDateTime, length_checks
from app.models.users import User

IMPLEMENTATION_STATUSES = ("planned", "procurement", "in_progress", "completed", "cancelled")


class Implementation(db.Model):
    """The current state of a funded project; every change is also an ImplementationUpdate."""

    __tablename__ = "implementations"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'procurement', 'in_progress', 'completed', 'cancelled')",
                        name="status_known"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        CheckConstraint("spent >= 0", name="spent_not_negative"),
    )

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    progress: Mapped[int] = mapped_column(default=0)
    spent: Mapped[int] = mapped_column(BigInteger, default=0)  # tenge
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(backref=db.backref("implementation", uselist=False))
    updates: Mapped[list["ImplementationUpdate"]] = relationship(
        cascade="all, delete-orphan", order_by="ImplementationUpdate.id",
        primaryjoin="Implementation.proposal_id == foreign(ImplementationUpdate.proposal_id)")
    milestones: Mapped[list["Milestone"]] = relationship(
        cascade="all, delete-orphan", order_by="Milestone.planned_on",
        primaryjoin="Implementation.proposal_id == foreign(Milestone.proposal_id)")


class ImplementationUpdate(db.Model):
    __tablename__ = "implementation_updates"
    __table_args__ = length_checks(note=2000)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int]
    spent: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    photo_name: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()


class Milestone(db.Model):
    __tablename__ = "milestones"
    __table_args__ = (
        CheckConstraint("planned_on >= starts_on", name="planned_after_start"),
        CheckConstraint("done_on IS NULL OR done_on >= starts_on", name="done_after_start"),
        *length_checks(title=200),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    planned_on: Mapped[date] = mapped_column(Date)  # when it should be done
    done_on: Mapped[date | None] = mapped_column(Date)

    def is_late(self, today: date | None = None) -> bool:
        return self.done_on is None and self.planned_on < (today or clock.today())


class BudgetFollow(db.Model):
    """A resident follows a budget's result and its funded projects. Offered to everyone, voter or
    not, so following says nothing about anybody's ballot."""

    __tablename__ = "budget_follows"
    __table_args__ = (UniqueConstraint("budget_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
