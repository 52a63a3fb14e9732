"""A count of a budget's ballots, and its publication."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.extensions import db
from app.models.processes import Budget
from app.models.types import UTCDateTime, length_checks
from app.models.users import User

PUBLISHED_NOT_ANNULLED = "published_at IS NOT NULL AND annulled_at IS NULL"


class Result(db.Model):
    """One run of the allocation rule over a budget's ballots. Counting again adds a new row.

    Published is final: at most one result per budget is published and not annulled (a partial
    unique index, so ten simultaneous publications give one), and a published row never changes
    (a trigger, :mod:`app.models.guards`) except to be annulled, once, with a reason."""

    __tablename__ = "results"
    __table_args__ = (
        Index("uq_results_one_published", "budget_id", unique=True,
              sqlite_where=text(PUBLISHED_NOT_ANNULLED), postgresql_where=text(PUBLISHED_NOT_ANNULLED)),
        *length_checks(annul_reason=1000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    tie_break: Mapped[str] = mapped_column(String(32))
    voting_version: Mapped[str] = mapped_column(String(32))
    ballots_sha256: Mapped[str] = mapped_column(String(64))
    n_ballots: Mapped[int]
    spoiled: Mapped[int] = mapped_column(default=0, server_default="0")  # envelopes with no valid ballot
    selected: Mapped[list] = mapped_column(JSON)  # proposal ids as text, as in ballots.pb
    # {proposal id: {"votes", "score", "cost", "funded", "explanation"}}
    projects: Mapped[dict] = mapped_column(JSON)
    comparison: Mapped[dict] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    annulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    annulled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    annul_reason: Mapped[str | None] = mapped_column(Text)

    budget: Mapped[Budget] = relationship()
    computed_by: Mapped[User | None] = relationship(foreign_keys=[computed_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    annulled_by: Mapped[User | None] = relationship(foreign_keys=[annulled_by_id])


class ParticipationStats(db.Model):
    """Who took part in a budget's vote, aggregated once from the roll and the participations
    (when voting closes, at the count, on publication and annulment) so that a results page
    never scans them: ``cells`` is a list of ``[district_id, age_band, sex, eligible, online,
    paper]``, one per group of the roll."""

    __tablename__ = "participation_stats"

    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True)
    cells: Mapped[list] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
