"""The electoral roll: who may vote in which budget, fixed when a process's voting opens.

The roll is taken from the registered residents' home areas and their ages on the last day of
voting, at the moment voting opens; a change of home area afterwards applies from the next
process. Voters are named by their voter key (:mod:`app.identity.voter_key`), with the district,
age band and sex that the turnout statistics need, and nothing else."""
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from app.ballots.adapter import config_for
from app.core.clock import local_date, utcnow
from app.extensions import db
from app.identity.iin import parse_iin
from app.identity.voter_key import voter_key
from app.models import Area, Budget, CountKey, PhaseKind, Process, RollEntry, User

# Every minimum age a budget may set (14 to 120) falls in a band.
AGE_BANDS = ((14, 15, "14-15"), (16, 17, "16-17"), (18, 29, "18-29"), (30, 44, "30-44"), (45, 59, "45-59"),
             (60, 200, "60+"))
MAIN, CITY_WIDE = 0, 1


def age_band(age: int) -> str:
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


def district_of(area: Area | None) -> int | None:
    """The district (or city) containing ``area``, for turnout by district."""
    while area is not None and area.kind not in ("district", "city", "region"):
        area = area.parent
    return area.id if area is not None else None


def voting_last_day(process: Process) -> date:
    """The last day of voting (Almaty), on which ages are counted."""
    return local_date(process.phase(PhaseKind.VOTING).last_moment)


def tier_of(budget: Budget, process: Process) -> int:
    """1 for the city-wide budget of a "district and city" process (voted besides one's own)."""
    return CITY_WIDE if process.voting_scope == "district_and_city" and budget.area_id == process.area_id else MAIN


def budgets_of(home: Area, process: Process) -> list[tuple[Budget, int]]:
    """The budgets a resident of ``home`` votes in, with their tier: the most specific budget
    whose area contains the home; and, where the process allows it, the budget of the process's
    whole area as well."""
    depth = {area_id: i for i, area_id in enumerate(home.ancestor_ids)}
    containing = sorted((b for b in process.budgets if b.area_id in depth), key=lambda b: (-depth[b.area_id], b.id))
    if process.voting_scope != "district_and_city":
        return [(containing[0], MAIN)] if containing else []
    found = []
    for tier in (MAIN, CITY_WIDE):
        budget = next((b for b in containing if tier_of(b, process) == tier), None)
        if budget is not None:
            found.append((budget, tier))
    return found


def build_roll(process: Process) -> int:
    """Write the roll of every budget of ``process`` (the caller commits). Returns its size."""
    last_day = voting_last_day(process)
    minimum = {b.id: config_for(b).min_age for b in process.budgets}
    users = db.session.scalars(
        select(User).where(User.home_area_id.in_(process.area.subtree_select()), User.is_active_account.is_(True))
        .options(joinedload(User.home_area).joinedload(Area.parent))
    )
    rows = []
    for user in users:
        iin = parse_iin(user.iin, today=last_day)
        age = iin.age_on(last_day)
        for budget, tier in budgets_of(user.home_area, process):
            if age >= minimum[budget.id]:
                rows.append({"budget_id": budget.id, "voter_key": voter_key(iin.value), "process_id": process.id,
                             "tier": tier, "district_id": district_of(user.home_area), "age_band": age_band(age),
                             "sex": iin.sex})
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(RollEntry), rows[start:start + 5000])
    return len(rows)


def entries_of(user: User, process_ids=None) -> list[RollEntry]:
    """Where ``user`` is on a roll (of the given processes, or any)."""
    query = select(RollEntry).where(RollEntry.voter_key == voter_key(user.iin)).options(joinedload(RollEntry.budget))
    if process_ids is not None:
        query = query.where(RollEntry.process_id.in_(list(process_ids)))
    return list(db.session.scalars(query))


def current_rolls(user: User) -> list[RollEntry]:
    """The user's places on the rolls of processes whose voting is open now (a change of home area
    does not move them there)."""

    now = utcnow()
    return [e for e in entries_of(user) if e.budget.process.is_in_phase(PhaseKind.VOTING, now)
            and (key := db.session.get(CountKey, e.budget_id)) is not None and key.confirmed_at is not None]
