"""Ballots, kept secret by a double envelope, as at a polling station.

- ``RollEntry``: the electoral roll, fixed when voting opens: who may vote in which budget. A voter
  is named by a keyed hash of the IIN (:mod:`app.identity.voter_key`), never by the IIN itself.
- ``VoterParticipation``: the outer envelope, that a voter on the roll voted (channel and day).
  Its foreign key to the roll means nobody off the roll can vote; its primary key, one ballot each.
- ``SealedEnvelope``: the inner envelope, the choices and the hash of the receipt code encrypted
  to the budget's count public key (``CountKey``), padded to one length. No user, no time, no
  sequence; a random key and, on SQLite, no rowid, so storage order follows nothing.
- ``Ballot``: an opened, anonymous ballot. The count opens every envelope in random order,
  writes these in random order in one transaction and destroys the envelopes.

The database itself refuses what must never happen (see :mod:`app.models.guards`)."""
import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.extensions import db
from app.models.processes import Budget
from app.models.types import UTCDateTime, length_checks

BALLOT_TYPES = ("approval", "knapsack", "cumulative", "ranking")
CHANNEL_CHECK = "channel IN ('online', 'paper')"


def random_id() -> str:
    """A primary key that says nothing about when or in which order a row was written."""
    return secrets.token_hex(16)


class BallotConfig(db.Model):
    """How a budget is voted on and counted. Locked once its voting opens."""

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
    min_age: Mapped[int] = mapped_column(default=16)

    budget: Mapped[Budget] = relationship(backref=db.backref("ballot_config", uselist=False))


class CountKey(db.Model):
    """The budget's count key pair, public half only: the private half goes to the counting
    commission as a file and is never stored. Prepared (pending) until the official who opens
    voting proves the file was saved by handing it back; from then on it cannot change."""

    __tablename__ = "count_keys"

    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))  # X25519, hex
    fingerprint: Mapped[str] = mapped_column(String(32))
    envelope_size: Mapped[int | None]  # bytes every sealed ballot is padded to (set when voting opens)
    # None only for keys the 0010 migration made for ballots cast before sealing existed.
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: voting not opened yet

    budget: Mapped[Budget] = relationship()


class RollEntry(db.Model):
    """A voter on a process's electoral roll, for one budget.

    ``tier`` 0 is the voter's own budget; 1 the city-wide budget where the process allows
    "my district's budget and the city-wide one". Unique per process, voter and tier, so the
    roll itself says one ballot per person per process (or one of each tier)."""

    __tablename__ = "electoral_roll"
    __table_args__ = (
        UniqueConstraint("process_id", "voter_key", "tier", name="uq_roll_one_budget_per_tier"),
        CheckConstraint("tier IN (0, 1)", name="tier_known"),
        CheckConstraint("sex IN ('male', 'female')", name="sex_known"),
        *length_checks(added_reason=500),
        Index("ix_roll_process_voter", "process_id", "voter_key"),
    )

    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC-SHA256 of the IIN
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    tier: Mapped[int] = mapped_column(default=0)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    age_band: Mapped[str] = mapped_column(String(8))
    sex: Mapped[str] = mapped_column(String(8))
    # A voter added at a polling point (not registered, or registered after the roll was fixed).
    added_reason: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    budget: Mapped[Budget] = relationship()


class VoterParticipation(db.Model):
    """That a voter on the roll voted on a budget (never what they chose): the outer envelope."""

    __tablename__ = "voter_participations"
    __table_args__ = (
        ForeignKeyConstraint(["budget_id", "voter_key"], ["electoral_roll.budget_id", "electoral_roll.voter_key"],
                             ondelete="CASCADE", name="fk_participation_on_roll"),
        CheckConstraint(CHANNEL_CHECK, name="channel_known"),
    )

    budget_id: Mapped[int] = mapped_column(primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    voted_on: Mapped[date] = mapped_column(Date)  # the day only, on purpose
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # paper: the official


class SealedEnvelope(db.Model):
    """A cast ballot, sealed: only the holder of the budget's count private key can open it."""

    __tablename__ = "sealed_envelopes"
    __table_args__ = (
        UniqueConstraint("budget_id", "change_key_hash", name="uq_envelope_change_key"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Where changes are allowed: sha256 of the receipt and the change code only the voter holds.
    change_key_hash: Mapped[str | None] = mapped_column(String(64))


class Ballot(db.Model):
    """An opened, anonymous ballot, found by the hash of its receipt code."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("budget_id", "receipt_hash", name="uq_ballot_receipt"),
        CheckConstraint(CHANNEL_CHECK, name="channel_known"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    # {proposal id (as text): value}: 1 for approval, points, or rank position (1 = first).
    choices: Mapped[dict] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(8))
    receipt_hash: Mapped[str] = mapped_column(String(64))


class BallotOpening(db.Model):
    """The count opened the budget's envelopes: once, in one transaction, with the key whose
    fingerprint is kept here. ``spoiled``: envelopes that held no valid ballot (published)."""

    __tablename__ = "ballot_openings"
    __table_args__ = (CheckConstraint("spoiled >= 0 AND spoiled <= envelopes", name="spoiled_within"),)

    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True)
    envelopes: Mapped[int]
    spoiled: Mapped[int] = mapped_column(default=0)
    fingerprint: Mapped[str] = mapped_column(String(32))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaperTally(db.Model):
    """Voters marked on the roll as voting on paper, and paper ballots entered: the database
    refuses more papers than marked voters."""

    __tablename__ = "paper_tallies"
    __table_args__ = (
        CheckConstraint("papers_entered >= 0 AND papers_entered <= voters_marked", name="papers_within_voters"),
    )

    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True)
    voters_marked: Mapped[int] = mapped_column(default=0)
    papers_entered: Mapped[int] = mapped_column(default=0)

