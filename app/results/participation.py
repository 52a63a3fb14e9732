"""Who took part: eligible voters and turnout, online and paper, by district, age band and sex.

Everything comes from the electoral roll (the eligible voters, with the district, age band and
sex the statistics need) and the participation records, aggregated in one SQL statement. That
statement reads every row of the roll (500,000 in a city), so it runs when the numbers become
final — when voting closes, at the count, on publication and annulment — and its groups are
stored in ``participation_stats``; a results page reads that one row."""
from sqlalchemy import case, func, select

from app.ballots.roll import AGE_BANDS
from app.core.clock import utcnow
from app.extensions import db
from app.models import Area, Budget, ParticipationStats, RollEntry, VoterParticipation


def _cells(budget: Budget) -> list[list]:
    """[district_id, age_band, sex, eligible, online, paper] per group of the budget's roll."""
    channel = VoterParticipation.channel
    rows = db.session.execute(
        select(RollEntry.district_id, RollEntry.age_band, RollEntry.sex, func.count(),
               func.sum(case((channel == "online", 1), else_=0)), func.sum(case((channel == "paper", 1), else_=0)))
        .select_from(RollEntry)
        .outerjoin(VoterParticipation, (RollEntry.budget_id == VoterParticipation.budget_id)
                   & (RollEntry.voter_key == VoterParticipation.voter_key))
        .where(RollEntry.budget_id == budget.id)
        .group_by(RollEntry.district_id, RollEntry.age_band, RollEntry.sex)
        .order_by(RollEntry.district_id, RollEntry.age_band, RollEntry.sex)
    ).all()
    return [[district, band, sex, int(eligible), int(online or 0), int(paper or 0)]
            for district, band, sex, eligible, online, paper in rows]


def store(budget: Budget) -> ParticipationStats:
    """Aggregate the budget's participation now and keep it (the caller commits)."""
    cells = _cells(budget)
    stats = db.session.get(ParticipationStats, budget.id)
    if stats is None:
        stats = ParticipationStats(budget_id=budget.id, cells=cells, computed_at=utcnow())
        db.session.add(stats)
    else:
        stats.cells, stats.computed_at = cells, utcnow()
    return stats


def participation(budget: Budget) -> dict:
    """The numbers a results page shows, from the stored aggregate (aggregated now, and not kept,
    for a budget counted before the aggregates were stored)."""
    stored = db.session.get(ParticipationStats, budget.id)
    cells = stored.cells if stored is not None else _cells(budget)
    eligible, online, paper = (sum(cell[i] for cell in cells) for i in (3, 4, 5))
    total = online + paper
    districts, bands, sexes, eligible_in = {}, {}, {}, {}
    for district, band, sex, n_eligible, n_online, n_paper in cells:
        voted = n_online + n_paper
        districts[district] = districts.get(district, 0) + voted
        eligible_in[district] = eligible_in.get(district, 0) + n_eligible
        bands[band] = bands.get(band, 0) + voted
        sexes[sex] = sexes.get(sex, 0) + voted
    known = [k for k in districts if k is not None]
    names = {a.id: a.name for a in db.session.scalars(select(Area).where(Area.id.in_(known)))} if known else {}
    voted_in = {k: n for k, n in districts.items() if n}
    return {
        "total": total,
        "eligible": eligible,
        "turnout": (total / eligible) if eligible else None,
        "online": online,
        "paper": paper,
        "districts": sorted(((names.get(k, "—"), n) for k, n in voted_in.items()), key=lambda r: -r[1]),
        "eligible_by_district": {names.get(k, "—"): n for k, n in eligible_in.items()},
        "age_bands": [(label, bands.get(label, 0)) for low, _, label in AGE_BANDS if bands.get(label) or low >= 16],
        "sexes": [("female", sexes.get("female", 0)), ("male", sexes.get("male", 0))],
        "computed_at": stored.computed_at if stored is not None else None,
    }
