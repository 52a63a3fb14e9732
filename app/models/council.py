"""The expert council of a process: its settings, members and criteria; the proposals assigned to
each member, their scores and remarks; and the council's decision on each proposal, with the
revision window the author gets before it is final."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.i18n import locale_code
from app.extensions import db
from app.models.types import UTCDateTime, length_checks
from app.models.users import User

COUNCIL_RULES = ("majority", "unanimous")
CRITERION_SCALES = ("pass_fail", "score")
VERDICTS = ("approve", "reject")


class Council(db.Model):
    """How a process's council decides: the rule, the author's revision days, whether the public
    decision names the members."""

    __tablename__ = "councils"
    __table_args__ = (
        CheckConstraint("rule IN ('majority', 'unanimous')", name="rule_known"),
        CheckConstraint("revision_days BETWEEN 0 AND 30", name="revision_days_range"),
    )

    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    rule: Mapped[str] = mapped_column(String(16), default="majority", server_default="majority")
    revision_days: Mapped[int] = mapped_column(default=4, server_default="4")
    names_public: Mapped[bool] = mapped_column(default=True, server_default="1")

    members: Mapped[list["CouncilMember"]] = relationship(
        cascade="all, delete-orphan", order_by="CouncilMember.id")
    criteria: Mapped[list["Criterion"]] = relationship(
        cascade="all, delete-orphan", order_by="Criterion.position, Criterion.id")


class CouncilMember(db.Model):
    __tablename__ = "council_members"
    __table_args__ = (UniqueConstraint("process_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("councils.process_id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship()


class Criterion(db.Model):
    """What the members judge, each pass/fail (0 or 1) or scored 1 to 5."""

    __tablename__ = "council_criteria"
    __table_args__ = (
        CheckConstraint("scale IN ('pass_fail', 'score')", name="scale_known"),
        *length_checks(name_kk=200, name_ru=200, name_en=200),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("councils.process_id", ondelete="CASCADE"), index=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    scale: Mapped[str] = mapped_column(String(12))
    position: Mapped[int] = mapped_column(default=0)

    @property
    def name(self) -> str:
        return getattr(self, f"name_{locale_code()}", None) or self.name_kk


class Assignment(db.Model):
    """A proposal given to one member; their verdict, remark and scores once they have judged it."""

    __tablename__ = "council_assignments"
    __table_args__ = (
        UniqueConstraint("proposal_id", "member_id"),
        CheckConstraint("verdict IS NULL OR verdict IN ('approve', 'reject')", name="verdict_known"),
        CheckConstraint("(verdict IS NULL) = (scored_at IS NULL) AND (verdict IS NULL) = (remark IS NULL)",
                        name="scored_whole"),
        *length_checks(remark=3000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_members.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str | None] = mapped_column(String(8))
    remark: Mapped[str | None] = mapped_column(Text)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[CouncilMember] = relationship()
    scores: Mapped[list["Score"]] = relationship(cascade="all, delete-orphan")


class Score(db.Model):
    __tablename__ = "council_scores"
    __table_args__ = (CheckConstraint("value BETWEEN 0 AND 5", name="value_range"),)

    assignment_id: Mapped[int] = mapped_column(ForeignKey("council_assignments.id", ondelete="CASCADE"),
                                               primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("council_criteria.id", ondelete="CASCADE"),
                                              primary_key=True)
    value: Mapped[int]


class CouncilDecision(db.Model):
    """Once every assigned member has judged a proposal: the outcome by the process's rule, the last
    day (Almaty) the author may revise, and when it became final."""

    __tablename__ = "council_decisions"
    __table_args__ = (CheckConstraint("outcome IN ('approve', 'reject')", name="outcome_known"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True,
                                             autoincrement=False)
    outcome: Mapped[str] = mapped_column(String(8))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revise_until: Mapped[date] = mapped_column(Date)
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_final(self) -> bool:
        return self.final_at is not None

    def revision_open(self, today: date) -> bool:
        return not self.is_final and today <= self.revise_until
