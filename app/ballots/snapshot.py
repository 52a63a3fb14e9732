"""What casting a ballot needs to know about a budget, kept for a few seconds per worker.

On a vote day the same budget is read for every ballot; its ballot settings, voting window and
projects do not change while voting is open (the configuration is locked). Keeping them for
BALLOT_SNAPSHOT_SECONDS saves the budget, phase and project queries and the validation set-up
on every cast. A change made in this worker (ballot settings, phase dates) drops the snapshot at
once; another worker notices within the TTL."""
import time
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.ballots.adapter import BallotRules, ballot_proposals, config_for, instance_for, rules_for
from app.ballots.roll import tier_of
from app.core.clock import local_date
from app.extensions import db
from app.models import Budget, CountKey, PhaseKind, Process

_cache: dict[int, tuple[float, "BallotSnapshot"]] = {}


@dataclass(frozen=True)
class BallotSnapshot:
    budget_id: int
    process_id: int
    tier: int  # 1 for the city-wide budget of a "district and city" process, else 0
    area_id: int
    area_names: dict
    voting_starts: datetime | None
    voting_ends: datetime | None
    voting_last_day: date | None
    ballot_type: str
    min_age: int
    allow_change: bool
    proposal_ids: frozenset
    rules: BallotRules
    # The confirmed count key: ballots are sealed to it; None until voting is opened.
    public_key: str | None
    envelope_size: int | None
    voting_opened_at: datetime | None

    def voting_open(self, now: datetime) -> bool:
        return (self.public_key is not None and self.voting_starts is not None
                and self.voting_starts <= now < self.voting_ends)


def snapshot(budget_id: int) -> BallotSnapshot | None:
    ttl = current_app.config.get("BALLOT_SNAPSHOT_SECONDS", 5)
    hit = _cache.get(budget_id)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    budget = db.session.scalar(
        select(Budget).where(Budget.id == budget_id)
        .options(joinedload(Budget.process).selectinload(Process.phases), joinedload(Budget.area),
                 joinedload(Budget.ballot_config)))
    if budget is None:
        return None
    config = config_for(budget)
    proposals = ballot_proposals(budget)
    voting = budget.process.phase(PhaseKind.VOTING)
    key = db.session.get(CountKey, budget.id)
    confirmed = key is not None and key.confirmed_at is not None
    snap = BallotSnapshot(
        budget_id=budget.id, process_id=budget.process_id, tier=tier_of(budget, budget.process), area_id=budget.area_id,
        area_names={lang: budget.area.name_in(lang) for lang in ("kk", "ru", "en")},
        voting_starts=voting.starts_at if voting else None, voting_ends=voting.ends_at if voting else None,
        voting_last_day=local_date(voting.last_moment) if voting else None,
        ballot_type=config.ballot_type, min_age=config.min_age, allow_change=config.allow_change,
        proposal_ids=frozenset(str(p.id) for p in proposals),
        rules=rules_for(budget, instance_for(budget, proposals)),
        public_key=key.public_key if confirmed else None, envelope_size=key.envelope_size if confirmed else None,
        voting_opened_at=key.confirmed_at if confirmed else None,
    )
    if ttl > 0:
        _cache[budget_id] = (time.monotonic() + ttl, snap)
    return snap


def forget(budget_id: int | None = None) -> None:
    """Drop cached snapshots (all of them, or one budget's) after a change."""
    if budget_id is None:
        _cache.clear()
    else:
        _cache.pop(budget_id, None)
