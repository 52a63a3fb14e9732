"""Who took part: turnout, online and paper, by district, age band and sex.

Everything comes from the electoral roll (the eligible voters, with the district, age band and
sex the statistics need) and the participation records, aggregated in SQL."""
from sqlalchemy import func, select

from app.ballots.roll import AGE_BANDS
from app.extensions import db
from app.models import Area, Budget, RollEntry, VoterParticipation


def eligible_residents(budget: Budget) -> int:
    """Voters on the budget's roll (residents of its area old enough to vote when voting opened,
    and voters added at polling points)."""
    return db.session.scalar(select(func.count()).select_from(RollEntry).where(RollEntry.budget_id == budget.id))


def _grouped(budget: Budget, column) -> dict:
    rows = db.session.execute(
        select(column, func.count()).select_from(VoterParticipation)
        .join(RollEntry, (RollEntry.budget_id == VoterParticipation.budget_id)
              & (RollEntry.voter_key == VoterParticipation.voter_key))
        .where(VoterParticipation.budget_id == budget.id).group_by(column)
    ).all()
    return {key: n for key, n in rows}


def participation(budget: Budget) -> dict:
    by_channel = _grouped(budget, VoterParticipation.channel)
    total = sum(by_channel.values())
    eligible = eligible_residents(budget)
    districts = _grouped(budget, RollEntry.district_id)
    names = {a.id: a.name for a in db.session.scalars(select(Area).where(Area.id.in_(list(districts))))}
    bands = _grouped(budget, RollEntry.age_band)
    sexes = _grouped(budget, RollEntry.sex)
    return {
        "total": total,
        "eligible": eligible,
        "turnout": (total / eligible) if eligible else None,
        "online": by_channel.get("online", 0),
        "paper": by_channel.get("paper", 0),
        "districts": sorted(((names.get(k, "—"), n) for k, n in districts.items()), key=lambda r: -r[1]),
        "age_bands": [(label, bands.get(label, 0)) for low, _, label in AGE_BANDS if bands.get(label) or low >= 16],
        "sexes": [("female", sexes.get("female", 0)), ("male", sexes.get("male", 0))],
    }
