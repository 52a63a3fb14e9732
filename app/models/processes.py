"""Participatory-budgeting cycles: a process with dated phases, and its budgets."""
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.i18n import locale_code
from app.extensions import db
from app.models.areas import Area
from app.models.types import UTCDateTime, length_checks


class PhaseKind(StrEnum):
    PROPOSALS = "proposals"
    REVIEW = "review"
    VOTING = "voting"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


PHASE_ORDER = list(PhaseKind)


class Process(db.Model):
    """One participatory-budgeting cycle of an area for a year."""

    __tablename__ = "processes"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
        CheckConstraint("support_threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("voting_scope IN ('one', 'district_and_city')", name="voting_scope_known"),
        *length_checks(title_kk=200, title_ru=200, title_en=200, description=5000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    year: Mapped[int]
    title_kk: Mapped[str] = mapped_column(String(200))
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Supports a proposal needs before the akimat reviews it (0: none needed).
    support_threshold: Mapped[int] = mapped_column(default=0, server_default="0")
    # Ballots per voter: 'one' (one budget per person per process), or 'district_and_city' (the
    # voter's district budget and the city-wide budget, one ballot each).
    voting_scope: Mapped[str] = mapped_column(String(24), default="one", server_default="one")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()
    phases: Mapped[list["Phase"]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="Phase.starts_at"
    )
    budgets: Mapped[list["Budget"]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="Budget.id"
    )
    categories: Mapped[list["Category"]] = relationship(  # noqa: F821
        back_populates="process", cascade="all, delete-orphan", order_by="Category.position"
    )
    phase_changes: Mapped[list["PhaseChange"]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="PhaseChange.changed_at"
    )

    @property
    def title(self) -> str:
        return getattr(self, f"title_{locale_code()}", None) or self.title_kk

    def phase(self, kind: PhaseKind) -> "Phase | None":
        return next((p for p in self.phases if p.kind == kind.value), None)

    def current_phase(self, now: datetime | None = None) -> "Phase | None":
        """The phase whose dates contain ``now``; None before, between or after the phases."""
        now = now or utcnow()
        return next((p for p in self.phases if p.starts_at <= now < p.ends_at), None)

    def status(self, now: datetime | None = None) -> str:
        """'upcoming', 'finished', a phase kind, or 'between' phases."""
        now = now or utcnow()
        current = self.current_phase(now)
        if current:
            return current.kind
        if not self.phases or now < min(p.starts_at for p in self.phases):
            return "upcoming"
        if now >= max(p.ends_at for p in self.phases):
            return "finished"
        return "between"

    def is_in_phase(self, kind: PhaseKind, now: datetime | None = None) -> bool:
        current = self.current_phase(now)
        return current is not None and current.kind == kind.value


class Phase(db.Model):
    __tablename__ = "phases"
    __table_args__ = (
        UniqueConstraint("process_id", "kind"),
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        CheckConstraint(
            "kind IN ('proposals', 'review', 'voting', 'results', 'implementation')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    process: Mapped[Process] = relationship(back_populates="phases")

    @property
    def last_moment(self) -> datetime:
        """The last instant inside the phase (ends_at is exclusive), for showing the last day."""
        return self.ends_at - timedelta(seconds=1)


class PhaseChange(db.Model):
    """An admin opened or closed a phase early: kept with the reason and the dates it replaced."""

    __tablename__ = "phase_changes"
    __table_args__ = (CheckConstraint("action IN ('open', 'close')", name="action_known"),
                      *length_checks(reason=1000))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    phase_kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    previous_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    previous_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    process: Mapped[Process] = relationship(back_populates="phase_changes")
    actor = relationship("User")


class McIRate(db.Model):
    """The monthly calculation index (МРП / АЕК) for a year, in tenge. 2026: 4 325 ₸."""

    __tablename__ = "mci_rates"
    __table_args__ = (CheckConstraint("tenge > 0", name="positive"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    tenge: Mapped[int]


class Budget(db.Model):
    """Money a process distributes to one area (a process may hold one budget per district)."""

    __tablename__ = "budgets"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "project_limit_tenge IS NULL OR project_limit_tenge > 0", name="limit_positive"
        ),
        CheckConstraint(
            "project_limit_mci IS NULL OR project_limit_mci > 0", name="limit_mci_positive"
        ),
        CheckConstraint(
            "project_limit_tenge IS NULL OR project_limit_mci IS NULL", name="one_limit_unit"
        ),
        *length_checks(name_kk=200, name_ru=200, name_en=200),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)  # tenge
    # The per-project cost limit is entered either in tenge or in MCI (then it follows the rate).
    project_limit_tenge: Mapped[int | None] = mapped_column(BigInteger)
    project_limit_mci: Mapped[int | None] = mapped_column(BigInteger)
    # The limit in tenge as it stands: an MCI limit is converted when saved and again when a rate
    # changes, but only until the proposals phase opens; from then on it is fixed.
    project_limit_fixed: Mapped[int | None] = mapped_column(BigInteger)

    process: Mapped[Process] = relationship(back_populates="budgets")
    area: Mapped[Area] = relationship()

    @property
    def name(self) -> str:
        return getattr(self, f"name_{locale_code()}", None) or self.name_kk

    def project_limit(self) -> int | None:
        """The per-project limit in tenge (an MCI limit as converted when last fixed)."""
        if self.project_limit_tenge is not None:
            return self.project_limit_tenge
        if self.project_limit_fixed is not None:
            return self.project_limit_fixed
        if self.project_limit_mci is not None:
            return self.project_limit_mci * mci_for_year(self.process.year)
        return None


# Used when no rate was entered for a year; 4 325 ₸ is the 2026 value set by the budget law.
DEFAULT_MCI = {2024: 3692, 2025: 3932, 2026: 4325}


def mci_for_year(year: int) -> int:
    rate = db.session.get(McIRate, year)
    if rate:
        return rate.tenge
    # Otherwise the latest statutory value not after that year.
    known = [y for y in DEFAULT_MCI if y <= year]
    return DEFAULT_MCI[max(known) if known else min(DEFAULT_MCI)]
