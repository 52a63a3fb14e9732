"""A city with two district budgets in one process, as the attacks on the count need it."""
from datetime import date, timedelta

from app.admin.services import set_phase_dates
from app.core.markdown import render_markdown
from app.extensions import db
from app.models import PHASE_ORDER, BallotConfig, Budget, PhaseKind, Process, Proposal

EN = {"Accept-Language": "en"}


def city_process(areas, *, scope: str = "one", city_budget: bool = False, min_age: int = 16,
                 projects_per_budget: int = 3, allow_change: bool = False) -> Process:
    """Astana 2027 with an Esil and an Almaty-district budget (and a city-wide one), each with
    projects on its ballot, in its voting phase (not opened yet)."""
    process = Process(area=areas["Astana"], year=2027, title_kk="Астана 2027", title_ru="Астана 2027",
                      title_en="Astana 2027", voting_scope=scope)
    start = date.today() - timedelta(days=65)
    set_phase_dates(process, {k: (start + timedelta(days=30 * i), start + timedelta(days=30 * i + 29))
                              for i, k in enumerate(PHASE_ORDER)})
    db.session.add(process)
    places = [("Esil district", "Есіл ауданы", "Esil district"), ("Almaty district", "Алматы ауданы", "Almaty district")]
    if city_budget:
        places.append(("Astana", "Астана қаласы", "Astana city-wide"))
    for area_name, kk, en in places:
        budget = Budget(process=process, area=areas[area_name], name_kk=kk, name_ru=kk, name_en=en,
                        amount=100_000_000, project_limit_tenge=30_000_000)
        db.session.add(budget)
        db.session.flush()
        db.session.add(BallotConfig(budget_id=budget.id, ballot_type="approval", min_projects=1, max_projects=3,
                                    rule="greedy", rule_options={}, tie_break="id", min_votes=1,
                                    allow_change=allow_change, min_age=min_age))
        for n in range(projects_per_budget):
            title = f"{en} project {n + 1}"
            db.session.add(Proposal(process=process, budget=budget, area=budget.area, title=title, description=title,
                                    description_html=render_markdown(title), address="Astana",
                                    estimated_cost=5_000_000 + n * 1_000_000, status="on_ballot"))
    db.session.commit()
    assert process.is_in_phase(PhaseKind.VOTING)
    return process


def budget_named(process: Process, name_en: str) -> Budget:
    return next(b for b in process.budgets if b.name_en == name_en)


def project_ids(budget: Budget) -> list[str]:
    from app.ballots.adapter import ballot_proposals

    return [str(p.id) for p in ballot_proposals(budget)]
