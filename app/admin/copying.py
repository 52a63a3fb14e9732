"""“Copy this process to next year”: the set-up a city repeats every year — areas and budgets with
their amounts and limits, categories, ballot settings, the expert council's settings, criteria
and members — under new dates and titles. Nothing of what residents did (proposals, votes) comes
along."""
from datetime import date

from app.admin.services import set_phase_dates
from app.core.permissions import roles_in
from app.extensions import db
from app.models import (
    BallotConfig,
    Budget,
    Category,
    Council,
    CouncilMember,
    Criterion,
    PhaseKind,
    Process,
    Role,
)

BALLOT_FIELDS = ("ballot_type", "min_projects", "max_projects", "max_points", "max_points_per_project", "rule",
                 "rule_options", "tie_break", "min_votes", "allow_change", "min_age")


def _still_expert(user, process: Process) -> bool:
    areas = [process.area, *(b.area for b in process.budgets)]
    return any(Role.EXPERT in roles_in(user, area) for area in areas)


def copy_process(source: Process, *, year: int, titles: dict[str, str],
                 days: dict[PhaseKind, tuple[date, date]]) -> Process:
    """A new process like ``source`` for ``year`` with the given titles and phase dates (checked as
    any process's are). Council members who no longer hold the expert role are left out."""
    process = Process(area=source.area, year=year, description=source.description,
                      support_threshold=source.support_threshold, voting_scope=source.voting_scope, **titles)
    set_phase_dates(process, days)
    for c in source.categories:
        process.categories.append(Category(code=c.code, name_kk=c.name_kk, name_ru=c.name_ru, name_en=c.name_en,
                                           position=c.position))
    db.session.add(process)
    for b in source.budgets:
        budget = Budget(process=process, area=b.area, name_kk=b.name_kk, name_ru=b.name_ru, name_en=b.name_en,
                        amount=b.amount, project_limit_tenge=b.project_limit_tenge,
                        project_limit_mci=b.project_limit_mci)
        db.session.add(budget)
        db.session.flush()
        config = db.session.get(BallotConfig, b.id)
        if config is not None:
            db.session.add(BallotConfig(budget_id=budget.id, **{f: getattr(config, f) for f in BALLOT_FIELDS}))
    db.session.flush()
    council = db.session.get(Council, source.id)
    if council is not None:
        db.session.add(Council(process_id=process.id, rule=council.rule, revision_days=council.revision_days,
                               names_public=council.names_public))
        db.session.flush()
        for c in council.criteria:
            db.session.add(Criterion(process_id=process.id, name_kk=c.name_kk, name_ru=c.name_ru, name_en=c.name_en,
                                     scale=c.scale, position=c.position))
        for m in council.members:
            if _still_expert(m.user, process):
                db.session.add(CouncilMember(process_id=process.id, user_id=m.user_id))
    db.session.commit()
    return process
