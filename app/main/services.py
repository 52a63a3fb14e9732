"""What the home page shows."""
from sqlalchemy import select

from app.extensions import db
from app.models import Area, Process, Result


def processes_for_home(user) -> tuple[Area | None, list[Process]]:
    """The processes of the user's area (and the areas around it); for visitors, every
    process, newest first."""
    area = user.home_area if getattr(user, "is_authenticated", False) else None
    query = select(Process).order_by(Process.year.desc(), Process.id.desc())
    if area is not None:
        # A resident of an okrug takes part in the district's and the city's processes.
        query = query.where(Process.area_id.in_(area.ancestor_ids))
    return area, list(db.session.scalars(query.limit(50)))


def published_budgets(processes: list[Process]) -> set[int]:
    """Budgets of these processes with a published result: only they get a link to results."""
    ids = [b.id for p in processes for b in p.budgets]
    if not ids:
        return set()
    return set(db.session.scalars(select(Result.budget_id).where(
        Result.budget_id.in_(ids), Result.published_at.is_not(None), Result.annulled_at.is_(None))))
