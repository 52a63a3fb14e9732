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
        # Procurement: the lot on the public procurement portal (goszakup.gov.kz), the contractor's
        # BIN (12 digits; its check digit is checked by the service), the contract.
        CheckConstraint("contractor_bin IS NULL OR length(contractor_bin) = 12", name="contractor_bin_12_digits"),
        CheckConstraint("contract_amount IS NULL OR contract_amount > 0", name="contract_amount_positive"),
        *length_checks(procurement_lot=40),
    )

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    progress: Mapped[int] = mapped_column(default=0)
    spent: Mapped[int] = mapped_column(BigInteger, default=0)  # tenge
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    procurement_lot: Mapped[str | None] = mapped_column(String(40))
    contractor_bin: Mapped[str | None] = mapped_column(String(12))
    contract_amount: Mapped[int | None] = mapped_column(BigInteger)  # tenge
    contract_signed_on: Mapped[date | None] = mapped_column(Date)

    proposal: Mapped[Proposal] = relationship(backref=db.backref("implementation", uselist=False))
    updates: Mapped[list["ImplementationUpdate"]] = relationship(
        cascade="all, delete-orphan", order_by="ImplementationUpdate.id",
        primaryjoin="Implementation.proposal_id == foreign(ImplementationUpdate.proposal_id)")
    milestones: Mapped[list["Milestone"]] = relationship(
        cascade="all, delete-orphan", order_by="Milestone.planned_on",
        primaryjoin="Implementation.proposal_id == foreign(Milestone.proposal_id)")

    @property
    def overspent(self) -> int:
        """Tenge spent beyond the project's allocation (its cost), 0 within it: flagged, not refused
        (the spending happened; the page, the dashboard and the exports say so)."""
        return max(0, (self.spent or 0) - self.proposal.cost) if self.proposal is not None else 0

    def late_milestones(self, today: date | None = None) -> list["Milestone"]:
        """Milestones past due and not done; none once the project is completed or cancelled."""
        if self.status in ("completed", "cancelled"):
            return []
        return [m for m in self.milestones if m.is_late(today)]


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
    # A correction is a report of its own naming the report it corrects (note: the reason); the
    # corrected report is kept as it was, so the history shows both.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("implementation_updates.id"), unique=True)

    actor: Mapped[User] = relationship()
    corrected_by: Mapped["ImplementationUpdate | None"] = relationship(
        primaryjoin="ImplementationUpdate.id == foreign(ImplementationUpdate.corrects_id)",
        remote_side="ImplementationUpdate.corrects_id", uselist=False, viewonly=True)


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
