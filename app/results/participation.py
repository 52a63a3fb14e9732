"""Who took part: turnout, online and paper, by district, age band and sex (from the IIN)."""
from datetime import date

from sqlalchemy import func, select

from app.ballots.services import AGE_BANDS
from app.extensions import db
from app.identity.iin import parse_iin
from app.models import Area, Budget, User, VoterParticipation
from app.results.adapter import config_for


def eligible_residents(budget: Budget, today: date | None = None) -> int:
    """Registered residents of the budget's area old enough to vote."""
    minimum = config_for(budget).min_age
    today = today or date.today()
    iins = db.session.scalars(select(User.iin).where(User.home_area_id.in_(budget.area.subtree_select())))
    return sum(1 for iin in iins if parse_iin(iin, today=today).age_on(today) >= minimum)


def _grouped(budget: Budget, column) -> dict:
    rows = db.session.execute(
        select(column, func.count()).where(VoterParticipation.budget_id == budget.id).group_by(column)
    ).all()
    return {key: n for key, n in rows}


def participation(budget: Budget) -> dict:
    by_channel = _grouped(budget, VoterParticipation.channel)
    total = sum(by_channel.values())
    eligible = eligible_residents(budget)
    districts = _grouped(budget, VoterParticipation.district_id)
    names = {a.id: a.name for a in db.session.scalars(select(Area).where(Area.id.in_(list(districts))))}
    bands = _grouped(budget, VoterParticipation.age_band)
    sexes = _grouped(budget, VoterParticipation.sex)
    return {
        "total": total,
        "eligible": eligible,
        "turnout": (total / eligible) if eligible else None,
        "online": by_channel.get("online", 0),
        "paper": by_channel.get("paper", 0),
        "districts": sorted(((names.get(k, "—"), n) for k, n in districts.items()), key=lambda r: -r[1]),
        "age_bands": [(label, bands.get(label, 0)) for _, _, label in AGE_BANDS],
        "sexes": [("female", sexes.get("female", 0)), ("male", sexes.get("male", 0))],
    }
