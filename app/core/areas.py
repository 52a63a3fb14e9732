"""Services for the area hierarchy, used by registration, profiles and the admin pages."""
from sqlalchemy import select

from app.extensions import db
from app.models import Area


def all_areas() -> list[Area]:
    """Every area in tree order (by materialized path)."""
    return list(db.session.scalars(select(Area).order_by(Area.path)))


def area_label(area: Area, by_id: dict[int, Area]) -> str:
    """'Astana — Esil — Okrug No. 5' in the current language."""
    return " — ".join(by_id[i].name for i in area.ancestor_ids if i in by_id)


def area_choices(kinds: tuple[str, ...] | None = None) -> list[tuple[int, str]]:
    """(id, full label) pairs for a select field; ``kinds`` limits which areas are offered."""
    areas = all_areas()
    by_id = {a.id: a for a in areas}
    return [(a.id, area_label(a, by_id)) for a in areas if kinds is None or a.kind in kinds]


def save_area(area: Area) -> Area:
    """Insert or update an area, keeping the materialized paths of it and its subtree right.
    Refuses a parent inside the area itself (a cycle)."""
    if area.parent_id is not None:
        parent = db.session.get(Area, area.parent_id)
        if parent is None:
            raise ValueError("parent area does not exist")
        if area.id is not None and area.id in parent.ancestor_ids:
            raise ValueError("an area cannot be placed inside itself")
    old_path = area.path if area.id is not None else None
    db.session.add(area)
    db.session.flush()  # assigns the id the path needs
    parent_path = db.session.get(Area, area.parent_id).path if area.parent_id else "/"
    area.path = f"{parent_path}{area.id}/"
    if old_path and old_path != area.path:
        for child in db.session.scalars(
            select(Area).where(Area.path.startswith(old_path), Area.id != area.id)
        ):
            child.path = area.path + child.path[len(old_path):]
    return area
