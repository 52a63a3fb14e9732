"""A count of a budget's ballots, and its publication."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.processes import Budget
from app.models.types import UTCDateTime, utcnow
from app.models.users import User


class Result(db.Model):
    """One run of the allocation rule over a budget's ballots. Counting again adds a new row;
    at most one result per budget is published."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    tie_break: Mapped[str] = mapped_column(String(32))
    voting_version: Mapped[str] = mapped_column(String(32))
    ballots_sha256: Mapped[str] = mapped_column(String(64))
    n_ballots: Mapped[int]
    selected: Mapped[list] = mapped_column(JSON)  # proposal ids as text, as in ballots.pb
    # {proposal id: {"votes", "score", "cost", "funded", "explanation"}}
    projects: Mapped[dict] = mapped_column(JSON)
    comparison: Mapped[dict] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    budget: Mapped[Budget] = relationship()
    computed_by: Mapped[User | None] = relationship(foreign_keys=[computed_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
