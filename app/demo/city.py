"""The demo city: Astana's areas, one user per role, an open process and a finished one.

Idempotent: every object is looked up by a natural key before it is created."""
from datetime import date, timedelta

from sqlalchemy import select

from app.admin.services import set_phase_dates
from app.core.areas import save_area
from app.core.clock import utcnow
from app.demo.data.city import ASTANA_DISTRICTS, DEMO_PASSWORD, DEMO_USERS, OKRUGS_PER_DISTRICT
from app.extensions import db
from app.identity.iin import make_iin
from app.models import PHASE_ORDER, Area, Budget, Process, RoleGrant, User, mci_for_year
from app.proposals.services import ensure_default_categories


def _area(parent: Area | None, kind: str, kk: str, ru: str, en: str, kato: str | None = None) -> Area:
    existing = db.session.scalar(
        select(Area).where(Area.name_en == en, Area.parent_id == (parent.id if parent else None))
        if parent else select(Area).where(Area.name_en == en, Area.parent_id.is_(None))
    )
    if existing:
        return existing
    return save_area(Area(parent_id=parent.id if parent else None, kind=kind, kato=kato,
                          name_kk=kk, name_ru=ru, name_en=en))


def load_areas() -> dict[str, Area]:
    """Astana, its five districts and three maslikhat okrugs in each."""
    astana = _area(None, "city", "Астана қаласы", "город Астана", "Astana", kato="710000000")
    areas = {"Astana": astana}
    okrug_number = 1
    for kk, ru, en in ASTANA_DISTRICTS:
        district = _area(astana, "district", kk, ru, en)
        areas[en] = district
        for _ in range(OKRUGS_PER_DISTRICT):
            n = okrug_number
            okrug = _area(district, "okrug", f"№ {n} сайлау округі", f"избирательный округ № {n}",
                          f"Okrug No. {n}")
            areas[f"{en} / okrug {n}"] = okrug
            okrug_number += 1
    return areas


def load_users(areas: dict[str, Area]) -> dict[str, User]:
    users = {}
    for serial, (email, name, role, where, born, sex) in enumerate(DEMO_USERS, start=1):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            home = areas[where] if where and "okrug" in where else areas["Esil district / okrug 7"]
            user = User(email=email, full_name=name, iin=make_iin(born, sex, 1000 + serial * 7),
                        home_area=home, locale="kk", verification_method="iin-declared",
                        verified_at=utcnow())
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
            if role:
                db.session.add(RoleGrant(user=user, role=role, area=areas[where] if where else None))
        users[email] = user
    return users


def _process(area: Area, year: int, titles: tuple[str, str, str], first_day: date,
             lengths: list[int], amount: int) -> Process:
    process = db.session.scalar(
        select(Process).where(Process.area_id == area.id, Process.year == year, Process.title_en == titles[2])
    )
    if process:
        return process
    process = Process(area=area, year=year, title_kk=titles[0], title_ru=titles[1], title_en=titles[2],
                      description="")
    days, start = {}, first_day
    for kind, length in zip(PHASE_ORDER, lengths):
        days[kind] = (start, start + timedelta(days=length - 1))
        start += timedelta(days=length)
    set_phase_dates(process, days)
    ensure_default_categories(process)
    db.session.add(process)
    db.session.flush()
    for kk, ru, en in ASTANA_DISTRICTS:
        district = db.session.scalar(select(Area).where(Area.name_en == en, Area.parent_id == area.id))
        db.session.add(Budget(process=process, area=district, name_kk=kk, name_ru=ru, name_en=en,
                              amount=amount, project_limit_mci=5_000, project_limit_fixed=5_000 * mci_for_year(year)))
    return process


def load_processes(areas: dict[str, Area], today: date) -> dict[str, Process]:
    astana = areas["Astana"]
    open_process = _process(
        astana, today.year + 1 if today.month >= 11 else today.year,
        ("Астана қаласының халық қатысатын бюджеті", "Бюджет народного участия города Астаны",
         "Astana participatory budget"),
        today - timedelta(days=10), [40, 30, 21, 14, 300], amount=100_000_000,
    )
    finished = _process(
        astana, today.year - 1,
        ("Астана қаласының халық қатысатын бюджеті (өткен кезең)",
         "Бюджет народного участия города Астаны (прошлый цикл)",
         "Astana participatory budget (previous cycle)"),
        today - timedelta(days=400), [30, 30, 14, 14, 270], amount=30_000_000,
    )
    return {"open": open_process, "finished": finished}
