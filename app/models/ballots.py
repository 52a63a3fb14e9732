"""Ballots, kept secret: who voted and what a ballot says live in separate tables with nothing
to join them by.

``VoterParticipation`` records that a person voted (primary key budget + user, so a second
ballot is refused by the database), with the day only and the demographics used for turnout.
``Ballot`` holds the choices under a random receipt code: no user id, no timestamp, no sequence
number — its insertion order cannot be matched against the participation rows."""
from datetime import date

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.processes import Budget

BALLOT_TYPES = ("approval", "knapsack", "cumulative", "ranking")


class BallotConfig(db.Model):
    """How a budget is voted on and counted. Locked once its voting phase opens."""

    __tablename__ = "ballot_configs"
    __table_args__ = (
        CheckConstraint("ballot_type IN ('approval', 'knapsack', 'cumulative', 'ranking')", name="type_known"),
        CheckConstraint("min_projects >= 0", name="min_not_negative"),
        CheckConstraint("max_projects IS NULL OR max_projects >= min_projects", name="max_not_below_min"),
        CheckConstraint("min_votes >= 0", name="min_votes_not_negative"),
        CheckConstraint("min_age BETWEEN 14 AND 120", name="age_plausible"),
    )

    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True)
    ballot_type: Mapped[str] = mapped_column(String(16), default="approval")
    min_projects: Mapped[int] = mapped_column(default=1)
    max_projects: Mapped[int | None] = mapped_column(default=3)
    max_points: Mapped[int | None]  # cumulative: points a voter distributes
    max_points_per_project: Mapped[int | None]
    rule: Mapped[str] = mapped_column(String(32), default="greedy")
    rule_options: Mapped[dict] = mapped_column(JSON, default=dict)
    tie_break: Mapped[str] = mapped_column(String(32), default="id")
    min_votes: Mapped[int] = mapped_column(default=1)  # a project needs this many votes to be funded
    allow_change: Mapped[bool] = mapped_column(default=False)
    show_running_counts: Mapped[bool] = mapped_column(default=False)
    min_age: Mapped[int] = mapped_column(default=16)

    budget: Mapped[Budget] = relationship(backref=db.backref("ballot_config", uselist=False))


class VoterParticipation(db.Model):
    """That a person voted on a budget (never what they chose).

    Keyed by IIN, the one identifier shared by online voters and paper voters (who may have no
    account), so nobody votes twice across the two channels."""

    __tablename__ = "voter_participations"
    __table_args__ = (
        CheckConstraint("channel IN ('online', 'paper')", name="channel_known"),
        CheckConstraint("sex IN ('male', 'female')", name="sex_known"),
    )

    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    voted_on: Mapped[date] = mapped_column(Date)  # the day only, on purpose
    district_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    age_band: Mapped[str] = mapped_column(String(8))
    sex: Mapped[str] = mapped_column(String(8))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # paper: the official


class Ballot(db.Model):
    __tablename__ = "ballots"
    __table_args__ = (CheckConstraint("channel IN ('online', 'paper')", name="channel_known"),)

    receipt: Mapped[str] = mapped_column(String(24), primary_key=True)  # random, shown to the voter
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    # {proposal id (as text): value}: 1 for approval, points, or rank position (1 = first).
    choices: Mapped[dict] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(8))
    # Where changes are allowed: sha256 of a code only the voter was shown.
    change_key_hash: Mapped[str | None] = mapped_column(String(64))
